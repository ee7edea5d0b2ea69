// The run as data. Everything a view needs is here, in a form it can read without computing:
// each step on each node, each node's summary for the grid, the prompts waiting for the
// operator, counters and the header. The reducer replaces what changes and shares the rest, so a
// view can compare by identity (a node that did not change is the same object).
import type { Scalar } from '../runbook/schema.js';
import type { Outcome, PreflightFailure, RunInventory } from './events.js';
import { renderHeader, showText } from './show-text.js';
import { NodeMap } from './node-map.js';
import type { Plan } from './plan.js';

/** One step on one node. Each status carries only what it has. */
export type TaskState =
  | { status: 'pending' }
  | { status: 'waiting-confirmation'; prompt: string; askedAt: number }
  | { status: 'running'; startedAt: number; attempt: number; mode: 'run' | 'verify'; command?: string }
  | { status: 'polling'; startedAt: number; attempt: number; nextAt: number; deadlineAt: number; last: string; command?: string }
  | { status: 'passed'; exit?: number; durationMs: number; message?: string; by?: string; reason?: string }
  | { status: 'failed'; reason: string; exit?: number; outcomeUnknown?: boolean; durationMs?: number }
  | { status: 'skipped'; reason: string; by: string }
  | { status: 'interrupted'; startedAt: number; command?: string }
  | { status: 'refused'; by: string; reason?: string };

export type TaskStatus = TaskState['status'];

/** What an attempt printed, as the journal keeps it (its `output` record): counts, hash, last lines. */
export interface AttemptOutput {
  lines: number;
  bytes: number;
  sha256: string;
  /** The last lines, secrets redacted. */
  tail: readonly string[];
  truncated?: boolean;
}

interface AttemptBase {
  /** 1 for the first start of the step on the node, then one more for each retry, rerun or verify, across resumes. */
  number: number;
  mode: 'run' | 'verify';
  startedAt: number;
  command?: string;
  by?: string;
  output?: AttemptOutput;
}

/**
 * One start of a step on a node and how it ended. A step's attempts stay when it is retried,
 * skipped after a failure or resumed: the history of what ran is never replaced by its last word.
 */
export type Attempt =
  | (AttemptBase & { status: 'running' })
  | (AttemptBase & { status: 'passed'; endedAt: number; exit?: number; message?: string })
  | (AttemptBase & { status: 'failed'; endedAt: number; exit?: number; reason: string })
  | (AttemptBase & { status: 'interrupted'; endedAt: number; reason: string });

const NO_ATTEMPTS: readonly Attempt[] = Object.freeze([]);

const PENDING: TaskState = Object.freeze({ status: 'pending' });
export const pendingTask = (): TaskState => PENDING;

/** True when the step needs nothing more on that node (it counts as done). */
export const isSettled = (t: TaskState): boolean => t.status === 'passed' || t.status === 'skipped';
/** True while a command of the step runs or is between poll attempts. */
export const isActive = (t: TaskState): boolean => t.status === 'running' || t.status === 'polling';

/**
 * A node at a glance, for the grid. `held`: in its section, its last step settled and nothing runs
 * on it, because the run does not move it on now (a decision on another node, a pause, an abort).
 */
export type NodeSummary = 'idle' | 'pending' | 'running' | 'held' | 'waiting' | 'passed' | 'failed' | 'skipped' | 'interrupted';

/** A countdown shown next to a node (e.g. an agent's 5 minutes before Mesos expires it). */
export interface Deadline {
  /** The step key (`section/step`) that started it. */
  step: string;
  startedAt: number;
  at: number;
  text?: string;
  passed: boolean;
}

export interface NodeState {
  name: string;
  roles: readonly string[];
  summary: NodeSummary;
  /** The section the node is in (or was last in). */
  section?: string;
  /** The step key (`section/step`) it is on or was last on. */
  current?: string;
  /** Each step it has met, by `section/step`; absent means pending. */
  tasks: ReadonlyMap<string, TaskState>;
  /** Each start of a step on the node, by `section/step`, oldest first; absent means never started. */
  attempts?: ReadonlyMap<string, readonly Attempt[]>;
  deadline?: Deadline;
  /** The section in which the node failed and stopped; later sections leave it out. */
  failedIn?: string;
}

export type SectionStatus = 'pending' | 'running' | 'passed' | 'failed' | 'skipped';

export interface SectionState {
  id: string;
  /** Filled in for display when the section starts (before, a var it names shows as written). */
  title: string;
  status: SectionStatus;
  /** Why it was skipped. */
  reason?: string;
  /** Targets still to admit start at this index of the plan's targets. */
  nextTarget: number;
  /** Nodes admitted and not finished, in admission order. */
  active: readonly string[];
  /** Nodes that finished the section, and how many of them failed. */
  nodesDone: number;
  nodesFailed: number;
  /** Nodes excluded because they failed in an earlier section. */
  nodesExcluded: number;
  /** Steps in this section by status. */
  passed: number;
  failed: number;
  skipped: number;
  /** failed or refused steps now (what max_failures counts). */
  failures: number;
  startedAt?: number;
}

interface PromptBase {
  /** Stable: `${kind}:${task}`. */
  id: string;
  task: string;
  section: string;
  step: string;
  node: string;
  title: string;
  askedAt: number;
}

/** A question for the operator, as data: the UI and plain mode both render it. */
export type Prompt =
  | (PromptBase & {
      kind: 'confirm';
      /** The command exactly as it will run, secrets masked. */
      command?: string;
      text?: string;
      /** The text the operator must type to confirm. */
      typed?: string;
      destructive: boolean;
      checklist?: string[];
    })
  | (PromptBase & { kind: 'failure'; reason: string; choices: readonly ('retry' | 'skip' | 'abort')[] })
  | (PromptBase & {
      kind: 'interrupted';
      command?: string;
      choices: readonly ('verify' | 'rerun' | 'mark-done' | 'skip' | 'abort')[];
      /** Why verify is not offered, when it is not. */
      verifyUnavailable?: string;
    });

/** A confirmation waiting for the operator. */
export type ConfirmPrompt = Extract<Prompt, { kind: 'confirm' }>;

/** Confirmations of one step waiting on several nodes, which one answer may cover. */
export interface ConfirmGroup {
  section: string;
  step: string;
  /** Every one of them, in the order they were asked; the one asked about included. */
  prompts: readonly ConfirmPrompt[];
  /** The command, when it is the same on every node; otherwise each prompt shows its own. */
  command?: string;
  /** Whether every node runs the same command (or none runs one). */
  sameCommand: boolean;
}

/**
 * The confirmations a prompt may be answered together with: those of the same step on other
 * nodes. Undefined when the prompt is alone, is no confirmation, or is typed (each node types
 * its own); typed ones are never in a group.
 */
export function confirmGroup(state: Pick<RunState, 'prompts'>, promptId: string): ConfirmGroup | undefined {
  const asked = state.prompts.find((p) => p.id === promptId);
  if (!asked || asked.kind !== 'confirm' || asked.typed !== undefined) return undefined;
  const prompts = state.prompts.filter(
    (p): p is ConfirmPrompt => p.kind === 'confirm' && p.typed === undefined && p.section === asked.section && p.step === asked.step,
  );
  if (prompts.length < 2) return undefined;
  const sameCommand = prompts.every((p) => p.command === asked.command);
  return {
    section: asked.section,
    step: asked.step,
    prompts,
    ...(sameCommand && asked.command !== undefined ? { command: asked.command } : {}),
    sameCommand,
  };
}

/** Steps by status, over the whole run. done = passed + failed + skipped + refused. */
export interface Counters {
  total: number;
  done: number;
  passed: number;
  failed: number;
  skipped: number;
  refused: number;
  interrupted: number;
  running: number;
}

export type Phase = 'ready' | 'running' | 'paused' | 'aborting' | 'finished';

export interface RunInfo {
  id: string;
  runbookId: string;
  title: string;
  file: string;
  digest: string;
  inventory?: RunInventory;
  by: string;
  startedAt?: number;
  finishedAt?: number;
  /** The runbook's `header:` fields, filled in for display (e.g. from/to versions); a var shows once captured. */
  header: Readonly<Record<string, string>>;
  /** The clock ran this many times faster than real time (training on the simulator). */
  timeScale?: number;
}

/** The connection check before the first step: running, or how it ended. */
export interface PreflightState {
  status: 'running' | 'passed' | 'failed';
  /** Nodes checked. */
  nodes: number;
  startedAt: number;
  /** Every node that cannot be used, in inventory order. */
  failures: readonly PreflightFailure[];
}

export interface RunState {
  readonly run: RunInfo;
  /** Absent until a pre-flight starts (never for runs on this machine or the fake transports of tests). */
  readonly preflight?: PreflightState;
  readonly plan: Plan;
  /** Real values, secrets included: never journalled or shown (use the display helpers). */
  readonly params: Readonly<Record<string, Scalar | undefined>>;
  readonly secrets: ReadonlySet<string>;
  readonly vars: Readonly<Record<string, string>>;
  readonly phase: Phase;
  readonly outcome?: Outcome;
  readonly sectionIndex: number;
  readonly sections: readonly SectionState[];
  /** In inventory order; a persistent map (see node-map.ts), read it as a ReadonlyMap. */
  readonly nodes: ReadonlyMap<string, NodeState>;
  readonly prompts: readonly Prompt[];
  readonly counters: Counters;
  /** Bumped when new output lines arrive (the lines live in the runner's output store). */
  readonly outputVersion: number;
  /** Records applied so far. */
  readonly seq: number;
  /** Clock time of the last event. */
  readonly now: number;
}

export interface InitialState {
  plan: Plan;
  runId: string;
  file: string;
  digest: string;
  inventory?: RunInfo['inventory'];
  params: Record<string, Scalar | undefined>;
  secrets?: Iterable<string>;
  by: string;
  /** Header fields as shown; default: the runbook's `header:`, filled in from the params. */
  header?: Record<string, string>;
  timeScale?: number;
}

/** The state of a run that has not started (or is about to be replayed from its journal). */
export function createRunState(init: InitialState): RunState {
  const scope = { params: init.params, vars: {}, run: { id: init.runId }, secrets: new Set(init.secrets ?? []) };
  const nodes = NodeMap.from(
    [...init.plan.targets].map(([name, node]): [string, NodeState] => [
      name,
      { name, roles: node.roles, summary: 'idle', tasks: new Map() },
    ]),
  );
  return {
    run: {
      id: init.runId,
      runbookId: init.plan.runbook.id,
      title: init.plan.runbook.title,
      file: init.file,
      digest: init.digest,
      ...(init.inventory ? { inventory: init.inventory } : {}),
      by: init.by,
      header: init.header ?? renderHeader(init.plan.runbook.header, scope),
      ...(init.timeScale !== undefined ? { timeScale: init.timeScale } : {}),
    },
    plan: init.plan,
    params: init.params,
    secrets: scope.secrets,
    vars: {},
    phase: 'ready',
    sectionIndex: 0,
    sections: init.plan.sections.map((s) => ({
      id: s.id,
      title: showText(s.title, scope),
      status: 'pending',
      nextTarget: 0,
      active: [],
      nodesDone: 0,
      nodesFailed: 0,
      nodesExcluded: 0,
      passed: 0,
      failed: 0,
      skipped: 0,
      failures: 0,
    })),
    nodes,
    prompts: [],
    counters: { total: init.plan.total, done: 0, passed: 0, failed: 0, skipped: 0, refused: 0, interrupted: 0, running: 0 },
    outputVersion: 0,
    seq: 0,
    now: 0,
  };
}

/** A step on a node, pending when it never started. */
export function taskOf(state: RunState, section: string, step: string, node: string): TaskState {
  return state.nodes.get(node)?.tasks.get(`${section}/${step}`) ?? PENDING;
}

/** Every attempt of a step on a node, oldest first (none when it never started). */
export function attemptsOf(state: Pick<RunState, 'nodes'>, section: string, step: string, node: string): readonly Attempt[] {
  return state.nodes.get(node)?.attempts?.get(`${section}/${step}`) ?? NO_ATTEMPTS;
}

/** The current section's state, if the run is inside one. */
export const currentSection = (state: RunState): SectionState | undefined => state.sections[state.sectionIndex];
