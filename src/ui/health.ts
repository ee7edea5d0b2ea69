// Background health probes for the grid: each node whose role has a `health` probe in the runbook
// is probed every `every` (default 15 s), a few nodes at a time, through the same transport as
// the steps. A probe never changes the run: its result is only shown.
import type { InventoryNode } from '../inventory/types.js';
import { evaluateCondition } from '../runbook/condition.js';
import { parseDuration } from '../runbook/duration.js';
import type { HealthProbe } from '../runbook/schema.js';
import { render } from '../runbook/template.js';
import { evaluateChecks } from '../engine/checks.js';
import type { Clock } from '../engine/clock.js';
import type { RunState } from '../engine/state.js';
import { scopeFor } from '../engine/update.js';
import type { Transport } from '../transport/types.js';
import { roleOf } from './troubleshoot.js';
import type { HealthFact } from './view-model.js';

export const DEFAULT_HEALTH_EVERY_MS = 15_000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 10_000;

export interface HealthOptions {
  state: () => RunState;
  transportFor: (node: InventoryNode) => Transport;
  redact: (text: string) => string;
  clock: Clock;
  /** Probes at once. Default 8. */
  concurrency?: number;
  /** Told when a fact changed (at most every `notifyMs`). */
  onChange: () => void;
  notifyMs?: number;
}

/** The probe that applies to a node now: the first of its role's whose `when` holds. */
export function probeFor(state: RunState, nodeName: string): HealthProbe | undefined {
  const role = roleOf(state, nodeName);
  const health = role ? state.plan.runbook.roles?.[role]?.health : undefined;
  if (!health) return undefined;
  const scope = scopeFor(state, nodeName);
  for (const probe of Array.isArray(health) ? health : [health]) {
    try {
      if (probe.when === undefined || evaluateCondition(probe.when, scope)) return probe;
    } catch {
      // A condition that cannot be read: try the next probe.
    }
  }
  return undefined;
}

/** Roles of the runbook that have a health probe. */
export function probedRoles(state: RunState): Set<string> {
  return new Set(Object.entries(state.plan.runbook.roles ?? {}).filter(([, r]) => r.health !== undefined).map(([name]) => name));
}

export class HealthMonitor {
  /** Facts by node; read with `version` to know when they changed. */
  readonly facts = new Map<string, HealthFact>();
  version = 0;
  private readonly due = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private readonly stopper = new AbortController();
  private wake: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(private readonly options: HealthOptions) {}

  /** Starts probing every node that has a probe. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const state = this.options.state();
    const now = this.options.clock.now();
    for (const name of state.plan.targets.keys()) if (probeFor(state, name)) this.due.set(name, now);
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.stopper.abort();
    this.wake?.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  private async loop(): Promise<void> {
    const limit = Math.max(1, this.options.concurrency ?? 8);
    while (this.running) {
      const now = this.options.clock.now();
      let next = Infinity;
      for (const [name, at] of this.due) {
        if (this.inFlight.size >= limit) break;
        if (this.inFlight.has(name)) continue;
        if (at <= now) void this.probe(name);
        else next = Math.min(next, at);
      }
      this.wake = new AbortController();
      const onStop = () => this.wake?.abort();
      this.stopper.signal.addEventListener('abort', onStop, { once: true });
      // Sleep until the next probe is due, or until a probe ends and frees a slot.
      const wait = this.inFlight.size >= limit || next === Infinity ? 60_000 : Math.max(0, next - now);
      await this.options.clock.sleep(wait, this.wake.signal).catch(() => undefined);
      this.stopper.signal.removeEventListener('abort', onStop);
    }
  }

  private async probe(name: string): Promise<void> {
    this.inFlight.add(name);
    const state = this.options.state();
    const node = state.plan.targets.get(name);
    const probe = probeFor(state, name);
    let fact: HealthFact | undefined;
    let every = DEFAULT_HEALTH_EVERY_MS;
    try {
      if (!node || !probe) return;
      every = parseDuration(probe.every ?? '') ?? DEFAULT_HEALTH_EVERY_MS;
      let command: string;
      try {
        command = render(probe.run, scopeFor(state, name), 'shell');
      } catch (error) {
        fact = { ok: false, message: `cannot probe: ${(error as Error).message}`, at: this.options.clock.now() };
        return;
      }
      const timeout = parseDuration(probe.timeout ?? '') ?? DEFAULT_HEALTH_TIMEOUT_MS;
      const r = await this.options.transportFor(node).exec(node, command, { signal: this.stopper.signal, timeoutMs: Math.max(1, Math.round(timeout / this.options.clock.scale)) });
      if (!this.running) return;
      const verdict = r.failure ? { ok: false, message: r.message ?? r.failure } : evaluateChecks(probe.expect, { exit: r.exit, stdout: r.stdout, stderr: r.stderr });
      fact = { ok: verdict.ok, message: this.options.redact(verdict.message), at: this.options.clock.now() };
    } catch (error) {
      fact = { ok: false, message: this.options.redact(`probe failed: ${(error as Error).message}`), at: this.options.clock.now() };
    } finally {
      this.inFlight.delete(name);
      if (this.running) {
        if (fact) this.record(name, fact);
        if (probe) this.due.set(name, this.options.clock.now() + every);
        else this.due.delete(name);
        this.wake?.abort();
      }
    }
  }

  private record(name: string, fact: HealthFact): void {
    const old = this.facts.get(name);
    this.facts.set(name, fact);
    // A probe that says the same thing again changes nothing on screen (its age is not shown).
    if (old && old.ok === fact.ok && old.message === fact.message) return;
    this.version += 1;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.options.onChange();
    }, this.options.notifyMs ?? 100);
  }
}
