// The screen as a pure function of what it shows: screenModel(run, ui, facts, size) gives every
// pane's props, the layout and the reducer's context, from the run's state, the screen's own
// state (ui-state.ts), the facts the run state does not hold (health, versions, the
// troubleshooting command) and the terminal's size. It reads nothing else and changes nothing:
// App renders what it returns, and tests call it with tables.
//
// Memoisation is by comparing results, not by lists of dependencies: a list (node views, step
// rows, output lines) equal item by item to the one given last time is handed on as that same
// array, so the pane's props compare equal one by one (usePane) and its rows are not made again.
import type { StoredLine } from '../../engine/output.js';
import { confirmGroup, type ConfirmGroup, type NodeState, type Prompt, type RunState } from '../../engine/state.js';
import type { OutputLine } from '../../transport/types.js';
import type { HealthFact } from '../../diagnostics/health.js';
import { probedRoles } from '../../diagnostics/health.js';
import { suggestedCommand, troubleshootCommands, type TroubleshootView } from '../../diagnostics/troubleshoot.js';
import { briefingText, quitText, reasonText, resumeCommand, type ConfirmInfo } from '../panes/dialogs.js';
import { stepOutput } from '../panes/attempt-output.js';
import { tallyOfState } from '../../engine/tally.js';
import { deadlineCountdown, filterNodes } from '../panes/grid.js';
import { helpRows } from '../panes/help-overlay.js';
import { preflightRows } from '../panes/preflight-pane.js';
import type { Theme } from '../terminal/theme.js';
import type { UiWords } from '../../words/words.js';
import { dialogLayout } from './dialog-layout.js';
import type { ScreenProps } from './Screen.js';
import { activeMode, groupKey, type UiContext, type UiState } from './ui-state.js';
import { lineHint, toggledScroll, viewLines, type LineSource, type LineView, type LineViewOptions } from '../panes/line-view.js';
import { explanationOf } from '../panes/step-list.js';
import {
  activePrompt,
  gateColumn,
  headerView,
  heldInfo,
  nodeVersion,
  nodeView,
  preflightView,
  runActivity,
  runningCommands,
  stepRows,
  stepWhy,
  type NodeFacts,
  type NodeView,
} from './view-model.js';

/** How long a message stays on the status line. */
export const MESSAGE_MS = 5000;

/** The run as the screen reads it. */
export interface ScreenRun {
  state: RunState;
  /** The run's clock (scaled for the simulator): countdowns and elapsed time. */
  now: number;
  /** The wall clock: how old a message is. */
  wall: number;
  /** The header's target: the cluster's name, or sim:<scenario>. */
  target: string;
  training: boolean;
  inTmux: boolean;
  /** The UI's own words, in the run's language. */
  words: UiWords;
  /** A training's briefing, in a dialog at start until enter acknowledges it; and its title (resumed: where it goes on). */
  briefing?: string;
  briefingTitle?: string;
  /** A watcher's screen: what a key that would act on the run says instead. */
  readOnly?: string;
  /** The lines a node's task printed (the runner's output store). */
  output: (node: string, task: string) => readonly StoredLine[];
  /** The last thing the controller had to say (a rejected action, a tmux error). */
  notice?: { text: string; error: boolean; at: number };
  /** When (wall clock) the run's phase or its pre-flight last changed: an error said before is about what was. */
  situationAt: number;
}

/** Facts about nodes that the run state does not hold, with versions that change with them. */
export interface ScreenFacts {
  health: ReadonlyMap<string, HealthFact>;
  healthVersion: number;
  versions: ReadonlyMap<string, string>;
  versionsVersion: number;
  troubleshoot: TroubleshootView;
}

/** The terminal the screen is drawn on: its size and look. */
export interface ScreenTerminal {
  columns: number;
  rows: number;
  theme: Theme;
  /** The spinner glyph: the mark the screen writer animates, or a frozen frame in tests. */
  spinner: string;
}

export interface ScreenModel {
  props: ScreenProps;
  /** What the reducer reads of the screen, for the next key. */
  ctx: UiContext;
  /** The nodes listed with the confirmation for `a` (groupKey), when they are. */
  listed?: string;
}

/** Steps whose command will print nothing more. */
const ENDED: ReadonlySet<string> = new Set(['passed', 'failed', 'skipped', 'refused', 'interrupted']);
const NONE: readonly never[] = [];

/** What screenModel keeps from one call to the next so that unchanged lists stay the same arrays. */
export interface ScreenMemo {
  lists: Map<string, readonly unknown[]>;
  facts?: { run: RunState['run']; plan: RunState['plan']; health: number; versions: number; value: (v: NodeView) => string };
  plan?: { plan: RunState['plan']; probed: ReadonlySet<string>; roleTitles: Readonly<Record<string, string>> };
  output?: { node: string; task: string; version: number; attempts: unknown; lines: readonly OutputLine[] };
  /** A pane's view of its lines (wrapping reads every line kept) with what it was made from. */
  views: Map<string, { source: LineSource; version: number; options: LineViewOptions; view: LineView }>;
}

export const screenMemo = (): ScreenMemo => ({ lists: new Map(), views: new Map() });

/** `next`, or the array given last time under `name` when it holds the same items in the same order. */
function same<T>(memo: ScreenMemo, name: string, next: readonly T[]): readonly T[] {
  const last = memo.lists.get(name) as readonly T[] | undefined;
  if (last && last.length === next.length && last.every((x, i) => Object.is(x, next[i]))) return last;
  memo.lists.set(name, next);
  return next;
}

/** The confirmation asked first. */
export function oldestConfirm(state: RunState): Extract<Prompt, { kind: 'confirm' }> | undefined {
  let first: Extract<Prompt, { kind: 'confirm' }> | undefined;
  for (const p of state.prompts) if (p.kind === 'confirm' && (!first || p.askedAt < first.askedAt)) first = p;
  return first;
}

/** A prompt's identity as asked: the same step asked again is a new question. */
export const promptKey = (p: Prompt): string => `${p.id}#${p.askedAt}`;

export function screenModel(
  run: ScreenRun,
  ui: UiState,
  facts: ScreenFacts,
  size: ScreenTerminal,
  memo: ScreenMemo = screenMemo(),
): ScreenModel {
  const { state, now, words } = run;
  const { theme, columns } = size;

  // ---- what is asked of the operator ----
  const confirm = oldestConfirm(state);
  // Other nodes waiting on the same step, which `a` may confirm with it.
  const group = confirm ? confirmGroup(state, confirm.id) : undefined;

  // ---- nodes, and the pre-flight: while it checks the nodes, and the nodes it refused ----
  const views = same(
    memo,
    'views',
    [...state.nodes.values()].map((n) => nodeView(state, n, words)),
  );
  const preflight = preflightView(state, now);
  const refused = preflight?.status === 'failed' ? preflight.failures : NONE;
  const report =
    preflight !== undefined && (preflight.status === 'running' || refused.length > 0)
      ? preflightRows(preflight, columns, theme, words)
      : undefined;

  const autoNode =
    confirm?.node ??
    activePrompt(state)?.node ??
    refused[0]?.node ??
    views.find((v) => v.state === 'running' || v.state === 'polling')?.name;
  const selectedNode = (ui.nodePinned ? ui.selectedNode : (autoNode ?? ui.selectedNode)) ?? views[0]?.name;
  const decisions = state.prompts.filter((p): p is Extract<Prompt, { kind: 'failure' | 'interrupted' }> => p.kind !== 'confirm');
  const decision = decisions.find((p) => p.node === selectedNode) ?? decisions.sort((a, b) => a.askedAt - b.askedAt)[0];

  // ---- steps ----
  const current = state.sections[state.sectionIndex]?.id;
  const [cursorSection] = (ui.stepPinned ? (ui.stepCursor ?? '') : '').split('/');
  const expanded = new Set([current, cursorSection].filter((s): s is string => Boolean(s)));
  const rows = stepRows(state, expanded, now, selectedNode, words);
  const inCurrent = rows.filter((r) => r.kind === 'step' && r.key.startsWith(`${current}/`));
  const busy =
    inCurrent.find((r) => r.state !== 'passed' && r.state !== 'skipped' && r.state !== 'pending') ??
    inCurrent.find((r) => r.state === 'pending');
  const cursor = ui.stepPinned ? ui.stepCursor : (busy?.key ?? current ?? rows[0]?.key);
  // In training, e shows the selected step's explanation whole, in the output pane's place.
  const cursorRow = ui.explain && run.training ? rows.find((r) => r.key === cursor) : undefined;
  const explainText = cursorRow ? explanationOf(cursorRow) : undefined;
  const explained = cursorRow && explainText ? { step: cursorRow.title, text: explainText } : undefined;

  // ---- the dialog on screen, and the layout around it ----
  const quit = ui.quit
    ? quitText(
        {
          running: runningCommands(state),
          now,
          phase: state.phase,
          ...heldInfo(views, words),
          training: run.training,
          runId: state.run.id,
          words,
        },
        columns,
        theme,
      )
    : undefined;
  const reason =
    ui.input?.kind === 'reason' ? reasonText(ui.input.purpose, ui.input.task, ui.input.text, theme, columns, words) : undefined;
  const confirmInfo = confirm ? confirmInfoOf(state, confirm, group, ui, run.training, words) : undefined;
  const placed = dialogLayout({
    columns,
    rows: size.rows,
    troubleshoot: ui.troubleshoot.open,
    ...(report ? { reportRows: report.length + 1 } : {}),
    ...(quit ? { quit } : {}),
    ...(ui.briefing && run.briefing ? { briefing: briefingText(run.briefing, columns, run.briefingTitle, words) } : {}),
    ...(reason ? { reason } : {}),
    ...(confirmInfo ? { confirm: confirmInfo } : {}),
    theme,
  });
  const { dialog, layout } = placed;
  // `a` answers for the nodes the dialog lists, and only when they are listed.
  const listed = placed.listed ? group : undefined;

  // ---- the selected node's output ----
  const selectedState = selectedNode ? state.nodes.get(selectedNode) : undefined;
  const task = selectedState?.current ? `${selectedState.current}@${selectedNode}` : undefined;
  const allOutput = selectedState && task ? outputOf(memo, run, selectedState, task) : NONE;
  const outputHeight = Math.max(0, layout.output - 1);
  // A gate that reads a column of a table keeps that column in sight.
  const column = selectedState?.current ? gateColumn(state, ...(selectedState.current.split('/') as [string, string])) : undefined;
  const outputView = viewOf(memo, 'output', allOutput, state.outputVersion, {
    width: columns,
    height: outputHeight,
    scroll: ui.outputScroll,
    wrap: ui.wrap,
    left: ui.outputLeft,
    ...(column ? { column } : {}),
  });
  const outputScroll = outputView.scroll;
  const outputLines = same(memo, 'output', outputView.lines);
  const currentTask = selectedState?.current ? selectedState.tasks.get(selectedState.current) : undefined;
  const command = currentTask && 'command' in currentTask ? currentTask.command : undefined;
  // The selected node's countdown with the text the run gave it (filled in when its step started).
  const nodeDeadline =
    selectedState?.deadline && selectedState.summary !== 'passed' && selectedState.summary !== 'skipped'
      ? selectedState.deadline
      : undefined;
  const deadline = nodeDeadline
    ? [deadlineCountdown(nodeDeadline, now, words).text, nodeDeadline.text].filter(Boolean).join(' ')
    : undefined;

  // ---- troubleshooting ----
  const tsCommands = same(memo, 'troubleshoot-commands', selectedNode ? troubleshootCommands(state, selectedNode) : NONE);
  const suggested = selectedNode ? suggestedCommand(state, selectedNode) : undefined;
  const ts = facts.troubleshoot;
  const tsHeight = Math.max(0, layout.troubleshoot - 3);
  const tsView = viewOf(memo, 'troubleshoot', ts.lines, ts.version, {
    width: columns,
    height: tsHeight,
    scroll: ui.troubleshoot.scroll,
    wrap: ui.wrap,
    left: ui.troubleshootLeft,
  });
  const tsScroll = tsView.scroll;
  const tsLines = same(memo, 'troubleshoot', tsView.lines);

  // ---- what the reducer reads ----
  const mode = activeMode(ui, confirm ? { confirm } : {});
  const ctx: UiContext = {
    phase: state.phase,
    words,
    ...(confirm ? { confirm } : {}),
    ...(listed ? { group: listed } : {}),
    ...(group && !listed ? { groupUnlisted: words.aNotOffered(group.prompts.length, confirm!.node) } : {}),
    ...(decision ? { decision } : {}),
    running: state.counters.running,
    stepKeys: rows.map((r) => r.key),
    ...(cursor ? { stepCursor: cursor } : {}),
    nodeOrder: (ui.filter ? filterNodes(views, ui.filter, facts.health) : views).map((v) => v.name),
    ...(selectedNode ? { selectedNode } : {}),
    nodePage: Math.max(1, layout.body - 2),
    outputLines: outputView.total,
    outputHeight,
    ...(report ? { report: { lines: report.length, height: outputHeight } } : {}),
    troubleshootLines: tsView.total,
    troubleshootHeight: tsHeight,
    paneWidth: columns,
    outputWidest: outputView.widest,
    troubleshootWidest: tsView.widest,
    outputScrollToggled: toggledScroll(allOutput, columns, outputScroll, ui.wrap),
    troubleshootScrollToggled: toggledScroll(ts.lines, columns, tsScroll, ui.wrap),
    troubleshootCount: tsCommands.length,
    ...(suggested !== undefined ? { troubleshootSuggested: suggested } : {}),
    helpLines: ui.help.open ? helpRows(columns - 4, theme, words).length : 0,
    inTmux: run.inTmux,
    ...(run.readOnly !== undefined ? { readOnly: run.readOnly } : {}),
  };

  // ---- the panes' props ----
  const { probed, roleTitles } = planFacts(memo, state);
  const message = [ui.message, run.notice]
    .filter((m): m is NonNullable<typeof m> => m !== undefined && run.wall - m.at < MESSAGE_MS && !(m.error && m.at < run.situationAt))
    // The newest; at the same moment an error (the engine refusing what a key asked) wins.
    .sort((a, b) => b.at - a.at || Number(b.error) - Number(a.error))[0];
  const live = state.phase === 'running' || state.phase === 'paused' || state.phase === 'aborting';
  const activity = live ? runActivity(state, now) : undefined;
  const props: ScreenProps = {
    layout,
    theme,
    words,
    mode,
    group: mode === 'confirm' && listed !== undefined,
    header: headerView(state, now, run.target),
    steps: { rows, ...(cursor ? { cursor } : {}), focused: mode === 'steps', training: run.training, spinner: size.spinner },
    ...(explained ? { explain: explained } : {}),
    grid: {
      views,
      version: versionOf(memo, state, facts),
      health: facts.health,
      healthVersion: facts.healthVersion,
      probed,
      roleTitles,
      ...(selectedNode ? { selected: selectedNode } : {}),
      filter: ui.input?.kind === 'filter' ? ui.input.text : ui.filter,
      focused: mode === 'nodes',
      now,
      spinner: size.spinner,
    },
    output: {
      ...(selectedNode ? { node: selectedNode } : {}),
      ...(selectedState?.current ? { step: selectedState.current.split('/')[1] } : {}),
      ...(command ? { command } : {}),
      lines: outputLines,
      scroll: outputScroll,
      total: allOutput.length,
      hint: lineHint(outputView, { wrap: ui.wrap, tmux: false }),
      focused: mode === 'output',
      version: state.outputVersion,
      ...(deadline ? { deadline } : {}),
      ...(currentTask && ENDED.has(currentTask.status) ? { ended: true } : {}),
    },
    ...(ui.troubleshoot.open
      ? {
          troubleshoot: {
            ...(selectedNode ? { node: ts.node ?? selectedNode } : {}),
            commands: tsCommands,
            ...(ts.index !== undefined ? { index: ts.index } : {}),
            ...(ts.display ? { display: ts.display } : {}),
            status: ts.status,
            ...(ts.ended ? { ended: ts.ended } : {}),
            lines: tsLines,
            scroll: tsScroll,
            hint: lineHint(tsView, { wrap: ui.wrap, tmux: run.inTmux }),
            focused: mode === 'troubleshoot',
            version: ts.version,
          },
        }
      : {}),
    ...(report && preflight ? { preflight: { view: preflight, rows: report, scroll: ui.reportScroll, focused: mode === 'output' } } : {}),
    ...(dialog ? { dialog } : {}),
    ...(ui.help.open && mode === 'help' ? { help: { scroll: ui.help.scroll } } : {}),
    status: {
      phase: state.phase,
      ...(state.outcome ? { outcome: state.outcome } : {}),
      ...(state.phase === 'finished' ? { tally: tallyOfState(state) } : {}),
      resume: resumeCommand(run.training, state.run.id),
      ...(decision ? { decision } : {}),
      waiting: state.prompts.filter((p) => p.kind === 'confirm').length,
      ...(confirm ? { confirm: { node: confirm.node, typed: confirm.typed !== undefined, command: confirm.command !== undefined } } : {}),
      ...(activity ? { activity } : {}),
      ...(ui.input?.kind === 'filter' ? { filterInput: ui.input.text } : {}),
      ...(message ? { message } : {}),
      ...(preflight
        ? { preflight: { status: preflight.status, nodes: preflight.nodes, failed: refused.length, elapsed: preflight.elapsed } }
        : {}),
    },
  };
  const listedKey = groupKey(listed);
  return { props, ctx, ...(listedKey !== undefined ? { listed: listedKey } : {}) };
}

/** What the confirmation dialog says: the prompt, its node, the text typed, the group it may answer for. */
function confirmInfoOf(
  state: RunState,
  confirm: Extract<Prompt, { kind: 'confirm' }>,
  group: ConfirmGroup | undefined,
  ui: UiState,
  training: boolean,
  words: UiWords,
): ConfirmInfo {
  const target = (node: string) => state.plan.targets.get(node);
  return {
    prompt: confirm,
    address: target(confirm.node)?.ip,
    role: target(confirm.node)?.roles[0],
    typed: ui.typed.prompt === promptKey(confirm) ? ui.typed.text : '',
    others: state.prompts.filter((p) => p.kind === 'confirm' && p !== confirm && !group?.prompts.includes(p)).map((p) => p.node),
    why: stepWhy(state, confirm.section, confirm.step, confirm.node).why,
    training,
    words,
    ...(group
      ? {
          group: {
            sameCommand: group.sameCommand,
            // The node asked about first, then the others in the order they were asked.
            nodes: [confirm, ...group.prompts.filter((p) => p !== confirm)].map((p) => ({
              node: p.node,
              ...(target(p.node)?.ip ? { address: target(p.node)!.ip } : {}),
              ...(p.command !== undefined ? { command: p.command } : {}),
            })),
          },
        }
      : {}),
  };
}

/** viewLines, made again only when its lines (or their version: a ring changes in place) or its options changed. */
function viewOf(memo: ScreenMemo, name: string, source: LineSource, version: number, options: LineViewOptions): LineView {
  const last = memo.views.get(name);
  const o = last?.options;
  if (
    last &&
    last.source === source &&
    last.version === version &&
    o!.width === options.width &&
    o!.height === options.height &&
    o!.scroll === options.scroll &&
    o!.wrap === options.wrap &&
    o!.left === options.left &&
    o!.column === options.column
  )
    return last.view;
  const view = viewLines(source, options);
  memo.views.set(name, { source, version, options, view });
  return view;
}

/** The lines of the selected node's task, read again only when the store has new ones. */
function outputOf(memo: ScreenMemo, run: ScreenRun, node: NodeState, task: string): readonly OutputLine[] {
  const version = run.state.outputVersion;
  const attempts = node.current ? node.attempts?.get(node.current) : undefined;
  const last = memo.output;
  if (last && last.node === node.name && last.task === task && last.version === version && last.attempts === attempts) return last.lines;
  // A rule opens each attempt when the step ran more than once.
  const lines = stepOutput(node, run.output(node.name, task), run.words);
  memo.output = { node: node.name, task, version, attempts, lines };
  return lines;
}

/** The grid's version column: the same function while the facts it reads are the same. */
function versionOf(memo: ScreenMemo, state: RunState, facts: ScreenFacts): (v: NodeView) => string {
  const last = memo.facts;
  if (
    last &&
    last.run === state.run &&
    last.plan === state.plan &&
    last.health === facts.healthVersion &&
    last.versions === facts.versionsVersion
  )
    return last.value;
  const nodeFacts: NodeFacts = { health: facts.health, versions: facts.versions };
  const value = (v: NodeView) => nodeVersion(state, v, nodeFacts);
  memo.facts = { run: state.run, plan: state.plan, health: facts.healthVersion, versions: facts.versionsVersion, value };
  return value;
}

/** What the plan says of roles: which are probed, and their titles. */
function planFacts(memo: ScreenMemo, state: RunState): { probed: ReadonlySet<string>; roleTitles: Readonly<Record<string, string>> } {
  if (memo.plan?.plan === state.plan) return memo.plan;
  const roleTitles = Object.fromEntries(Object.entries(state.plan.runbook.roles ?? {}).map(([k, r]) => [k, r.title ?? k]));
  memo.plan = { plan: state.plan, probed: probedRoles(state), roleTitles };
  return memo.plan;
}
