// What the panes show, computed from the run's state: pure functions, cached by identity where
// the reducer shares unchanged objects (a node that did not change is the same NodeState, so its
// derived view is computed once). Nothing here knows DC/OS: a node's "version" and "change" come
// from the generic rules documented in docs/tui.md and below.
import { formatClock, formatDuration } from '../../runbook/duration.js';
import { sectionText, stepText } from '../../engine/display.js';
import { LOCAL, type PlanSection, type PlanStep } from '../../engine/plan.js';
import type { NodeState, Prompt, RunState, SectionState, TaskState } from '../../engine/state.js';
import { taskOf } from '../../engine/state.js';
import type { HealthFact } from '../../diagnostics/health.js';
import { BY_RUNBOOK } from '../../engine/tally.js';
import type { DisplayState } from '../terminal/theme.js';
import { en, type UiWords } from '../../words/words.js';

/** Where a node is in the run's changes: the sections with destructive steps that target it. */
export type ChangeState = 'none' | 'before' | 'changing' | 'changed' | 'failed';

/** Facts about nodes that the run state does not hold: health probes and captured versions. */
export interface NodeFacts {
  health: ReadonlyMap<string, HealthFact>;
  /** Values captured on a node into a var whose name ends in "version". */
  versions: ReadonlyMap<string, string>;
}

export const NO_FACTS: NodeFacts = { health: new Map(), versions: new Map() };

/** A node as the grid shows it; time-dependent text is computed at render time from `now`. */
export interface NodeView {
  name: string;
  address: string;
  role: string;
  state: DisplayState;
  change: ChangeState;
  /** The step it is on or was last on, and that step's task. */
  step?: { key: string; title: string; task: TaskState };
  deadline?: NodeState['deadline'];
  /** Why the pre-flight could not use the node (it then shows as failed; nothing ran on it). */
  preflight?: PreflightFault;
  /** Held: why nothing runs on it now ("waits for your decision on agent-3", "paused"). */
  held?: string;
  /** The words a state filter matches (its state, its change). */
  words: readonly string[];
}

/** A node the pre-flight refused, as shown. */
export interface PreflightFault {
  node: string;
  /** The transport's kind of failure (host-key-unknown, auth-failed...), and in English words. */
  failure: string;
  label: string;
  /** The transport's sentence: what is wrong, with the key's fingerprint, and what to do. */
  message: string;
}

// ---- titles ----------------------------------------------------------------------------------

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

function planStepOf(state: RunState, key: string): PlanStep | undefined {
  const [sectionId = '', stepId = ''] = key.split('/');
  const section = state.plan.sections[state.plan.sectionIndex.get(sectionId) ?? -1];
  return section?.steps[section.stepIndex.get(stepId) ?? -1];
}

const titleCache = new WeakMap<object, Map<string, string>>();

/**
 * A step's title as the run shows it (the engine's rendering: params filled in, secrets masked, a
 * var not captured yet as written), on a node when one is named, on one line; or the step's id.
 */
export function stepTitle(state: RunState, key: string, node?: string): string {
  const source = planStepOf(state, key)?.step.title;
  // Most titles hold no template: the same text on every node, for the whole run.
  const fixed = source === undefined || !source.includes('{{');
  let cache = titleCache.get(state.plan);
  if (fixed) {
    if (!cache) titleCache.set(state.plan, (cache = new Map()));
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
  }
  const [sectionId = '', stepId = ''] = key.split('/');
  const title = oneLine(stepText(state, sectionId, stepId, node)?.title ?? stepId);
  if (fixed) cache!.set(key, title);
  return title;
}

/** Whether a step's shown text may change while the run goes on (it names a var). */
const namesVar = (text: string | undefined): boolean => text !== undefined && text.includes('{{');

// ---- nodes -----------------------------------------------------------------------------------

/** The state a node shows: what its current step is doing, or how its section ended. */
export function nodeDisplayState(node: NodeState): DisplayState {
  switch (node.summary) {
    case 'idle':
      return 'idle';
    case 'pending':
      return 'pending';
    case 'waiting':
      return 'confirm';
    case 'passed':
      return 'passed';
    case 'failed':
      return 'failed';
    case 'skipped':
      return 'skipped';
    case 'interrupted':
      return 'interrupted';
    case 'held':
      return 'held';
    case 'running': {
      const task = node.current ? node.tasks.get(node.current) : undefined;
      if (task?.status === 'polling') return 'polling';
      return 'running';
    }
  }
}

const destructiveSections = new WeakMap<object, PlanSection[]>();

function sectionsWithChanges(state: RunState): PlanSection[] {
  let list = destructiveSections.get(state.plan);
  if (!list) {
    list = state.plan.sections.filter((s) => s.steps.some((p) => p.step.destructive));
    destructiveSections.set(state.plan, list);
  }
  return list;
}

/**
 * The change rule: over the sections that have a destructive step and target the node,
 * `before` until a destructive step has started on it, `changing` while such a section is not
 * finished for it, `changed` once every one of them is (each step passed or skipped, at least one
 * destructive step passed), `failed` when a step of one failed or was refused. `none` for a node
 * no destructive step targets (a bootstrap node, this machine).
 */
export function changeState(state: RunState, node: NodeState): ChangeState {
  let targeted = false;
  let started = false;
  let open = false;
  let changedOne = false;
  for (const section of sectionsWithChanges(state)) {
    if (!section.targetIndex.has(node.name)) continue;
    targeted = true;
    for (const planStep of section.steps) {
      const task = node.tasks.get(planStep.key);
      if (!task || task.status === 'pending' || task.status === 'waiting-confirmation') {
        if (planStep.step.destructive || started) open = true;
        continue;
      }
      if (task.status === 'failed' || task.status === 'refused') {
        if (started || planStep.step.destructive) return 'failed';
        open = true;
        continue;
      }
      if (planStep.step.destructive) {
        started = true;
        if (task.status === 'passed') changedOne = true;
      }
      if (task.status !== 'passed' && task.status !== 'skipped') open = true;
    }
  }
  if (!targeted) return 'none';
  if (!started) return 'before';
  if (open) return 'changing';
  // Every destructive step skipped: nothing changed.
  return changedOne ? 'changed' : 'before';
}

/**
 * Why a held node does not move on: a decision the operator owes on another node of its section,
 * a pause, the run stopping. Nothing runs on it either way.
 */
export function heldReason(state: Pick<RunState, 'phase' | 'prompts'>, node: Pick<NodeState, 'section'>, w: UiWords = en): string {
  if (state.phase === 'paused') return w.heldPaused;
  if (state.phase === 'aborting') return w.heldStopping;
  if (state.phase === 'finished') return w.heldEnded;
  const owed = state.prompts.filter((p) => p.kind !== 'confirm' && p.section === node.section).map((p) => p.node);
  if (owed.length === 0) return w.heldNothing;
  return w.heldWaitsOn(owed[0]!, owed.length - 1);
}

/** For the quit dialog: how many nodes are held, and why the first of them is. */
export function heldInfo(views: readonly NodeView[], w: UiWords = en): { held?: { nodes: number; reason: string } } {
  const held = views.filter((v) => v.state === 'held');
  return held.length === 0 ? {} : { held: { nodes: held.length, reason: held[0]!.held ?? w.heldNothing } };
}

// A node's view is made again when the node changes, when the pre-flight ends (it may have
// refused the node), when a var is captured and its step's title names one, or, for a held
// node, when the prompts or the phase that hold it change.
const viewCache = new WeakMap<
  NodeState,
  {
    view: NodeView;
    vars: RunState['vars'];
    preflight: RunState['preflight'];
    prompts: RunState['prompts'];
    phase: RunState['phase'];
    words: UiWords;
  }
>();

/** The grid's view of a node, cached per NodeState object. */
export function nodeView(state: RunState, node: NodeState, words: UiWords = en): NodeView {
  const hit = viewCache.get(node);
  if (
    hit &&
    hit.words === words &&
    hit.preflight === state.preflight &&
    (hit.view.state !== 'held' || (hit.prompts === state.prompts && hit.phase === state.phase)) &&
    (hit.vars === state.vars || !namesVar(hit.view.step && planStepOf(state, hit.view.step.key)?.step.title))
  )
    return hit.view;
  const target = state.plan.targets.get(node.name);
  const fault = preflightFaults(state).get(node.name);
  // Refused by the pre-flight: failed, though no step ran on it.
  const display = fault ? 'failed' : nodeDisplayState(node);
  const change = changeState(state, node);
  const task = node.current ? node.tasks.get(node.current) : undefined;
  const view: NodeView = {
    name: node.name,
    address: target?.ip ?? target?.address ?? '',
    role: node.name === LOCAL ? 'local' : (node.roles[0] ?? ''),
    state: display,
    change,
    ...(node.current && task ? { step: { key: node.current, title: stepTitle(state, node.current, node.name), task } } : {}),
    ...(node.deadline ? { deadline: node.deadline } : {}),
    ...(fault ? { preflight: fault } : {}),
    ...(display === 'held' ? { held: heldReason(state, node, words) } : {}),
    words: [
      display,
      change,
      ...(display === 'polling' ? ['waiting'] : []),
      ...(display === 'confirm' ? ['waiting', 'confirm'] : []),
      ...(fault ? ['preflight'] : []),
    ],
  };
  viewCache.set(node, { view, vars: state.vars, preflight: state.preflight, prompts: state.prompts, phase: state.phase, words });
  return view;
}

// ---- pre-flight ------------------------------------------------------------------------------

const FAILURE_LABEL: Readonly<Record<string, string>> = {
  'host-key-unknown': 'host key unknown',
  'host-key-changed': 'host key changed',
  'auth-failed': 'login refused',
  'connect-failed': 'unreachable',
  timeout: 'no answer in time',
};

/** A pre-flight failure kind in words. */
export const preflightLabel = (failure: string): string => FAILURE_LABEL[failure] ?? failure.replace(/-/g, ' ');

const faultsCache = new WeakMap<object, ReadonlyMap<string, PreflightFault>>();
const NO_FAULTS: ReadonlyMap<string, PreflightFault> = new Map();

/** The nodes a failed pre-flight refused, by name (none while it runs or once it passed). */
export function preflightFaults(state: RunState): ReadonlyMap<string, PreflightFault> {
  const pf = state.preflight;
  if (!pf || pf.status !== 'failed') return NO_FAULTS;
  let map = faultsCache.get(pf);
  if (!map) {
    map = new Map(
      pf.failures.map((f) => [f.node, { node: f.node, failure: f.failure, label: preflightLabel(f.failure), message: f.message }]),
    );
    faultsCache.set(pf, map);
  }
  return map;
}

/** The pre-flight as the screen shows it: what is checked and since when, or every node it refused. */
export interface PreflightView {
  status: 'running' | 'passed' | 'failed';
  /** Nodes checked. */
  nodes: number;
  /** Time since it started (while it runs). */
  elapsed: string;
  failures: readonly (PreflightFault & { address: string })[];
}

const failuresCache = new WeakMap<object, PreflightView['failures']>();

export function preflightView(state: RunState, now: number): PreflightView | undefined {
  const pf = state.preflight;
  if (!pf) return undefined;
  // The same list while the pre-flight does not change: the report is made again only then.
  let failures = failuresCache.get(pf);
  if (!failures) {
    failures = [...preflightFaults(state).values()].map((f) => {
      const t = state.plan.targets.get(f.node);
      return { ...f, address: t?.ip ?? t?.address ?? '' };
    });
    failuresCache.set(pf, failures);
  }
  return { status: pf.status, nodes: pf.nodes, elapsed: formatClock(Math.max(0, now - pf.startedAt)), failures };
}

/** Every node in plan order (this machine first when a section runs here). */
export function nodeOrder(state: RunState): string[] {
  return [...state.plan.targets.keys()];
}

const versionsCache = new WeakMap<object, { from: string; to: string } | null>();

/** The header's "A -> B" value, read as the versions from and to. */
export function headerVersions(header: Readonly<Record<string, string>>): { from: string; to: string } | undefined {
  const hit = versionsCache.get(header);
  if (hit !== undefined) return hit ?? undefined;
  let found: { from: string; to: string } | null = null;
  for (const value of Object.values(header)) {
    const m = /^\s*(\S+)\s*(?:->|→)\s*(\S+)\s*$/.exec(value);
    if (m) {
      found = { from: m[1]!, to: m[2]! };
      break;
    }
  }
  versionsCache.set(header, found);
  return found ?? undefined;
}

/**
 * The version rule: a value captured on the node into a var whose name ends in "version"
 * wins; otherwise the inventory's `version` var; otherwise, when the runbook's header has a
 * value "A -> B", B once the node's change is done and A before; otherwise nothing.
 */
/**
 * The version a node says it runs in a step's output, failed steps included: the DC/OS node patch
 * script refuses a node with "Version found on node: 1.11.5". The last such line wins.
 */
export function reportedVersion(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /Version found on node:\s*(\S+)/.exec(lines[i]!);
    if (m) return m[1];
  }
  return undefined;
}

export function nodeVersion(state: RunState, view: NodeView, facts: NodeFacts): string {
  const captured = facts.versions.get(view.name);
  if (captured) return captured;
  const versions = headerVersions(state.run.header);
  if (versions && view.change === 'changed') return versions.to;
  const inventory = state.plan.targets.get(view.name)?.vars.version;
  if (inventory) return inventory;
  if (versions && view.change !== 'none') return versions.from;
  return '';
}

// ---- steps -----------------------------------------------------------------------------------

/** One row of the step list: a section, or a step of an expanded section. */
export interface StepRow {
  kind: 'section' | 'step';
  /** Section id, or `section/step`. */
  key: string;
  section: number;
  title: string;
  state: DisplayState;
  /** Counts, a node, time left: short. */
  detail: string;
  why?: string;
  hint?: string;
}

const SECTION_STATE: Readonly<Record<SectionState['status'], DisplayState>> = {
  pending: 'pending',
  running: 'running',
  passed: 'passed',
  failed: 'failed',
  // Only the runbook skips a whole section (its when: is false, or no node has its role).
  skipped: 'not-run',
};

/** A running section in which nothing runs and nothing asks for a confirmation: every node in it is held. */
function sectionHeld(state: RunState, s: SectionState): boolean {
  if (s.active.length === 0) return false;
  return (
    s.active.every((name) => {
      const node = state.nodes.get(name);
      return node !== undefined && node.summary !== 'running' && node.summary !== 'waiting';
    }) && s.active.some((name) => state.nodes.get(name)?.summary === 'held')
  );
}

const excludedFrom = (node: NodeState, section: string): boolean => node.failedIn !== undefined && node.failedIn !== section;

/** How a step stands over the nodes of its section, and what to say about it. */
export function stepAggregate(
  state: RunState,
  section: PlanSection,
  stepKey: string,
  now: number,
  selected?: string,
  w: UiWords = en,
): { state: DisplayState; detail: string } {
  let failed: string | undefined;
  let failedReason = '';
  let interrupted: string | undefined;
  let confirm = 0;
  let running = 0;
  let polling = 0;
  let settled = 0;
  let passed = 0;
  let skipReason: string | undefined;
  let notRunReason: string | undefined;
  let lastDuration: number | undefined;
  let rep: { node: string; task: TaskState } | undefined;
  const consider = (node: string, task: TaskState) => {
    if (!rep || node === selected) rep = { node, task };
  };
  for (const name of section.targets) {
    const node = state.nodes.get(name);
    const task = node?.tasks.get(stepKey);
    if (!node || !task) {
      if (node && excludedFrom(node, section.id)) settled += 1;
      continue;
    }
    switch (task.status) {
      case 'failed':
      case 'refused':
        if (failed === undefined || name === selected) {
          failed = name;
          failedReason = task.status === 'failed' ? w.reason(task.reason) : w.refusedBy(task.by);
        }
        break;
      case 'interrupted':
        interrupted ??= name;
        break;
      case 'waiting-confirmation':
        confirm += 1;
        break;
      case 'running':
        running += 1;
        consider(name, task);
        break;
      case 'polling':
        polling += 1;
        if (running === 0) consider(name, task);
        break;
      case 'passed':
        passed += 1;
        settled += 1;
        lastDuration = task.durationMs;
        break;
      case 'skipped':
        settled += 1;
        if (task.by === BY_RUNBOOK) notRunReason ??= task.reason;
        else skipReason ??= task.reason;
        break;
      default:
        break;
    }
  }
  const total = section.targets.length;
  const many = total > 1;
  const ofTotal = many ? `${settled}/${total}` : '';
  if (failed !== undefined) return { state: 'failed', detail: many ? `${failed}: ${failedReason}` : failedReason };
  if (interrupted !== undefined)
    return { state: 'interrupted', detail: many ? `${interrupted} ${w.state('interrupted')}` : w.state('interrupted') };
  if (confirm > 0) return { state: 'confirm', detail: w.nWaiting(confirm) };
  if (running > 0 || polling > 0) {
    const task = rep?.task;
    const who = many && rep ? `${rep.node} ` : '';
    if (running > 0 && task?.status === 'running') {
      const extra = running > 1 ? ` +${running - 1}` : '';
      return { state: 'running', detail: `${who}${formatClock(Math.max(0, now - task.startedAt))}${extra}` };
    }
    if (task?.status === 'polling') {
      const left = Math.max(0, task.deadlineAt - now);
      const extra = polling > 1 ? ` +${polling - 1}` : '';
      return { state: 'polling', detail: `${who}#${task.attempt} ${w.left(formatClock(left))}${extra}` };
    }
    return { state: running > 0 ? 'running' : 'polling', detail: ofTotal };
  }
  if (total > 0 && settled >= total) {
    if (passed === 0 && skipReason === undefined)
      return { state: 'not-run', detail: notRunReason ? w.notRunWhy(w.reason(notRunReason)) : w.state('not-run') };
    if (passed === 0) return { state: 'skipped', detail: w.skippedWhy(w.reason(skipReason ?? '')) };
    return { state: 'passed', detail: many ? ofTotal : lastDuration !== undefined ? formatDuration(lastDuration) : '' };
  }
  // Part of the nodes done: the selected node's own state says more than "pending" (in a serial
  // section, the node being patched has passed the steps above the current one).
  const own = selected !== undefined && section.targetIndex.has(selected) ? state.nodes.get(selected)?.tasks.get(stepKey) : undefined;
  if (settled > 0 && (own?.status === 'passed' || own?.status === 'skipped'))
    return { state: own.status === 'skipped' && own.by === BY_RUNBOOK ? 'not-run' : own.status, detail: ofTotal };
  return { state: 'pending', detail: settled > 0 ? ofTotal : '' };
}

/**
 * The step list: every section; the steps of the expanded ones (the current section and the one
 * holding the cursor, by the caller's choice).
 */
export function stepRows(state: RunState, expanded: ReadonlySet<string>, now: number, selectedNode?: string, w: UiWords = en): StepRow[] {
  const rows: StepRow[] = [];
  state.plan.sections.forEach((section, index) => {
    const s = state.sections[index];
    const status = s?.status ?? 'pending';
    const targets = section.targets.length;
    const doneNodes = s ? s.nodesDone + s.nodesExcluded : 0;
    let detail = '';
    if (status === 'skipped') detail = s?.reason ? w.notRunWhy(w.reason(s.reason)) : w.state('not-run');
    else if (targets > 1 || status === 'running') detail = `${doneNodes}/${targets}`;
    if (s && s.nodesFailed > 0) detail += w.nFailed(s.nodesFailed);
    // The title the engine shows (filled in when the section started, or since a var came).
    const text = section.section.why !== undefined ? sectionText(state, section.id) : undefined;
    rows.push({
      kind: 'section',
      key: section.id,
      section: index,
      title: oneLine(s?.title ?? section.title),
      state: status === 'running' && s && sectionHeld(state, s) ? 'held' : SECTION_STATE[status],
      detail,
      ...(text?.why ? { why: oneLine(text.why) } : {}),
    });
    if (!expanded.has(section.id)) return;
    const node = textNode(section, selectedNode);
    for (const planStep of section.steps) {
      const agg = stepAggregate(state, section, planStep.key, now, selectedNode, w);
      const step = planStep.step;
      const shown = step.why !== undefined || step.hint !== undefined ? stepText(state, section.id, planStep.id, node) : undefined;
      rows.push({
        kind: 'step',
        key: planStep.key,
        section: index,
        title: stepTitle(state, planStep.key, node),
        state: agg.state,
        detail: agg.detail,
        ...(shown?.why ? { why: oneLine(shown.why) } : {}),
        // A hint says what to look at when the step ran and failed; a refused step never ran.
        ...(shown?.hint && !(node !== undefined && taskOf(state, section.id, planStep.id, node).status === 'refused')
          ? { hint: oneLine(shown.hint) }
          : {}),
      });
    }
  });
  return rows;
}

/**
 * The node whose values fill in a section's step texts in the list: its only target, or the
 * selected node when the section runs on it; otherwise none ({{node.name}} shows as written).
 */
function textNode(section: PlanSection, selected: string | undefined): string | undefined {
  if (section.targets.length === 1) return section.targets[0];
  return selected !== undefined && section.targetIndex.has(selected) ? selected : undefined;
}

/** A step's why and hint as shown on a node, on one line each (the confirmation explains with them). */
export function stepWhy(state: RunState, section: string, step: string, node?: string): { why?: string; hint?: string } {
  const t = stepText(state, section, step, node);
  return { ...(t?.why ? { why: oneLine(t.why) } : {}), ...(t?.hint ? { hint: oneLine(t.hint) } : {}) };
}

// ---- header and prompts ----------------------------------------------------------------------

export interface HeaderView {
  title: string;
  /** The runbook's header fields, as written ("patch 1.11.1 -> 1.11.2"). */
  fields: { name: string; value: string }[];
  step: string;
  /** The step n of N that `step` says, for words in another language. */
  current: number;
  total: number;
  elapsed: string;
  target: string;
  phase: RunState['phase'];
  outcome?: RunState['outcome'];
  /** The pre-flight is checking the nodes (nothing has run yet). */
  preflight?: boolean;
}

export function headerView(state: RunState, now: number, target: string): HeaderView {
  const c = state.counters;
  const current = state.phase === 'finished' || c.done >= c.total ? c.done : c.done + 1;
  const started = state.run.startedAt;
  const end = state.run.finishedAt ?? now;
  return {
    title: state.run.title,
    fields: Object.entries(state.run.header).map(([name, value]) => ({ name, value })),
    step: `step ${Math.min(current, c.total)}/${c.total}`,
    current: Math.min(current, c.total),
    total: c.total,
    elapsed: formatClock(started === undefined ? 0 : Math.max(0, end - started)),
    target,
    phase: state.phase,
    ...(state.outcome ? { outcome: state.outcome } : {}),
    ...(state.preflight?.status === 'running' && state.phase !== 'finished' ? { preflight: true } : {}),
  };
}

/** What the run is doing while nothing is asked: the step running, where, for how long, its gate and deadline. */
export interface Activity {
  /** The step's title as shown (on the first of its nodes). */
  title: string;
  /** The nodes on that step now, in plan order. */
  nodes: string[];
  /** Since the step started on the first of them. */
  elapsedMs: number;
  /** A gate between attempts: the attempt made, and when the next one is. */
  gate?: { attempt: number; nextInMs: number };
  /** The nearest countdown among those nodes, when one runs. */
  deadlineMs?: number;
  /** Nodes busy with other steps. */
  others: number;
}

/** The step most nodes are busy with (the first in plan order on a tie), or undefined when none runs. */
export function runActivity(state: RunState, now: number): Activity | undefined {
  const byStep = new Map<string, string[]>();
  let busy = 0;
  for (const node of state.nodes.values()) {
    const task = node.current ? node.tasks.get(node.current) : undefined;
    if (!node.current || (task?.status !== 'running' && task?.status !== 'polling')) continue;
    busy += 1;
    const list = byStep.get(node.current) ?? [];
    list.push(node.name);
    byStep.set(node.current, list);
  }
  let key: string | undefined;
  for (const [k, list] of byStep) if (key === undefined || list.length > byStep.get(key)!.length) key = k;
  if (key === undefined) return undefined;
  const nodes = byStep.get(key)!;
  let started = Infinity;
  let gate: Activity['gate'];
  let deadline: number | undefined;
  for (const name of nodes) {
    const node = state.nodes.get(name)!;
    const task = node.tasks.get(key)!;
    if (task.status !== 'running' && task.status !== 'polling') continue;
    started = Math.min(started, task.startedAt);
    if (task.status === 'polling' && (!gate || task.nextAt - now < gate.nextInMs))
      gate = { attempt: task.attempt, nextInMs: Math.max(0, task.nextAt - now) };
    if (node.deadline && !node.deadline.passed) deadline = Math.min(deadline ?? Infinity, node.deadline.at - now);
  }
  return {
    title: stepTitle(state, key, nodes[0]),
    nodes,
    elapsedMs: Math.max(0, now - started),
    ...(gate ? { gate } : {}),
    ...(deadline !== undefined ? { deadlineMs: deadline } : {}),
    others: busy - nodes.length,
  };
}

/** The prompt the operator answers first: the oldest. */
export function activePrompt(state: RunState): Prompt | undefined {
  let first: Prompt | undefined;
  for (const p of state.prompts) if (!first || p.askedAt < first.askedAt) first = p;
  return first;
}

/** Nodes whose command is running now (for the quit dialog), with the command. */
export function runningCommands(state: RunState): { node: string; key: string; command?: string; startedAt: number }[] {
  const out: { node: string; key: string; command?: string; startedAt: number }[] = [];
  for (const node of state.nodes.values()) {
    for (const [key, task] of node.tasks) {
      if (task.status === 'running')
        out.push({ node: node.name, key, ...(task.command !== undefined ? { command: task.command } : {}), startedAt: task.startedAt });
      else if (task.status === 'polling')
        out.push({ node: node.name, key, ...(task.command !== undefined ? { command: task.command } : {}), startedAt: task.startedAt });
    }
  }
  return out;
}

/** The column of a table a step's gate reads (`until` or `expect` with `column:`): the output pane keeps it in sight. */
export function gateColumn(state: RunState, section: string, step: string): string | undefined {
  const ps = state.plan.sections[state.plan.sectionIndex.get(section) ?? -1];
  const st = ps?.steps[ps.stepIndex.get(step) ?? -1]?.step;
  for (const checks of [st?.until, st?.expect]) {
    for (const c of Array.isArray(checks) ? checks : checks ? [checks] : []) if ('column' in c) return c.column;
  }
  return undefined;
}
