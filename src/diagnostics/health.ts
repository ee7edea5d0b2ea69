// Background health probes for the grid: each node whose role has a `health` probe in the runbook
// is probed every `every` (default 15 s), a few nodes at a time. This schedules them; the runner
// runs each (its transport, its redaction, its journal: a record when a node's health changes).
// A probe never changes the run: its result is only shown.
import { evaluateCondition } from '../runbook/condition.js';
import { parseDuration } from '../runbook/duration.js';
import type { HealthProbe } from '../runbook/schema.js';
import type { Clock } from '../engine/clock.js';
import type { HealthVerdict } from '../engine/runner.js';
import type { RunState } from '../engine/state.js';
import { scopeFor } from '../engine/update.js';
import { DueQueue } from './due-queue.js';
import { roleOf } from './troubleshoot.js';

/** The last health probe of a node. */
export interface HealthFact {
  ok: boolean;
  /** One line, secrets redacted. */
  message: string;
  /** Clock time of the probe. */
  at: number;
}

export const DEFAULT_HEALTH_EVERY_MS = 15_000;
/**
 * Probes started per second of real time, at most, over the whole cluster. A fast clock
 * (--time-scale) or thousands of nodes would otherwise probe without pause and take a core
 * (bench/idle-cpu.ts): past this budget each node's period stretches instead.
 */
export const PROBES_PER_REAL_SECOND = 40;
/**
 * A role with at most this many probed nodes always has a row per node, health column included
 * (the grid collapses only bigger groups into a dot map): its nodes keep the runbook's `every`
 * and stay out of the budget, which the roles of many nodes share.
 */
export const ROW_ROLE_SIZE = 5;

export interface HealthOptions {
  state: () => RunState;
  /** Runs one probe on a node (the runner's probe()). */
  probe: (node: string, probe: HealthProbe, signal: AbortSignal) => Promise<HealthVerdict>;
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
  return new Set(
    Object.entries(state.plan.runbook.roles ?? {})
      .filter(([, r]) => r.health !== undefined)
      .map(([name]) => name),
  );
}

export class HealthMonitor {
  /** Facts by node; read with `version` to know when they changed. */
  readonly facts = new Map<string, HealthFact>();
  version = 0;
  /** When each probed node is next due; its size is the number of probed nodes. */
  private readonly due = new Map<string, number>();
  /** Probed nodes of roles of many nodes: they share the budget. */
  private readonly budgeted = new Set<string>();
  /** The same, earliest first, without the nodes being probed now. */
  private readonly queue = new DueQueue();
  private readonly inFlight = new Set<string>();
  private readonly stopper = new AbortController();
  /** The one wait for the earliest due node, and the time it ends. */
  private sleeper: AbortController | undefined;
  private armedAt: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(private readonly options: HealthOptions) {}

  /** Starts probing every node that has a probe. */
  start(): void {
    if (this.running) return;
    this.running = true;
    const state = this.options.state();
    const now = this.options.clock.now();
    const byRole = new Map<string, string[]>();
    for (const name of state.plan.targets.keys()) {
      if (!probeFor(state, name)) continue;
      this.due.set(name, now);
      this.queue.push(now, name);
      const role = roleOf(state, name) ?? '';
      const names = byRole.get(role);
      if (names) names.push(name);
      else byRole.set(role, [name]);
    }
    for (const names of byRole.values()) if (names.length > ROW_ROLE_SIZE) for (const name of names) this.budgeted.add(name);
    this.pump();
  }

  stop(): void {
    this.running = false;
    this.stopper.abort();
    this.sleeper?.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * Starts the probes that are due while slots are free, then waits for the next due one. Called
   * at start, when that wait ends and when a probe ends; a probe's end wakes nothing else, so
   * thousands of nodes cost one timer and no aborted wait per probe.
   */
  private pump(): void {
    if (!this.running) return;
    const limit = Math.max(1, this.options.concurrency ?? 8);
    const now = this.options.clock.now();
    while (this.inFlight.size < limit) {
      const first = this.queue.peek();
      if (!first || first.at > now) break;
      this.queue.pop();
      void this.probe(first.name);
    }
    const next = this.queue.peek();
    // With every slot taken, the end of a probe calls again.
    if (next && this.inFlight.size < limit) this.arm(next.at);
  }

  /** Wakes at `at`, unless a wait that ends no later is already there. */
  private arm(at: number): void {
    if (this.armedAt !== undefined && this.armedAt <= at) return;
    this.sleeper?.abort();
    const sleeper = new AbortController();
    this.sleeper = sleeper;
    this.armedAt = at;
    this.options.clock.sleep(Math.max(0, at - this.options.clock.now()), sleeper.signal).then(
      () => {
        if (this.sleeper !== sleeper) return;
        this.sleeper = undefined;
        this.armedAt = undefined;
        this.pump();
      },
      () => undefined,
    );
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
      const verdict = await this.options.probe(name, probe, this.stopper.signal);
      if (!this.running) return;
      fact = verdict;
    } catch (error) {
      fact = { ok: false, message: `probe failed: ${(error as Error).message}`, at: this.options.clock.now() };
    } finally {
      this.inFlight.delete(name);
      if (this.running) {
        if (fact) this.record(name, fact);
        if (probe) {
          const at = this.options.clock.now() + (this.budgeted.has(name) ? Math.max(every, this.budgetPeriod()) : every);
          this.due.set(name, at);
          this.queue.push(at, name);
        } else this.due.delete(name);
        this.pump();
      }
    }
  }

  /** The shortest period, in the clock's time, that keeps the budgeted nodes within the real-time budget. */
  private budgetPeriod(): number {
    return (this.budgeted.size / PROBES_PER_REAL_SECOND) * 1000 * this.options.clock.scale;
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
