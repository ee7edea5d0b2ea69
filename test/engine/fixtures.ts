// Builders for engine tests: a runbook and an inventory as data, a state, and a driver that
// feeds events through update() and keeps every record and effect.
import type { Inventory, InventoryNode } from '../../src/inventory/types.js';
import type { Effect, EngineEvent, InputEvent, JournalRecord, OperatorAction } from '../../src/engine/events.js';
import { buildPlan } from '../../src/engine/plan.js';
import { createRunState, type RunState } from '../../src/engine/state.js';
import { update } from '../../src/engine/update.js';
import type { Runbook, Scalar, Section, Step } from '../../src/runbook/schema.js';
import { searchNow } from '../helpers/search-now.js';

export const T0 = Date.parse('2026-11-25T17:18:00.000Z');

export function node(name: string, roles: string[], ip = '10.0.0.1'): InventoryNode {
  return { name, address: ip, ip, roles, vars: {} };
}

/** bootstrap + masters + agents, addresses 10.0.x.y. */
export function cluster(masters = 3, agents = 0): Inventory {
  const nodes = [node('bootstrap', ['bootstrap'], '10.0.0.10')];
  for (let i = 1; i <= masters; i++) nodes.push(node(`master-${i}`, ['master'], `10.0.4.${i}`));
  for (let i = 1; i <= agents; i++) nodes.push(node(`agent-${i}`, ['agent'], `10.0.${1 + Math.floor(i / 250)}.${i % 250}`));
  return { source: 'inventory.yaml', nodes, simulated: false };
}

export function runbook(sections: Section[], extra: Partial<Runbook> = {}): Runbook {
  return { id: 'test', title: 'Test runbook', sections, ...extra };
}

export const section = (id: string, steps: Step[], extra: Partial<Section> = {}): Section => ({ id, title: id, steps, ...extra });

export function stateOf(
  rb: Runbook,
  inventory?: Inventory,
  params: Record<string, Scalar | undefined> = {},
  secrets: string[] = [],
): RunState {
  return createRunState({
    plan: buildPlan(rb, inventory),
    runId: '20261125-171800-ab12',
    file: 'test.yaml',
    digest: 'd1',
    params,
    secrets,
    by: 'alice',
    ...(inventory ? { inventory: { source: inventory.source, simulated: inventory.simulated } } : {}),
  });
}

/** Feeds events one at a time, keeping the records and effects, with a clock that only moves when told. */
export class Driver {
  records: JournalRecord[] = [];
  effects: Effect[] = [];
  /** The last command started for each task, kept across take(). */
  lastExec = new Map<string, Extract<Effect, { type: 'exec' }>>();
  now = T0;

  constructor(public state: RunState) {}

  send(event: EngineEvent | DistributiveOmit<InputEvent, 'at'>): Effect[] {
    const full = ('event' in event || 'at' in event ? event : { ...event, at: this.now }) as EngineEvent;
    const { state, effects } = update(this.state, full);
    this.state = state;
    for (const e of effects) {
      if (e.type === 'journal') this.records.push(e.record);
      else this.effects.push(e);
      if (e.type === 'exec') this.lastExec.set(e.task, e);
    }
    return effects;
  }

  start(): Effect[] {
    return this.send({ type: 'start' });
  }

  act(action: OperatorAction, by = 'alice'): Effect[] {
    return this.send({ type: 'action', action, by });
  }

  /** Answers the exec effect of a task with a result, its patterns searched as the runner searches them. */
  done(
    task: string,
    result: { exit?: number | null; stdout?: string; stderr?: string; failure?: string; message?: string } = {},
    attempt?: number,
  ): Effect[] {
    const exec = this.lastExec.get(task);
    if (!exec) throw new Error(`no exec for ${task}`);
    const output = { stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
    const searches = exec.patterns && !result.failure ? searchNow(exec.patterns, output) : undefined;
    return this.send({
      type: 'exec-done',
      task,
      attempt: attempt ?? exec.attempt,
      result: {
        exit: result.exit === undefined ? 0 : result.exit,
        ...output,
        durationMs: 5,
        ...(result.failure ? { failure: result.failure } : {}),
        ...(result.message ? { message: result.message } : {}),
      },
      ...(searches ? { searches } : {}),
    });
  }

  advance(ms: number): void {
    this.now += ms;
  }

  /** Records as short strings: "step-started masters/run@master-1". */
  log(from = 0): string[] {
    return this.records.slice(from).map(describe);
  }

  execs(): string[] {
    return this.effects.filter((e) => e.type === 'exec').map((e) => (e.type === 'exec' ? `${e.task}: ${e.command ?? '(check)'}` : ''));
  }

  take(): { log: string[]; execs: string[] } {
    const out = { log: this.log(), execs: this.execs() };
    this.records = [];
    this.effects = [];
    return out;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function describe(r: JournalRecord): string {
  const where =
    r.event === 'connection'
      ? ` ${r.change} ${r.node}`
      : 'step' in r
        ? ` ${r.section}/${r.step}@${r.node}`
        : 'node' in r && 'section' in r
          ? ` ${r.section}@${r.node}`
          : 'node' in r
            ? ` ${r.node}`
            : 'section' in r
              ? ` ${r.section}`
              : '';
  const status = 'status' in r ? ` ${r.status}` : '';
  const extra =
    r.event === 'step-finished'
      ? `${r.by && r.by !== 'runbook' ? ` by ${r.by}` : ''}${r.reason ? `: ${r.reason}` : r.message ? `: ${r.message}` : ''}`
      : r.event === 'confirmation-answered'
        ? ` ${r.answer} by ${r.by}`
        : r.event === 'attempt'
          ? ` #${r.attempt} ${r.ok ? 'ok' : 'no'}: ${r.message}`
          : r.event === 'attempt-started'
            ? ` #${r.attempt}`
            : r.event === 'captured'
              ? ` ${r.name}=${r.value}`
              : r.event === 'section-skipped'
                ? `: ${r.reason}`
                : '';
  return `${r.event}${where}${status}${extra}`;
}
