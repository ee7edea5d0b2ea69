// The reducer: update(state, event) -> { state, effects }. Pure: no I/O, no clock, no randomness;
// the time comes in the event. A record (a fact from the journal) is only applied; an input (a
// command finished, a timer fired, the operator answered) is decided on, which yields records
// (applied, and journalled by the runner before anything else happens) and effects (run this
// command, wake me at, stop that). Replaying a run's records through the same function rebuilds
// its state, which is how --resume lands on the same step.
//
// Cost: one event touches one node. The node map is copied once per event (a shallow copy), the
// node's own step map is small, and the schedule looks only at the section's active nodes, so an
// event costs the same at 10 nodes as at 2,000 (bench/engine.ts measures it).
import { evaluateCondition } from '../runbook/condition.js';
import { formatDuration, parseDuration } from '../runbook/duration.js';
import { captureSpec, shapeProblem } from '../runbook/capture-shape.js';
import type { Runbook, Scalar, Step } from '../runbook/schema.js';
import { shellQuote } from '../shell/quote.js';
import { render, renderForDisplay } from '../runbook/template.js';
import { capture, checkList, clip, evaluateChecks, patternsOf } from './checks.js';
import { renderHeader, scopeFor, showText } from './display.js';
import type { ConnectionEvent, EngineEvent, Effect, ExecEffect, InputEvent, JournalRecord, OperatorAction, Outcome } from './events.js';
import { NodeMap } from './node-map.js';
import { BY_RUNBOOK, tallyOfNodes } from './tally.js';
import { parseTaskKey, type PlanSection, type PlanStep } from './plan.js';
import {
  isSettled,
  pendingTask,
  type Attempt,
  type AttemptOutput,
  type Counters,
  type NodeState,
  type NodeSummary,
  type Prompt,
  type RunState,
  type SectionState,
  type TaskState,
} from './state.js';

export { scopeFor } from './display.js';

export interface UpdateResult {
  state: RunState;
  effects: Effect[];
}

/** Default poll interval and limit for `until` without `every` / `timeout`. */
export const DEFAULT_EVERY_MS = 10_000;
export const DEFAULT_POLL_TIMEOUT_MS = 10 * 60_000;
/**
 * The longest one run of a command may take when neither the step (`timeout`) nor the runbook
 * (`step_timeout`) says: a node that accepts a command and never answers must not hang a run.
 */
export const DEFAULT_STEP_TIMEOUT_MS = 30 * 60_000;
export { BY_RUNBOOK } from './tally.js';

/** The one entry point: a record is applied, an input is decided on. */
export function update(state: RunState, event: EngineEvent): UpdateResult {
  const d = new Draft(state, 'event' in event ? Date.parse(event.ts) : event.at);
  if ('event' in event) d.apply(event);
  else decide(d, event);
  return { state: d.finish(), effects: d.effects };
}

/** Rebuilds a run's state from its records (no effects). */
export function replay(state: RunState, records: Iterable<JournalRecord>): RunState {
  let s = state;
  for (const record of records) s = update(s, record).state;
  return s;
}

/** The reasons a step must wait for the operator before it runs. */
export const needsConfirmation = (step: Step): boolean => Boolean(step.destructive || step.confirm || step.checklist);

/** Whether "verify again" can check an interrupted step without running its command for effect. */
export function verifyUnavailable(step: Step): string | undefined {
  if (step.destructive) return 'it is destructive: its gate is the result of the command itself';
  if (!step.run && !step.check) return 'it has no command or check to verify';
  if (!step.until && !step.expect && !step.check) return 'it has no gate to check';
  return undefined;
}

// ---------------------------------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Copy-on-write over one event: the first change to a collection copies it, later ones mutate the copy. */
class Draft {
  readonly s: Mutable<RunState>;
  readonly effects: Effect[] = [];
  /** Nodes changed by this event; merged into the persistent map once, at the end. */
  private readonly changed = new Map<string, NodeState>();
  private sections: SectionState[] | undefined;
  private prompts: Prompt[] | undefined;
  private counters: Counters | undefined;
  private vars: Record<string, string> | undefined;

  constructor(
    state: RunState,
    readonly now: number,
  ) {
    this.s = { ...state, now: Number.isFinite(now) ? now : state.now };
  }

  get plan() {
    return this.s.plan;
  }

  finish(): RunState {
    if (this.changed.size > 0) this.s.nodes = asNodeMap(this.s.nodes).withUpdates(this.changed);
    return this.s;
  }

  node(name: string): NodeState | undefined {
    return this.changed.get(name) ?? this.s.nodes.get(name);
  }

  putNode(node: NodeState): void {
    this.changed.set(node.name, node);
  }

  /** Every node as this event leaves it. */
  *allNodes(): Iterable<NodeState> {
    for (const [name, node] of this.s.nodes) yield this.changed.get(name) ?? node;
  }

  section(index: number): SectionState {
    return this.s.sections[index]!;
  }

  putSection(index: number, section: SectionState): void {
    if (!this.sections) this.s.sections = this.sections = [...this.s.sections];
    this.sections[index] = section;
  }

  count(): Counters {
    if (!this.counters) this.s.counters = this.counters = { ...this.s.counters };
    return this.counters;
  }

  setVar(name: string, value: string): void {
    if (!this.vars) this.s.vars = this.vars = { ...this.s.vars };
    this.vars[name] = value;
  }

  addPrompt(prompt: Prompt): void {
    if (!this.prompts) this.s.prompts = this.prompts = [...this.s.prompts];
    const at = this.prompts.findIndex((p) => p.id === prompt.id);
    if (at >= 0) this.prompts[at] = prompt;
    else this.prompts.push(prompt);
  }

  removePrompts(task: string): void {
    if (!this.s.prompts.some((p) => p.task === task)) return;
    this.s.prompts = this.prompts = this.s.prompts.filter((p) => p.task !== task);
  }

  /** The time of this event's records, as they write it: one event makes several. */
  private stamp: { ts: string; at: number } | undefined;

  /** A fact: applied now, journalled by the runner before the effects that follow it. */
  emit(record: DistributiveOmit<JournalRecord, 'ts' | 'run'>): void {
    this.stamp ??= stampOf(this.now);
    const full = { ts: this.stamp.ts, run: this.s.run.id, ...record } as JournalRecord;
    this.apply(full, this.stamp.at);
    this.effects.push({ type: 'journal', record: full });
  }

  effect(effect: Effect): void {
    this.effects.push(effect);
  }

  // ---- applying facts ----

  /** `at`: the record's time as a number, when the caller has it (a record from disk is read from its ts). */
  apply(r: JournalRecord, at: number = Date.parse(r.ts)): void {
    this.s.seq += 1;
    switch (r.event) {
      case 'run-started':
        this.s.run = { ...this.s.run, startedAt: at, by: r.by, header: r.header };
        this.s.phase = 'running';
        return;
      case 'resumed':
        this.s.phase = 'running';
        delete this.s.outcome;
        this.s.run = { ...this.s.run, finishedAt: undefined };
        return;
      case 'section-started': {
        const i = this.plan.sectionIndex.get(r.section);
        if (i === undefined) return;
        this.s.sectionIndex = i;
        this.putSection(i, { ...this.section(i), status: 'running', startedAt: at, ...(r.title !== undefined ? { title: r.title } : {}) });
        for (const name of this.plan.sections[i]!.targets) {
          const node = this.node(name);
          if (node && !node.failedIn) this.putNode({ ...node, section: r.section, summary: 'pending' });
        }
        return;
      }
      case 'section-skipped': {
        const i = this.plan.sectionIndex.get(r.section);
        if (i === undefined) return;
        this.putSection(i, { ...this.section(i), status: 'skipped', reason: r.reason });
        const c = this.count();
        c.done += r.tasks;
        c.skipped += r.tasks;
        this.s.sectionIndex = Math.max(this.s.sectionIndex, i + 1);
        return;
      }
      case 'section-finished': {
        const i = this.plan.sectionIndex.get(r.section);
        if (i === undefined) return;
        this.putSection(i, { ...this.section(i), status: r.status });
        this.s.sectionIndex = Math.max(this.s.sectionIndex, i + 1);
        return;
      }
      case 'node-started':
      case 'node-excluded': {
        const i = this.plan.sectionIndex.get(r.section);
        const position = this.plan.sections[i ?? -1]?.targetIndex.get(r.node);
        if (i === undefined || position === undefined) return;
        const sec = this.section(i);
        const next: SectionState = { ...sec, nextTarget: Math.max(sec.nextTarget, position + 1) };
        if (r.event === 'node-started') {
          if (!sec.active.includes(r.node)) next.active = [...sec.active, r.node];
          const node = this.node(r.node);
          if (node) this.putNode({ ...node, section: r.section, summary: 'running' });
        } else {
          next.nodesExcluded = sec.nodesExcluded + 1;
        }
        this.putSection(i, next);
        return;
      }
      case 'node-finished': {
        const i = this.plan.sectionIndex.get(r.section);
        if (i === undefined) return;
        const sec = this.section(i);
        this.putSection(i, {
          ...sec,
          active: sec.active.filter((n) => n !== r.node),
          nodesDone: sec.nodesDone + 1,
          nodesFailed: sec.nodesFailed + (r.status === 'failed' ? 1 : 0),
        });
        const node = this.node(r.node);
        if (node) {
          const { deadline: _dropped, ...rest } = node;
          this.putNode({ ...rest, summary: r.status, ...(r.status === 'failed' ? { failedIn: r.section } : {}) });
        }
        return;
      }
      case 'confirmation-asked': {
        const task = `${r.section}/${r.step}@${r.node}`;
        const id = `confirm:${task}`;
        this.setTask(r.node, r.section, r.step, { status: 'waiting-confirmation', prompt: id, askedAt: at });
        this.addPrompt({
          id,
          kind: 'confirm',
          task,
          section: r.section,
          step: r.step,
          node: r.node,
          title: r.title,
          askedAt: at,
          destructive: r.destructive,
          ...(r.command !== undefined ? { command: r.command } : {}),
          ...(r.text !== undefined ? { text: r.text } : {}),
          ...(r.typed !== undefined ? { typed: r.typed } : {}),
          ...(r.checklist !== undefined ? { checklist: r.checklist } : {}),
        });
        return;
      }
      case 'confirmation-answered': {
        this.removePrompts(`${r.section}/${r.step}@${r.node}`);
        // Confirmed but not started (the run stopped in between) is pending: it will be asked again.
        // Until the step starts (at once, unless the run holds the node) nothing runs there.
        if (r.answer === 'yes') {
          this.setTask(r.node, r.section, r.step, pendingTask());
          const node = this.node(r.node);
          if (node) this.putNode({ ...node, summary: 'held' });
        }
        return;
      }
      case 'step-started': {
        this.removePrompts(`${r.section}/${r.step}@${r.node}`);
        this.setTask(r.node, r.section, r.step, {
          status: 'running',
          startedAt: at,
          attempt: r.attempt,
          mode: r.mode,
          ...(r.command !== undefined ? { command: r.command } : {}),
        });
        this.changeAttempts(r.node, r.section, r.step, (list) => [
          ...list,
          {
            status: 'running',
            number: list.length + 1,
            mode: r.mode,
            startedAt: at,
            ...(r.command !== undefined ? { command: r.command } : {}),
            ...(r.by !== undefined ? { by: r.by } : {}),
          },
        ]);
        if (r.deadlineAt !== undefined) {
          const node = this.node(r.node);
          const step = `${r.section}/${r.step}`;
          if (node && node.deadline?.step !== step) {
            this.putNode({
              ...node,
              deadline: { step, startedAt: at, at: r.deadlineAt, passed: false, ...(r.deadlineText ? { text: r.deadlineText } : {}) },
            });
          }
        }
        return;
      }
      case 'attempt-started': {
        const task = this.task(r.node, r.section, r.step);
        if (task.status !== 'polling' && task.status !== 'running') return;
        this.setTask(r.node, r.section, r.step, {
          status: 'running',
          startedAt: task.startedAt,
          attempt: r.attempt,
          mode: 'run',
          ...(task.command !== undefined ? { command: task.command } : {}),
        });
        return;
      }
      case 'attempt': {
        if (r.ok || r.nextAt === undefined) return;
        const task = this.task(r.node, r.section, r.step);
        const startedAt = task.status === 'running' || task.status === 'polling' ? task.startedAt : at;
        const command = task.status === 'running' || task.status === 'polling' ? task.command : undefined;
        this.setTask(r.node, r.section, r.step, {
          status: 'polling',
          startedAt,
          attempt: r.attempt,
          nextAt: r.nextAt,
          deadlineAt: r.deadlineAt ?? r.nextAt,
          last: r.message,
          ...(command !== undefined ? { command } : {}),
        });
        return;
      }
      case 'output': {
        const { lines, bytes, sha256, tail, truncated } = r;
        const output: AttemptOutput = { lines, bytes, sha256, tail, ...(truncated ? { truncated } : {}) };
        this.changeLastAttempt(r.node, r.section, r.step, (a) => ({ ...a, output }));
        return;
      }
      case 'captured':
        this.setVar(r.name, r.value);
        this.showVar();
        return;
      case 'step-finished': {
        this.removePrompts(`${r.section}/${r.step}@${r.node}`);
        let next: TaskState;
        if (r.status === 'passed') {
          next = {
            status: 'passed',
            durationMs: r.durationMs ?? 0,
            ...(r.exit !== undefined ? { exit: r.exit } : {}),
            ...(r.message !== undefined ? { message: r.message } : {}),
            ...(r.by !== undefined ? { by: r.by } : {}),
            ...(r.reason !== undefined ? { reason: r.reason } : {}),
          };
        } else if (r.status === 'failed') {
          next = {
            status: 'failed',
            reason: r.reason ?? r.message ?? 'failed',
            ...(r.exit !== undefined ? { exit: r.exit } : {}),
            ...(r.outcomeUnknown ? { outcomeUnknown: true } : {}),
            ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
          };
        } else if (r.status === 'skipped') {
          next = { status: 'skipped', reason: r.reason ?? '', by: r.by ?? BY_RUNBOOK };
        } else {
          next = { status: 'refused', by: r.by ?? '', ...(r.reason !== undefined ? { reason: r.reason } : {}) };
        }
        this.setTask(r.node, r.section, r.step, next);
        if (r.status === 'passed') this.endDeadlineAnsweredBy(r.node, r.section, r.step);
        // Ends the attempt that ran; a skip or refusal ends none and leaves the failure before it in place.
        this.changeLastAttempt(r.node, r.section, r.step, (a): Attempt => {
          if (a.status !== 'running') return a;
          const exit = r.exit !== undefined ? { exit: r.exit } : {};
          if (r.status === 'passed')
            return { ...a, status: 'passed', endedAt: at, ...exit, ...(r.message !== undefined ? { message: r.message } : {}) };
          if (r.status === 'failed') return { ...a, status: 'failed', endedAt: at, ...exit, reason: r.reason ?? r.message ?? 'failed' };
          return { ...a, status: 'interrupted', endedAt: at, reason: r.reason ?? r.status };
        });
        return;
      }
      case 'decision-asked': {
        const task = `${r.section}/${r.step}@${r.node}`;
        this.addPrompt({
          id: `failure:${task}`,
          kind: 'failure',
          task,
          section: r.section,
          step: r.step,
          node: r.node,
          title: this.stepTitle(r.section, r.step, r.node),
          askedAt: at,
          reason: r.reason,
          choices: ['retry', 'skip', 'abort'],
        });
        return;
      }
      case 'retry':
        this.removePrompts(`${r.section}/${r.step}@${r.node}`);
        this.setTask(r.node, r.section, r.step, pendingTask());
        return;
      case 'interrupted': {
        const task = `${r.section}/${r.step}@${r.node}`;
        const before = this.task(r.node, r.section, r.step);
        const startedAt = before.status === 'running' || before.status === 'polling' ? before.startedAt : at;
        this.setTask(r.node, r.section, r.step, {
          status: 'interrupted',
          startedAt,
          ...(r.command !== undefined ? { command: r.command } : {}),
        });
        this.changeLastAttempt(r.node, r.section, r.step, (a) =>
          a.status === 'running' ? { ...a, status: 'interrupted', endedAt: at, reason: r.reason } : a,
        );
        const step = this.planStep(r.section, r.step)?.step;
        const unavailable = step ? verifyUnavailable(step) : 'the step is no longer in the runbook';
        this.addPrompt({
          id: `interrupted:${task}`,
          kind: 'interrupted',
          task,
          section: r.section,
          step: r.step,
          node: r.node,
          title: this.stepTitle(r.section, r.step, r.node),
          askedAt: at,
          ...(r.command !== undefined ? { command: r.command } : {}),
          choices: unavailable ? ['rerun', 'mark-done', 'skip', 'abort'] : ['verify', 'rerun', 'mark-done', 'skip', 'abort'],
          ...(unavailable ? { verifyUnavailable: unavailable } : {}),
        });
        return;
      }
      case 'deadline-passed': {
        const node = this.node(r.node);
        if (node?.deadline) this.putNode({ ...node, deadline: { ...node.deadline, passed: true } });
        return;
      }
      case 'preflight-started':
        this.s.preflight = { status: 'running', nodes: r.nodes, startedAt: at, failures: [] };
        return;
      case 'preflight-finished':
        this.s.preflight = { status: r.status, nodes: r.nodes, startedAt: this.s.preflight?.startedAt ?? at, failures: r.failures };
        return;
      case 'connection':
      case 'command-started':
      case 'command-finished':
      case 'health':
        return;
      case 'paused':
        if (this.s.phase === 'running') this.s.phase = 'paused';
        return;
      case 'continued':
        if (this.s.phase === 'paused') this.s.phase = 'running';
        return;
      case 'aborted':
        this.s.phase = 'aborting';
        return;
      case 'run-finished':
        this.s.phase = 'finished';
        this.s.outcome = r.status;
        this.s.run = { ...this.s.run, finishedAt: at };
        return;
    }
  }

  task(nodeName: string, section: string, step: string): TaskState {
    return this.node(nodeName)?.tasks.get(`${section}/${step}`) ?? pendingTask();
  }

  planStep(section: string, step: string): PlanStep | undefined {
    const ps = this.plan.sections[this.plan.sectionIndex.get(section) ?? -1];
    return ps?.steps[ps.stepIndex.get(step) ?? -1];
  }

  /** A step's title as shown on a node. */
  stepTitle(section: string, step: string, node: string): string {
    const title = this.planStep(section, step)?.step.title;
    return title === undefined ? step : showText(title, scopeFor(this.s, node));
  }

  /** A deadline ends when a gate that answers it passes on its node (answered_by): the danger it counts down to is over. */
  private endDeadlineAnsweredBy(nodeName: string, section: string, step: string): void {
    const node = this.node(nodeName);
    if (!node?.deadline || node.deadline.passed) return;
    const [from, starter] = node.deadline.step.split('/') as [string, string];
    if (from !== section) return;
    const deadline = this.planStep(from, starter)?.step.deadline;
    const answeredBy = typeof deadline === 'object' ? deadline.answered_by : undefined;
    if (answeredBy === undefined || !(Array.isArray(answeredBy) ? answeredBy : [answeredBy]).includes(step)) return;
    const { deadline: _met, ...rest } = node;
    this.putNode(rest);
  }

  /** A new var may fill in the header and the titles of sections not started yet. */
  private showVar(): void {
    const header = this.plan.runbook.header;
    if (header && Object.values(header).some((v) => v.includes('{{')))
      this.s.run = { ...this.s.run, header: renderHeader(header, scopeFor(this.s)) };
    this.plan.sections.forEach((ps, i) => {
      const sec = this.section(i);
      if (sec.status !== 'pending' || !ps.title.includes('{{')) return;
      const title = showText(ps.title, scopeFor(this.s));
      if (title !== sec.title) this.putSection(i, { ...sec, title });
    });
  }

  /** Replaces the attempts of a step on a node. */
  private changeAttempts(nodeName: string, section: string, step: string, change: (list: readonly Attempt[]) => readonly Attempt[]): void {
    const node = this.node(nodeName);
    if (!node || !this.plan.sectionIndex.has(section)) return;
    const key = `${section}/${step}`;
    const attempts = new Map(node.attempts ?? []);
    attempts.set(key, change(attempts.get(key) ?? []));
    this.putNode({ ...node, attempts });
  }

  /** Changes the latest attempt of a step on a node, if it has one. */
  private changeLastAttempt(nodeName: string, section: string, step: string, change: (a: Attempt) => Attempt): void {
    const list = this.node(nodeName)?.attempts?.get(`${section}/${step}`);
    const last = list?.[list.length - 1];
    if (!list || !last) return;
    const next = change(last);
    if (next !== last) this.changeAttempts(nodeName, section, step, (l) => [...l.slice(0, -1), next]);
  }

  /** Changes one step on one node and keeps every counter and the node's summary in step with it. */
  setTask(nodeName: string, section: string, step: string, next: TaskState): void {
    const node = this.node(nodeName);
    const sectionIndex = this.plan.sectionIndex.get(section);
    if (!node || sectionIndex === undefined) return; // a record for a node or section the runbook no longer has
    const key = `${section}/${step}`;
    const before = node.tasks.get(key) ?? pendingTask();
    const c = this.count();
    bump(c, before.status, -1);
    bump(c, next.status, +1);
    const sec = this.section(sectionIndex);
    const counted = { ...sec };
    sectionBump(counted, before.status, -1);
    sectionBump(counted, next.status, +1);
    this.putSection(sectionIndex, counted);
    const tasks = new Map(node.tasks);
    tasks.set(key, next);
    this.putNode({ ...node, tasks, current: key, summary: summaryOf(next) });
  }
}

/** A record's ts and the time it reads back as (to the millisecond, as Date.parse gives it). */
function stampOf(now: number): { ts: string; at: number } {
  const date = new Date(now);
  return { ts: date.toISOString(), at: date.getTime() };
}

/** States made by createRunState hold a NodeMap; anything else is converted once. */
const asNodeMap = (nodes: ReadonlyMap<string, NodeState>): NodeMap<NodeState> => (nodes instanceof NodeMap ? nodes : NodeMap.from(nodes));

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The counter each status adds to; every finished status also counts as done. */
const COUNTED: Partial<Record<TaskState['status'], { counter: Exclude<keyof Counters, 'total' | 'done'>; done: boolean }>> = {
  passed: { counter: 'passed', done: true },
  failed: { counter: 'failed', done: true },
  skipped: { counter: 'skipped', done: true },
  refused: { counter: 'refused', done: true },
  interrupted: { counter: 'interrupted', done: false },
  running: { counter: 'running', done: false },
  polling: { counter: 'running', done: false },
};

function bump(c: Counters, status: TaskState['status'], by: 1 | -1): void {
  const counted = COUNTED[status];
  if (!counted) return;
  c[counted.counter] += by;
  if (counted.done) c.done += by;
}

function sectionBump(s: Mutable<SectionState>, status: TaskState['status'], by: 1 | -1): void {
  if (status === 'passed') s.passed += by;
  else if (status === 'skipped') s.skipped += by;
  else if (status === 'failed' || status === 'refused') {
    s.failed += by;
    s.failures += by;
  }
}

function summaryOf(t: TaskState): NodeSummary {
  switch (t.status) {
    case 'pending':
      return 'pending';
    case 'waiting-confirmation':
      return 'waiting';
    case 'running':
    case 'polling':
      return 'running';
    // Settled, the next step not started: moving on happens in the same event, so a node left
    // here is held (or about to finish the section, which says passed).
    case 'passed':
    case 'skipped':
      return 'held';
    case 'failed':
    case 'refused':
      return 'failed';
    case 'interrupted':
      return 'interrupted';
  }
}

// ---- deciding on inputs -----------------------------------------------------------------------

function decide(d: Draft, e: InputEvent): void {
  switch (e.type) {
    case 'start':
      if (d.s.phase !== 'ready') return;
      d.emit({
        event: 'run-started',
        runbook: {
          id: d.s.run.runbookId,
          title: d.s.run.title,
          file: d.s.run.file,
          digest: d.s.run.digest,
          ...(d.plan.runbook.lang ? { lang: d.plan.runbook.lang } : {}),
        },
        ...(d.s.run.inventory ? { inventory: d.s.run.inventory } : {}),
        params: maskedParams(d.s),
        secrets: [...d.s.secrets],
        by: d.s.run.by,
        header: d.s.run.header,
        total: d.plan.total,
        ...(d.s.run.timeScale !== undefined ? { timeScale: d.s.run.timeScale } : {}),
      });
      if (e.preflight && e.preflight.length > 0) startPreflight(d, e.preflight);
      schedule(d);
      return;
    case 'resume':
      onResume(d, e);
      return;
    case 'preflight-done':
      onPreflightDone(d, e);
      return;
    case 'connection':
      onConnection(d, e.connection);
      return;
    case 'side':
      // Nothing of the run changes; the journal says what ran on the node, when, and by whom.
      if (d.s.phase !== 'ready' && d.s.phase !== 'finished') d.emit(e.note);
      return;
    case 'exec-done':
      onExecDone(d, e);
      return;
    case 'timer':
      onTimer(d, e);
      return;
    case 'action':
      onAction(d, e.action, e.by);
      return;
    case 'interrupt':
      onInterrupt(d, e.signal);
      return;
  }
}

/** Params as the journal may hold them: secrets masked. */
export function maskedParams(state: RunState): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(state.params)) {
    if (v === undefined) continue;
    out[k] = state.secrets.has(k) ? '••••••' : v;
  }
  return out;
}

function onResume(d: Draft, e: Extract<InputEvent, { type: 'resume' }>): void {
  if (d.s.phase === 'ready') return; // nothing was journalled: start instead
  d.emit({
    event: 'resumed',
    by: e.by,
    digest: e.digest,
    ...(e.changedRunbook ? { changedRunbook: true } : {}),
    ...(e.changedInventory ? { changedInventory: e.changedInventory } : {}),
  });
  // Whatever was running when the player stopped is interrupted: the operator decides.
  for (const node of [...d.allNodes()]) {
    interruptRunning(d, node, (task) =>
      task.status === 'polling'
        ? `the player stopped between poll attempts (after attempt ${task.attempt})`
        : task.attempt > 1
          ? `the player stopped during poll attempt ${task.attempt}`
          : 'the player stopped while the step was running',
    );
    if (node.deadline && !node.deadline.passed)
      d.effect({ type: 'timer', task: `${node.deadline.step}@${node.name}`, attempt: 0, kind: 'deadline', at: node.deadline.at });
  }
  // Checked again even when its pre-flight passed: between the stop and the resume a node may
  // have been rebuilt (a new host key) or its address given to another machine.
  if (e.preflight && e.preflight.length > 0) startPreflight(d, e.preflight);
  advanceActive(d);
  schedule(d);
}

/** Nothing starts while the pre-flight runs. */
const checking = (d: Draft): boolean => d.s.preflight?.status === 'running';

function startPreflight(d: Draft, nodes: readonly string[]): void {
  d.emit({ event: 'preflight-started', nodes: nodes.length });
  d.effect({ type: 'preflight', nodes });
}

function onPreflightDone(d: Draft, e: Extract<InputEvent, { type: 'preflight-done' }>): void {
  const pf = d.s.preflight;
  if (!pf || pf.status !== 'running' || d.s.phase === 'finished') return;
  const failures = [...e.failures];
  d.emit({
    event: 'preflight-finished',
    status: failures.length > 0 ? 'failed' : 'passed',
    nodes: pf.nodes,
    failures,
    durationMs: Math.max(0, d.now - pf.startedAt),
  });
  // Refused before anything ran: the operator fixes the nodes (or the inventory) and resumes.
  if (failures.length > 0) {
    finishRun(d, 'failed');
    return;
  }
  advanceActive(d);
  schedule(d);
}

function onConnection(d: Draft, e: ConnectionEvent): void {
  if (d.s.phase === 'ready' || d.s.phase === 'finished') return;
  const { type, ...rest } = e;
  d.emit({ event: 'connection', change: type, ...rest });
}

/** Journals every step running or polling on `node` as interrupted, with why. */
function interruptRunning(
  d: Draft,
  node: NodeState,
  reason: (task: Extract<TaskState, { status: 'running' | 'polling' }>) => string,
): void {
  for (const [key, task] of node.tasks) {
    if (task.status !== 'running' && task.status !== 'polling') continue;
    const [section = '', step = ''] = key.split('/');
    d.emit({
      event: 'interrupted',
      section,
      step,
      node: node.name,
      status: 'interrupted',
      reason: reason(task),
      ...(task.command !== undefined ? { command: task.command } : {}),
    });
  }
}

function onInterrupt(d: Draft, signal: string): void {
  if (d.s.phase === 'finished' || d.s.phase === 'ready') return;
  for (const node of activeNodes(d)) interruptRunning(d, node, () => `interrupted by ${signal}`);
  d.effect({ type: 'cancel' });
  finishRun(d, 'interrupted');
}

/** Nodes that may have something running: the active ones of the current section. */
function activeNodes(d: Draft): NodeState[] {
  const sec = d.s.sections[d.s.sectionIndex];
  if (!sec) return [];
  return sec.active.map((n) => d.node(n)).filter((n): n is NodeState => n !== undefined);
}

function onTimer(d: Draft, e: Extract<InputEvent, { type: 'timer' }>): void {
  const key = parseTaskKey(e.task);
  if (!key) return;
  if (e.kind === 'deadline') {
    const node = d.node(key.node);
    if (node?.deadline && !node.deadline.passed && node.deadline.step === `${key.section}/${key.step}` && d.s.phase !== 'finished') {
      const text = node.deadline.text;
      d.emit({ event: 'deadline-passed', ...key, ...(text ? { text } : {}) });
    }
    return;
  }
  const task = d.task(key.node, key.section, key.step);
  if (task.status !== 'polling' || task.attempt !== e.attempt) return;
  if (d.s.phase === 'aborting' || d.s.phase === 'finished') return;
  const ps = d.planStep(key.section, key.step);
  if (!ps) return;
  const prepared = prepare(d, ps.step, key.node);
  if ('error' in prepared) {
    failTask(d, key, { reason: prepared.error }, task.startedAt);
    return;
  }
  // A small record, so the journal says when each attempt began and a resumed run knows one was in flight.
  d.emit({ event: 'attempt-started', ...key, attempt: e.attempt + 1 });
  d.effect(execEffect(e.task, key.node, e.attempt + 1, prepared, Math.max(1000, task.deadlineAt - d.now), ps.step));
}

interface Prepared {
  command?: string;
  env?: Record<string, string>;
  display?: string;
  text?: string;
  confirmText?: string;
  typed?: string;
  checklist?: string[];
  builtin?: { name: string; args: Record<string, Scalar | Scalar[]> };
}

/** Renders what a step needs on a node; a template problem comes back as an error to fail the step with. */
function prepare(d: Draft, step: Step, nodeName: string): Prepared | { error: string } {
  const scope = scopeFor(d.s, nodeName);
  try {
    const shown = (text: string) => renderForDisplay(text, scope, 'text');
    const p: Prepared = {};
    if (step.run) {
      p.command = render(step.run, scope, 'shell');
      p.display = renderForDisplay(step.run, scope, 'shell');
      if (step.env) {
        // Values as they are (the command reads them as "$NAME"); shown as assignments before it.
        const env = Object.entries(step.env);
        p.env = Object.fromEntries(env.map(([name, value]) => [name, render(value, scope, 'text')]));
        p.display = `${env.map(([name, value]) => `${name}=${shellQuote(renderForDisplay(value, scope, 'text'))} `).join('')}${p.display}`;
      }
    }
    if (step.text) p.text = shown(step.text);
    if (typeof step.confirm === 'string') p.confirmText = shown(step.confirm);
    else if (typeof step.confirm === 'object') {
      if (step.confirm.text) p.confirmText = shown(step.confirm.text);
      if (step.confirm.typed) p.typed = shown(step.confirm.typed);
    }
    if (step.checklist) p.checklist = step.checklist.map(shown);
    if (step.check) {
      const args: Record<string, Scalar | Scalar[]> = {};
      for (const [k, v] of Object.entries(step.check.with ?? {})) {
        args[k] = Array.isArray(v)
          ? v.map((x) => (typeof x === 'string' ? render(x, scope, 'text') : x))
          : typeof v === 'string'
            ? render(v, scope, 'text')
            : v;
      }
      p.builtin = { name: step.check.builtin, args };
    }
    return p;
  } catch (error) {
    return { error: `cannot prepare the step: ${(error as Error).message}` };
  }
}

/** A step's patterns, worked out once: every node that runs the step searches with the same. */
const patternsByStep = new WeakMap<Step, readonly string[]>();
function stepPatterns(step: Step): readonly string[] {
  let patterns = patternsByStep.get(step);
  if (!patterns) patternsByStep.set(step, (patterns = Object.freeze(patternsOf(step.until ?? step.expect, step.capture))));
  return patterns;
}

function execEffect(task: string, node: string, attempt: number, p: Prepared, timeoutMs: number | undefined, step: Step): ExecEffect {
  const patterns = p.command !== undefined ? stepPatterns(step) : [];
  return {
    type: 'exec',
    task,
    node,
    attempt,
    ...(p.command !== undefined ? { command: p.command } : {}),
    ...(p.env !== undefined ? { env: p.env } : {}),
    ...(p.display !== undefined ? { display: p.display } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(p.builtin ? { builtin: p.builtin } : {}),
    ...(patterns.length > 0 ? { patterns } : {}),
  };
}

const durationOf = (text: string | undefined): number | undefined => (text === undefined ? undefined : parseDuration(text));

/** How long one run of a step's command may take (without until): the step's, the runbook's, or the default. */
export function stepTimeout(runbook: Pick<Runbook, 'step_timeout'>, step: Pick<Step, 'timeout'>): number {
  return durationOf(step.timeout) ?? durationOf(runbook.step_timeout) ?? DEFAULT_STEP_TIMEOUT_MS;
}

function pollLimits(step: Step): { every: number; timeout: number } {
  return { every: durationOf(step.every) ?? DEFAULT_EVERY_MS, timeout: durationOf(step.timeout) ?? DEFAULT_POLL_TIMEOUT_MS };
}

type Key = { section: string; step: string; node: string };

/** Starts a step on a node. Returns true when it finished at once (a note, an acknowledged confirmation). */
function startTask(d: Draft, key: Key, ps: PlanStep, p: Prepared, mode: 'run' | 'verify', by?: string): boolean {
  const step = ps.step;
  const deadline = step.deadline === undefined ? undefined : typeof step.deadline === 'string' ? { after: step.deadline } : step.deadline;
  const deadlineMs = deadline ? parseDuration(deadline.after) : undefined;
  const node = d.node(key.node);
  const newDeadline = deadlineMs !== undefined && node?.deadline?.step !== ps.key;
  d.emit({
    event: 'step-started',
    ...key,
    attempt: 1,
    mode,
    title: d.stepTitle(key.section, key.step, key.node),
    ...(p.display !== undefined ? { command: p.display } : {}),
    ...(p.text !== undefined ? { text: p.text } : {}),
    ...(by !== undefined ? { by } : {}),
    ...(newDeadline
      ? { deadlineAt: d.now + deadlineMs!, ...(deadline?.text ? { deadlineText: showText(deadline.text, scopeFor(d.s, key.node)) } : {}) }
      : {}),
  });
  const task = `${ps.key}@${key.node}`;
  if (newDeadline) d.effect({ type: 'timer', task, attempt: 0, kind: 'deadline', at: d.now + deadlineMs! });
  if (p.command === undefined && p.builtin === undefined) {
    d.emit({
      event: 'step-finished',
      ...key,
      status: 'passed',
      durationMs: 0,
      message: needsConfirmation(step) ? 'acknowledged' : 'noted',
    });
    return true;
  }
  const timeoutMs = step.until ? pollLimits(step).timeout : stepTimeout(d.plan.runbook, step);
  d.effect(execEffect(task, key.node, 1, p, timeoutMs, step));
  return false;
}

type Verdict =
  | { kind: 'pass'; message: string; exit?: number; captures: [string, string][] }
  | { kind: 'again'; message: string; exit?: number }
  | { kind: 'fail'; reason: string; exit?: number; outcomeUnknown?: boolean; details?: string[] };

const FAILURE_TEXT: Record<string, string> = {
  'connection-lost': 'connection lost during the command (outcome unknown)',
  timeout: 'timed out (outcome unknown)',
  aborted: 'stopped before it finished (outcome unknown)',
};

/** What a command's result means for its step. */
function judge(step: Step, e: Extract<InputEvent, { type: 'exec-done' }>, polling: boolean, timeoutMs: number): Verdict {
  const r = e.result;
  const exit = r.exit ?? undefined;
  const withExit = exit !== undefined ? { exit } : {};
  if (r.failure) {
    const detail = r.message ? `: ${clip(r.message, 200)}` : '';
    if (r.failure === 'timeout' && !step.until) {
      return { kind: 'fail', reason: `timed out after ${formatDuration(timeoutMs)} (outcome unknown)`, outcomeUnknown: true };
    }
    // The command never started on a node that may be restarting: a poll tries again.
    if (polling && r.failure === 'connect-failed') return { kind: 'again', message: `cannot connect${detail}` };
    const known = FAILURE_TEXT[r.failure];
    return {
      kind: 'fail',
      reason: known ? `${known}${detail}` : (r.message ?? r.failure),
      outcomeUnknown: known !== undefined,
      ...withExit,
    };
  }
  const gate = step.until ?? step.expect;
  const searched = e.searches ? { ...r, searches: e.searches } : r;
  const outcome = evaluateChecks(gate, searched);
  // A check that cannot be decided (its pattern backtracks) would not be decided by polling either.
  if (!outcome.ok)
    return polling && !outcome.undecided
      ? { kind: 'again', message: outcome.message, ...withExit }
      : { kind: 'fail', reason: outcome.message, ...withExit };
  let message = checkList(gate).length > 0 ? outcome.message : exit !== undefined ? `exit ${exit}` : 'done';
  if (e.builtin) {
    if (!e.builtin.ok) {
      return polling
        ? { kind: 'again', message: e.builtin.message, ...withExit }
        : { kind: 'fail', reason: e.builtin.message, ...withExit, ...(e.builtin.details ? { details: e.builtin.details } : {}) };
    }
    message = e.builtin.message;
  }
  const captures: [string, string][] = [];
  for (const [name, written] of Object.entries(step.capture ?? {})) {
    const spec = captureSpec(written);
    const got = capture(spec.regex, searched);
    if (!got.ok) return { kind: 'fail', reason: `capture ${name}: ${got.message}`, ...withExit };
    // Output is untrusted: a value of the wrong shape stops here instead of reaching later commands.
    const wrong = shapeProblem(spec, got.value);
    if (wrong) return { kind: 'fail', reason: `capture ${name}: ${wrong}; vars.${name} is not set`, ...withExit };
    captures.push([name, got.value]);
  }
  return { kind: 'pass', message, ...withExit, captures };
}

function onExecDone(d: Draft, e: Extract<InputEvent, { type: 'exec-done' }>): void {
  const key = parseTaskKey(e.task);
  if (!key) return;
  const task = d.task(key.node, key.section, key.step);
  if (task.status !== 'running' || task.attempt !== e.attempt) return; // stale: interrupted or already decided
  const ps = d.planStep(key.section, key.step);
  if (!ps) return;
  const step = ps.step;
  const polling = Boolean(step.until) && task.mode === 'run';
  const verdict = judge(step, e, polling, stepTimeout(d.plan.runbook, step));
  const digest = () => {
    if (e.digest) d.emit({ event: 'output', ...key, attempt: e.attempt, ...e.digest });
  };
  if (step.until && task.mode === 'run') {
    d.emit({
      event: 'attempt',
      ...key,
      attempt: e.attempt,
      ok: verdict.kind === 'pass',
      ...(verdict.exit !== undefined ? { exit: verdict.exit } : {}),
      message: verdict.kind === 'fail' ? verdict.reason : verdict.message,
      ...(verdict.kind === 'again' ? nextPoll(d, step, task.startedAt) : {}),
    });
  }
  if (verdict.kind === 'again') {
    const { every, timeout } = pollLimits(step);
    const deadlineAt = task.startedAt + timeout;
    const nextAt = d.now + every;
    if (nextAt > deadlineAt || d.s.phase === 'aborting') {
      digest();
      const why =
        d.s.phase === 'aborting'
          ? 'stopped polling: the run was aborted'
          : `still not true after ${e.attempt} attempt${e.attempt === 1 ? '' : 's'} in ${formatDuration(timeout)}`;
      failTask(
        d,
        key,
        { reason: `${why}: ${verdict.message}`, ...(verdict.exit !== undefined ? { exit: verdict.exit } : {}) },
        task.startedAt,
      );
      return;
    }
    d.effect({ type: 'timer', task: e.task, attempt: e.attempt, kind: 'poll', at: nextAt });
    return;
  }
  digest();
  if (verdict.kind === 'fail') {
    failTask(d, key, verdict, task.startedAt);
    return;
  }
  for (const [name, value] of verdict.captures) d.emit({ event: 'captured', ...key, name, value });
  d.emit({
    event: 'step-finished',
    ...key,
    status: 'passed',
    message: verdict.message,
    durationMs: Math.max(0, d.now - task.startedAt),
    ...(verdict.exit !== undefined ? { exit: verdict.exit } : {}),
    ...(task.mode === 'verify' ? { reason: 'verified again after an interruption' } : {}),
  });
  afterTask(d, key);
}

function nextPoll(d: Draft, step: Step, startedAt: number): { nextAt?: number; deadlineAt?: number } {
  const { every, timeout } = pollLimits(step);
  const nextAt = d.now + every;
  const deadlineAt = startedAt + timeout;
  return nextAt > deadlineAt || d.s.phase === 'aborting' ? {} : { nextAt, deadlineAt };
}

function failTask(
  d: Draft,
  key: Key,
  f: { reason: string; exit?: number; outcomeUnknown?: boolean; details?: string[] },
  startedAt: number,
): void {
  d.emit({
    event: 'step-finished',
    ...key,
    status: 'failed',
    reason: f.reason,
    durationMs: Math.max(0, d.now - startedAt),
    ...(f.exit !== undefined ? { exit: f.exit } : {}),
    ...(f.outcomeUnknown ? { outcomeUnknown: true } : {}),
    ...(f.details ? { details: f.details } : {}),
  });
  onFailure(d, key, f.reason);
}

/** After a failed or refused step: ask the operator when the section can tolerate no more, else leave the node failed. */
function onFailure(d: Draft, key: Key, reason: string): void {
  const i = d.plan.sectionIndex.get(key.section);
  if (i === undefined) return;
  if (d.s.phase === 'aborting') {
    schedule(d);
    return;
  }
  if (d.section(i).failures > d.plan.sections[i]!.maxFailures) {
    d.emit({ event: 'decision-asked', ...key, reason });
  } else {
    d.emit({ event: 'node-finished', section: key.section, node: key.node, status: 'failed' });
  }
  schedule(d);
}

/** After a step settles on a node: move the node on, then the section. */
function afterTask(d: Draft, key: Key): void {
  const i = d.plan.sectionIndex.get(key.section);
  if (i === undefined) return;
  advanceNode(d, i, key.node);
  schedule(d);
}

const blocked = (d: Draft, i: number): boolean => d.section(i).failures > d.plan.sections[i]!.maxFailures;

/** Moves every active node of the current section as far as it can go (after an unblock, a resume, a continue). */
function advanceActive(d: Draft): void {
  const i = d.s.sectionIndex;
  const sec = d.s.sections[i];
  if (!sec || sec.status !== 'running') return;
  for (const name of [...sec.active]) advanceNode(d, i, name);
}

/** Starts the node's next step in the section, or finishes the node there. */
function advanceNode(d: Draft, i: number, name: string): void {
  const ps = d.plan.sections[i]!;
  for (;;) {
    if (d.s.phase === 'finished' || !d.section(i).active.includes(name)) return;
    const node = d.node(name);
    if (!node) return;
    const next = ps.steps.find((s) => !isSettled(node.tasks.get(s.key) ?? pendingTask()));
    if (!next) {
      // Finishing a node starts nothing, so it happens even while the section is stopped.
      d.emit({ event: 'node-finished', section: ps.id, node: name, status: 'passed' });
      return;
    }
    if (d.s.phase !== 'running' || checking(d) || blocked(d, i)) return;
    if ((node.tasks.get(next.key) ?? pendingTask()).status !== 'pending') return; // running, waiting, or for the operator
    const key = { section: ps.id, step: next.id, node: name };
    const step = next.step;
    if (step.when) {
      let holds: boolean;
      try {
        holds = evaluateCondition(step.when, scopeFor(d.s, name));
      } catch (error) {
        failTask(d, key, { reason: `when: ${(error as Error).message}` }, d.now);
        return;
      }
      if (!holds) {
        d.emit({ event: 'step-finished', ...key, status: 'skipped', by: BY_RUNBOOK, reason: `when: ${step.when} is false` });
        continue;
      }
    }
    const p = prepare(d, step, name);
    if ('error' in p) {
      failTask(d, key, { reason: p.error }, d.now);
      return;
    }
    if (needsConfirmation(step)) {
      d.emit({
        event: 'confirmation-asked',
        ...key,
        title: d.stepTitle(key.section, key.step, key.node),
        destructive: Boolean(step.destructive),
        ...(p.display !== undefined ? { command: p.display } : {}),
        ...(p.confirmText !== undefined ? { text: p.confirmText } : p.text !== undefined ? { text: p.text } : {}),
        ...(p.typed !== undefined ? { typed: p.typed } : {}),
        ...(p.checklist !== undefined ? { checklist: p.checklist } : {}),
      });
      return;
    }
    if (!startTask(d, key, next, p, 'run')) return;
  }
}

/** Admits targets into the current section by its strategy, finishes sections, finishes the run. */
function schedule(d: Draft): void {
  for (;;) {
    if (d.s.phase === 'aborting') {
      if (d.s.counters.running === 0) finishRun(d, 'aborted');
      return;
    }
    if (d.s.phase !== 'running' || checking(d)) return;
    const i = d.s.sectionIndex;
    const ps = d.plan.sections[i];
    if (!ps) {
      finishRun(d, d.s.counters.failed + d.s.counters.refused > 0 ? 'failed' : 'passed');
      return;
    }
    const sec = d.section(i);
    const tasks = ps.steps.length * ps.targets.length;
    if (sec.status === 'pending') {
      if (ps.section.when) {
        let holds: boolean;
        try {
          holds = evaluateCondition(ps.section.when, scopeFor(d.s));
        } catch (error) {
          d.emit({ event: 'aborted', by: BY_RUNBOOK, reason: `section ${ps.id}: when: ${(error as Error).message}` });
          continue;
        }
        if (!holds) {
          d.emit({ event: 'section-skipped', section: ps.id, reason: `when: ${ps.section.when} is false`, tasks });
          continue;
        }
      }
      if (ps.targets.length === 0) {
        d.emit({ event: 'section-skipped', section: ps.id, reason: `no node has the role ${ps.roles.join(' or ')}`, tasks: 0 });
        continue;
      }
      const size = batchSize(d, ps);
      if (typeof size === 'string') {
        d.emit({ event: 'aborted', by: BY_RUNBOOK, reason: `section ${ps.id}: ${size}` });
        continue;
      }
      d.emit({ event: 'section-started', section: ps.id, title: showText(ps.title, scopeFor(d.s)), targets: ps.targets.length });
    }
    if (d.section(i).status !== 'running') return;
    admit(d, i);
    const now = d.section(i);
    if (d.s.phase === 'running' && now.active.length === 0 && now.nextTarget >= ps.targets.length) {
      d.emit({
        event: 'section-finished',
        section: ps.id,
        status: now.nodesFailed > 0 || now.failures > 0 ? 'failed' : 'passed',
        passed: now.passed,
        failed: now.failed,
        skipped: now.skipped,
      });
      continue;
    }
    return;
  }
}

/** Lets targets into the section: serial one at a time, parallel up to its concurrency, batches when the last is done. */
function admit(d: Draft, i: number): void {
  const ps = d.plan.sections[i]!;
  for (;;) {
    const sec = d.section(i);
    if (d.s.phase !== 'running' || blocked(d, i) || sec.nextTarget >= ps.targets.length) return;
    const size = batchSize(d, ps);
    const batch = typeof size === 'number' ? size : 1;
    const room =
      ps.strategy.kind === 'serial'
        ? sec.active.length === 0
          ? 1
          : 0
        : ps.strategy.kind === 'parallel'
          ? ps.strategy.concurrency - sec.active.length
          : sec.active.length === 0
            ? batch
            : 0;
    if (room <= 0) return;
    let admitted = 0;
    while (admitted < room && d.section(i).nextTarget < ps.targets.length && !blocked(d, i) && d.s.phase === 'running') {
      const name = ps.targets[d.section(i).nextTarget]!;
      const node = d.node(name);
      if (node?.failedIn) {
        d.emit({
          event: 'node-excluded',
          section: ps.id,
          node: name,
          reason: `it failed in section ${node.failedIn}`,
          tasks: ps.steps.length,
        });
        continue;
      }
      d.emit({ event: 'node-started', section: ps.id, node: name });
      admitted += 1;
      advanceNode(d, i, name);
    }
    if (admitted === 0) return;
  }
}

/** A batch section's size: its number, or its param's value when that is a whole number of at least 1; otherwise why not. */
function batchSize(d: Draft, ps: PlanSection): number | string | undefined {
  if (ps.strategy.kind !== 'batch') return undefined;
  const size = ps.strategy.size;
  if (typeof size === 'number') return size;
  const value = d.s.params[size.param];
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 1
    ? n
    : `the batch size params.${size.param} must be a whole number of at least 1, not ${JSON.stringify(value ?? null)}`;
}

function finishRun(d: Draft, outcome: Outcome): void {
  const t = tallyOfNodes(d.allNodes(), d.s.counters);
  d.emit({
    event: 'run-finished',
    status: outcome,
    passed: t.passed,
    failed: t.failed,
    skipped: t.skipped,
    notRunWhen: t.notRunWhen,
    interrupted: t.interrupted,
    notRun: t.notReached,
    durationMs: d.s.run.startedAt === undefined ? 0 : Math.max(0, d.now - d.s.run.startedAt),
  });
  d.effect({ type: 'done', outcome });
}

// ---- operator actions -------------------------------------------------------------------------

/** A confirmation answered yes: the step starts on its node, unless the section stopped meanwhile. */
function confirmed(d: Draft, key: Key, by: string, group?: string): void {
  d.emit({ event: 'confirmation-answered', ...key, answer: 'yes', by, ...(group !== undefined ? { group } : {}) });
  const i = d.plan.sectionIndex.get(key.section)!;
  const ps = d.planStep(key.section, key.step);
  // Confirmed while the section stopped: it waits, and is asked again when the run goes on.
  if (!ps || d.s.phase !== 'running' || blocked(d, i)) return;
  const p = prepare(d, ps.step, key.node);
  if ('error' in p) {
    failTask(d, key, { reason: p.error }, d.now);
    return;
  }
  if (startTask(d, key, ps, p, 'run', by)) advanceNode(d, i, key.node);
}

/** Why these prompts cannot be confirmed with one answer, or undefined when they can. */
function groupProblem(waiting: readonly Prompt[], ids: readonly string[]): string | undefined {
  if (ids.length === 0) return 'a group confirmation names no prompt';
  if (new Set(ids).size !== ids.length) return 'a group confirmation names a prompt twice';
  const found: Prompt[] = [];
  const gone: string[] = [];
  for (const id of ids) {
    const p = waiting.find((w) => w.id === id);
    if (p && p.kind === 'confirm') found.push(p);
    else gone.push(id);
  }
  // The answer covers exactly what the operator was shown: if part of it is gone, none of it counts.
  if (gone.length > 0) return `no confirmation ${gone.join(', ')} is waiting; nothing was confirmed`;
  const typed = found.filter((p) => p.kind === 'confirm' && p.typed !== undefined);
  if (typed.length > 0)
    return `${typed.map((p) => p.node).join(', ')} must each type their confirmation: a typed confirmation is never answered for a group; nothing was confirmed`;
  const first = found[0]!;
  const other = found.find((p) => p.section !== first.section || p.step !== first.step);
  if (other)
    return `a group confirmation covers one step: ${first.section}/${first.step} and ${other.section}/${other.step} differ; nothing was confirmed`;
  return undefined;
}

/** Why an action cannot be taken now; the runner reports it and nothing changes. */
function reject(d: Draft, action: OperatorAction, message: string): void {
  d.effect({ type: 'rejected', action, message });
}

const DECISIONS_WHILE_CHECKING: ReadonlySet<OperatorAction['type']> = new Set(['abort', 'mark-done', 'skip', 'rerun', 'retry']);

function onAction(d: Draft, action: OperatorAction, by: string): void {
  if (d.s.phase === 'finished' || d.s.phase === 'ready') {
    reject(d, action, d.s.phase === 'ready' ? 'the run has not started' : 'the run is over');
    return;
  }
  // During the pre-flight nothing starts; a decision that only records the operator's choice
  // (a resumed run's interrupted steps are asked about while every node is checked again) is
  // taken, and what it lets run waits for the pre-flight to pass.
  if (checking(d) && !DECISIONS_WHILE_CHECKING.has(action.type)) {
    reject(
      d,
      action,
      'the pre-flight is checking every node first; only abort, or a decision on an interrupted or failed step, is possible until it ends',
    );
    return;
  }
  switch (action.type) {
    case 'confirm':
    case 'refuse': {
      const prompt = d.s.prompts.find((p) => p.id === action.prompt);
      if (!prompt || prompt.kind !== 'confirm') {
        reject(d, action, `no confirmation ${action.prompt} is waiting`);
        return;
      }
      const key = { section: prompt.section, step: prompt.step, node: prompt.node };
      const mismatch = action.type === 'confirm' && prompt.typed !== undefined && (action.typed ?? '').trim() !== prompt.typed;
      if (action.type === 'refuse' || mismatch) {
        const reason = mismatch ? `the typed text did not match "${prompt.typed}"` : action.type === 'refuse' ? action.reason : undefined;
        d.emit({ event: 'confirmation-answered', ...key, answer: 'no', by, ...(reason ? { reason } : {}) });
        d.emit({ event: 'step-finished', ...key, status: 'refused', by, ...(reason ? { reason } : {}) });
        onFailure(d, key, `refused by ${by}${reason ? `: ${reason}` : ''}`);
        return;
      }
      confirmed(d, key, by);
      schedule(d);
      return;
    }
    case 'confirm-group': {
      const problem = groupProblem(d.s.prompts, action.prompts);
      if (problem) {
        reject(d, action, problem);
        return;
      }
      const prompts = action.prompts.map((id) => d.s.prompts.find((p) => p.id === id)!);
      // One answer, one record per node: the report still shows each node confirmed, by whom, and that it was together.
      const group = `${prompts[0]!.section}/${prompts[0]!.step}#${d.s.seq}`;
      for (const p of prompts) confirmed(d, { section: p.section, step: p.step, node: p.node }, by, group);
      schedule(d);
      return;
    }
    case 'retry':
    case 'rerun': {
      const key = parseTaskKey(action.task);
      const task = key && d.task(key.node, key.section, key.step);
      const allowed = action.type === 'retry' ? ['failed', 'refused'] : ['interrupted'];
      if (!key || !task || !allowed.includes(task.status)) {
        reject(d, action, `${action.task} is not ${action.type === 'retry' ? 'failed' : 'interrupted'}`);
        return;
      }
      if (!d.s.sections[d.plan.sectionIndex.get(key.section) ?? -1]?.active.includes(key.node)) {
        reject(d, action, `${key.node} has left section ${key.section}`);
        return;
      }
      d.emit({ event: 'retry', ...key, by, kind: action.type });
      advanceActive(d);
      schedule(d);
      return;
    }
    case 'skip':
    case 'mark-done': {
      const key = parseTaskKey(action.task);
      const task = key && d.task(key.node, key.section, key.step);
      const reason = action.reason.trim();
      if (!reason) {
        reject(d, action, `a reason is required to ${action.type === 'skip' ? 'skip' : 'mark a step done'}`);
        return;
      }
      const allowed = action.type === 'skip' ? ['failed', 'refused', 'interrupted', 'waiting-confirmation'] : ['interrupted'];
      if (!key || !task || !allowed.includes(task.status)) {
        reject(d, action, `${action.task} cannot be ${action.type === 'skip' ? 'skipped' : 'marked done'} now`);
        return;
      }
      if (!d.s.sections[d.plan.sectionIndex.get(key.section) ?? -1]?.active.includes(key.node)) {
        reject(d, action, `${key.node} has left section ${key.section}`);
        return;
      }
      if (action.type === 'skip') d.emit({ event: 'step-finished', ...key, status: 'skipped', by, reason });
      else d.emit({ event: 'step-finished', ...key, status: 'passed', by, reason, message: 'marked done', durationMs: 0 });
      advanceActive(d);
      schedule(d);
      return;
    }
    case 'verify': {
      const key = parseTaskKey(action.task);
      const task = key && d.task(key.node, key.section, key.step);
      const ps = key && d.planStep(key.section, key.step);
      if (!key || !task || !ps || task.status !== 'interrupted') {
        reject(d, action, `${action.task} is not interrupted`);
        return;
      }
      const why = verifyUnavailable(ps.step);
      if (why) {
        reject(d, action, `cannot verify ${action.task}: ${why}`);
        return;
      }
      const p = prepare(d, ps.step, key.node);
      if ('error' in p) {
        failTask(d, key, { reason: p.error }, d.now);
        return;
      }
      startTask(d, key, ps, p, 'verify', by);
      return;
    }
    case 'abort': {
      if (d.s.phase === 'aborting') return;
      d.emit({ event: 'aborted', by, ...(action.reason ? { reason: action.reason } : {}) });
      // Polls stop; commands already running are let finish (a half-run patch script is worse).
      for (const node of activeNodes(d)) {
        for (const [k, task] of node.tasks) {
          if (task.status !== 'polling') continue;
          const [section = '', step = ''] = k.split('/');
          d.emit({
            event: 'interrupted',
            section,
            step,
            node: node.name,
            status: 'interrupted',
            reason: `polling stopped: aborted by ${by}`,
            ...(task.command !== undefined ? { command: task.command } : {}),
          });
        }
      }
      schedule(d);
      return;
    }
    case 'pause':
      if (d.s.phase !== 'running') {
        reject(d, action, 'the run is not running');
        return;
      }
      d.emit({ event: 'paused', by });
      return;
    case 'continue':
      if (d.s.phase !== 'paused') {
        reject(d, action, 'the run is not paused');
        return;
      }
      d.emit({ event: 'continued', by });
      advanceActive(d);
      schedule(d);
      return;
  }
}
