// The screen's own state (focus, selection, dialogs, typed text) and its reducer:
// uiUpdate(ui, msg, ctx) -> { ui, effects }. Pure, like the engine's: a key becomes a command
// through the keymap, and a command becomes new state plus effects (an operator action for the
// runner, a troubleshooting command to start, a tmux window to open, quit) that the container
// performs. Tested from tables, without rendering.
import type { OperatorAction } from '../../engine/events.js';
import type { ConfirmGroup, Phase, Prompt } from '../../engine/state.js';
import { FOCUS_ORDER, commandFor, type CommandId, type Focus, type Mode } from './keymap.js';
import { en, type UiWords } from '../../words/words.js';

/** A key must not answer a confirmation until the prompt has been on screen, and the keyboard quiet, this long. */
export const CONFIRM_GUARD_MS = 150;

export type TextInput = { kind: 'reason'; purpose: 'skip' | 'mark-done'; task: string; text: string } | { kind: 'filter'; text: string };

export interface UiState {
  focus: Focus;
  help: { open: boolean; scroll: number };
  quit: boolean;
  input?: TextInput;
  /** Text typed into a typed confirmation, for the prompt it belongs to. */
  typed: { prompt?: string; text: string };
  /**
   * When the current confirmation appeared and when the last key came (the key-repeat guard);
   * and which nodes its group listed since when (`a` answers for exactly those, once read).
   */
  guard: { prompt?: string; shownAt: number; lastKeyAt: number; group?: string; groupShownAt?: number };
  /** The step row and node the operator chose; unpinned, the selection follows the run. */
  stepCursor?: string;
  stepPinned: boolean;
  selectedNode?: string;
  nodePinned: boolean;
  filter: string;
  /** Lines scrolled up from the end; 0 follows new output. */
  outputScroll: number;
  /** Rows of the pre-flight's report scrolled down from its top (it shows in the output pane's place). */
  reportScroll: number;
  troubleshoot: { open: boolean; index?: number; scroll: number };
  /**
   * Long lines of the output and troubleshooting panes: wrapped onto several rows (scrolling then
   * counts rows), or cut at the edge and scrolled sideways by these many columns.
   */
  wrap: boolean;
  outputLeft: number;
  /** The selected step's explanation under the step list is shown whole, not its first lines. */
  explain: boolean;
  troubleshootLeft: number;
  message?: { text: string; error: boolean; at: number };
  /** A training's briefing is on screen until enter acknowledges it (q still quits). */
  briefing?: boolean;
}

export const initialUiState = (): UiState => ({
  focus: 'steps',
  help: { open: false, scroll: 0 },
  quit: false,
  typed: { text: '' },
  guard: { shownAt: 0, lastKeyAt: 0 },
  stepPinned: false,
  nodePinned: false,
  filter: '',
  outputScroll: 0,
  reportScroll: 0,
  troubleshoot: { open: false, scroll: 0 },
  wrap: false,
  outputLeft: 0,
  explain: false,
  troubleshootLeft: 0,
});

/** What the reducer reads of the run and the screen. */
export interface UiContext {
  phase: Phase;
  /** The UI's words, in the run's language (English when not given). */
  words?: UiWords;
  /** The confirmation being asked (the oldest). */
  confirm?: Extract<Prompt, { kind: 'confirm' }>;
  /**
   * The confirmations of the same step on other nodes that the dialog lists in full with it
   * (`a` confirms exactly these), and why `a` does nothing when there are some but they are not
   * listed (they do not fit on the screen).
   */
  group?: ConfirmGroup;
  groupUnlisted?: string;
  /** The failure or interruption waiting for a decision (the selected node's, else the oldest). */
  decision?: Extract<Prompt, { kind: 'failure' | 'interrupted' }>;
  /** Commands running on nodes. */
  running: number;
  /** Step rows, in order, and the row that follows the run. */
  stepKeys: readonly string[];
  stepCursor?: string;
  /** Nodes the selection moves through (filtered), and the node shown as selected now. */
  nodeOrder: readonly string[];
  selectedNode?: string;
  nodePage: number;
  outputLines: number;
  outputHeight: number;
  /** The pre-flight's report, when it is in the output pane's place: its rows, and the rows shown. */
  report?: { lines: number; height: number };
  troubleshootLines: number;
  troubleshootHeight: number;
  /**
   * Sideways: the panes' width and the widest line of each; and, for the `wrap` key, the scroll
   * of each pane that keeps the same line at its bottom once wrapped (or cut again).
   */
  paneWidth: number;
  outputWidest: number;
  troubleshootWidest: number;
  outputScrollToggled: number;
  troubleshootScrollToggled: number;
  /** Troubleshooting commands of the selected node's role, and the one its current step names. */
  troubleshootCount: number;
  troubleshootSuggested?: number;
  helpLines: number;
  inTmux: boolean;
  /**
   * A watcher (runbook watch): what keys that act on the run say instead, e.g. "read-only: the
   * player at host answers". Selection, scrolling, help and q still work; q leaves at once.
   */
  readOnly?: string;
}

export type UiEffect =
  | { type: 'start' }
  | { type: 'action'; action: OperatorAction }
  | { type: 'troubleshoot'; node: string; index: number }
  | { type: 'troubleshoot-stop' }
  | { type: 'shell'; node: string }
  | { type: 'follow'; node: string; index: number }
  | { type: 'quit' };

export type UiMsg =
  /** A key press, by name (see keyName), with the text it typed and when (wall clock). */
  | { type: 'key'; name: string; input: string; at: number }
  /** A confirmation came on screen. */
  | { type: 'prompt-shown'; prompt: string; at: number }
  /** The nodes listed with it for `a` changed (`groupKey` of the group, or none). */
  | { type: 'group-shown'; group?: string; at: number }
  /** A gate failed: open troubleshooting on that node. */
  | { type: 'gate-failed'; node: string; index?: number; at: number }
  /** The pre-flight refused nodes: its report gets the focus, from the top, the selection follows the run. */
  | { type: 'preflight-failed'; at: number }
  | { type: 'message'; text: string; error?: boolean; at: number };

/** What the controller saw change on screen (a new question, a failure, a refusal): no key, no context. */
export type SeenMsg = Exclude<UiMsg, { type: 'key' }>;

export interface UiResult {
  ui: UiState;
  effects: UiEffect[];
}

/** Who gets keys now: the quit dialog, a reason being typed, the confirmation, a filter, the help, else the focused pane. */
export function activeMode(ui: UiState, ctx: Pick<UiContext, 'confirm'>): Mode {
  if (ui.quit) return 'quit';
  if (ui.input?.kind === 'reason') return 'reason';
  if (ctx.confirm) return ctx.confirm.typed !== undefined ? 'typed' : 'confirm';
  if (ui.input?.kind === 'filter') return 'filter';
  if (ui.help.open) return 'help';
  return ui.focus;
}

// What the sideways keys say when they cannot move (words of the UI, for the catalog).
const SIDEWAYS_WRAPPED = 'lines are wrapped, none is cut: w cuts them again, then ← → scroll sideways';
const SIDEWAYS_NOTHING = 'no line here is wider than the pane: nothing to scroll sideways';

const TEXT_MODES: ReadonlySet<Mode> = new Set(['typed', 'reason', 'filter']);
const GUARDED: ReadonlySet<CommandId> = new Set([
  'confirm.yes',
  'confirm.all',
  'confirm.no',
  'confirm.skip',
  'typed.submit',
  'typed.refuse',
]);

/** A group's identity: its prompts, each as asked. A node joining or leaving makes a new group. */
export const groupKey = (group: ConfirmGroup | undefined): string | undefined =>
  group ? group.prompts.map((p) => `${p.id}#${p.askedAt}`).join(' ') : undefined;

export function uiUpdate(ui: UiState, msg: UiMsg, ctx: UiContext): UiResult {
  return msg.type === 'key' ? onKey(ui, msg, ctx) : uiSee(ui, msg, ctx.words);
}

/** What the screen does on its own when the run changed (see decide() in controller.ts). */
export function uiSee(ui: UiState, msg: SeenMsg, words: UiWords = en): UiResult {
  switch (msg.type) {
    case 'prompt-shown':
      // A new question: the selection goes where the operator is needed.
      return {
        ui: {
          ...ui,
          guard: {
            prompt: msg.prompt,
            shownAt: msg.at,
            lastKeyAt: 0,
            ...(ui.guard.group !== undefined ? { group: ui.guard.group, groupShownAt: ui.guard.groupShownAt ?? msg.at } : {}),
          },
          typed: { text: '' },
          nodePinned: false,
          stepPinned: false,
        },
        effects: [],
      };
    case 'group-shown': {
      if (msg.group === ui.guard.group) return { ui, effects: [] };
      const { group: _g, groupShownAt: _a, ...rest } = ui.guard;
      return { ui: { ...ui, guard: msg.group === undefined ? rest : { ...rest, group: msg.group, groupShownAt: msg.at } }, effects: [] };
    }
    case 'gate-failed': {
      const index = msg.index ?? 0;
      return {
        ui: {
          ...ui,
          selectedNode: msg.node,
          nodePinned: true,
          troubleshoot: { open: true, index, scroll: 0 },
          message: { text: words.msg.troubleshootOpened(msg.node), error: false, at: msg.at },
        },
        effects: [{ type: 'troubleshoot', node: msg.node, index }],
      };
    }
    case 'preflight-failed':
      return { ui: { ...ui, focus: 'output', reportScroll: 0, nodePinned: false }, effects: [] };
    case 'message':
      return { ui: say(ui, msg.text, msg.at, msg.error), effects: [] };
  }
}

function say(ui: UiState, text: string, at: number, error = false): UiState {
  return { ...ui, message: { text, error, at } };
}

/** What a watcher may do: look around, read the help, leave. Every other command acts on the run (or on its nodes). */
const WATCHER_COMMANDS: ReadonlySet<CommandId> = new Set([
  'focus.next',
  'focus.prev',
  'up',
  'down',
  'page.up',
  'page.down',
  'first',
  'last',
  'filter',
  'input.submit',
  'input.cancel',
  'help',
  'help.close',
  'quit',
]);

function onKey(ui: UiState, msg: Extract<UiMsg, { type: 'key' }>, ctx: UiContext): UiResult {
  // The briefing first: enter acknowledges it; quitting stays possible; nothing else happens under it.
  if (ui.briefing && !ui.quit) {
    if (msg.name === 'enter') return { ui: { ...ui, briefing: false }, effects: [] };
    if (msg.name !== 'q' && msg.name !== 'ctrl+c') return { ui: say(ui, (ctx.words ?? en).briefing.keyText, msg.at), effects: [] };
  }
  const active = activeMode(ui, ctx);
  // A watcher types no confirmation: a typed prompt on screen takes keys as a plain one does (q leaves).
  const mode = ctx.readOnly !== undefined && active === 'typed' ? 'confirm' : active;
  // ctrl+c always reaches the quit dialog; pressed there, it quits.
  let binding = commandFor(mode, msg.name);
  if (!binding && msg.name === 'ctrl+c') binding = commandFor(mode === 'quit' ? 'quit' : 'steps', mode === 'quit' ? 'y' : 'q');
  // A watcher sees the player's question but does not answer it: whatever is typed there says so.
  if (ctx.readOnly !== undefined && !binding && mode === 'confirm') return { ui: say(ui, ctx.readOnly, msg.at, true), effects: [] };
  if (ctx.readOnly !== undefined && binding) {
    // Leaving does not touch the run: no dialog.
    if (binding.id === 'quit') return { ui, effects: [{ type: 'quit' }] };
    // A reason is typed only to skip or mark done, which a watcher cannot do.
    if (!WATCHER_COMMANDS.has(binding.id) || (binding.id === 'input.submit' && ui.input?.kind !== 'filter'))
      return { ui: say(ui, ctx.readOnly, msg.at, true), effects: [] };
  }
  const confirmKey = ctx.confirm ? `${ctx.confirm.id}#${ctx.confirm.askedAt}` : undefined;
  if (mode === 'confirm' || mode === 'typed') {
    // The key-repeat guard: answers count only after the prompt has been up, and the keyboard
    // quiet, for CONFIRM_GUARD_MS. A held key keeps it closed.
    const guard = ui.guard.prompt === confirmKey ? ui.guard : { prompt: confirmKey, shownAt: msg.at, lastKeyAt: 0 };
    // `a` answers for every node listed: the list must have been on screen as long, unchanged.
    const listedSince =
      binding?.id === 'confirm.all' && ctx.group && guard.group === groupKey(ctx.group) ? (guard.groupShownAt ?? msg.at) : msg.at;
    // Typing the node's name is deliberate already: there only the prompt's age counts.
    const quietSince = mode === 'typed' ? guard.shownAt : Math.max(guard.shownAt, guard.lastKeyAt);
    ui = { ...ui, guard: { ...guard, lastKeyAt: msg.at } };
    if (binding && GUARDED.has(binding.id) && msg.at - quietSince < CONFIRM_GUARD_MS) {
      return {
        ui: say(ui, (ctx.words ?? en).msg.tooSoon(msg.name), msg.at, true),
        effects: [],
      };
    }
    if (binding?.id === 'confirm.all' && ctx.group && msg.at - listedSince < CONFIRM_GUARD_MS) {
      return {
        ui: say(ui, (ctx.words ?? en).msg.groupChanged(msg.name), msg.at, true),
        effects: [],
      };
    }
  }
  if (!binding) {
    if (TEXT_MODES.has(mode)) return { ui: typeText(ui, mode, msg, confirmKey), effects: [] };
    // Keys that arrived in one read (typed fast, or over a slow link) count one by one, except
    // where a key answers a question: a paste must never confirm or quit.
    if (msg.input.length > 1 && msg.name === msg.input && mode !== 'confirm' && mode !== 'quit') {
      let result: UiResult = { ui, effects: [] };
      for (const ch of msg.input) {
        const now = activeMode(result.ui, ctx);
        if (now === 'confirm' || now === 'quit') break;
        const r = uiUpdate(result.ui, { ...msg, name: ch, input: ch }, ctx);
        result = { ui: r.ui, effects: [...result.effects, ...r.effects] };
      }
      return result;
    }
    return { ui, effects: [] };
  }
  return command(ui, binding.id, msg, ctx, confirmKey);
}

function typeText(ui: UiState, mode: Mode, msg: Extract<UiMsg, { type: 'key' }>, confirmKey: string | undefined): UiState {
  const edit = (text: string): string => {
    if (msg.name === 'backspace') return [...text].slice(0, -1).join('');
    // Printable text only (a paste arrives whole); control keys type nothing.
    if (msg.input === '' || msg.name.startsWith('ctrl+') || /[\x00-\x1f\x7f]/.test(msg.input)) return text;
    return (text + msg.input).slice(0, 200);
  };
  if (mode === 'typed') {
    const current = ui.typed.prompt === confirmKey ? ui.typed.text : '';
    return { ...ui, typed: { ...(confirmKey !== undefined ? { prompt: confirmKey } : {}), text: edit(current) } };
  }
  if (ui.input) return { ...ui, input: { ...ui.input, text: edit(ui.input.text) } };
  return ui;
}

const clampIndex = (i: number, n: number): number => Math.max(0, Math.min(n - 1, i));

function move(ui: UiState, ctx: UiContext, delta: number | 'first' | 'last'): UiState {
  const to = (current: number, length: number): number =>
    delta === 'first' ? 0 : delta === 'last' ? length - 1 : clampIndex(current + delta, length);
  switch (ui.focus) {
    case 'steps': {
      if (ctx.stepKeys.length === 0) return ui;
      const at = Math.max(0, ctx.stepKeys.indexOf((ui.stepPinned ? ui.stepCursor : ctx.stepCursor) ?? ''));
      return { ...ui, stepCursor: ctx.stepKeys[to(at, ctx.stepKeys.length)], stepPinned: true };
    }
    case 'nodes': {
      if (ctx.nodeOrder.length === 0) return ui;
      const at = Math.max(0, ctx.nodeOrder.indexOf((ui.nodePinned ? ui.selectedNode : ctx.selectedNode) ?? ''));
      return { ...ui, selectedNode: ctx.nodeOrder[to(at, ctx.nodeOrder.length)], nodePinned: true };
    }
    case 'output': {
      if (ctx.report) {
        // A report reads from its top: down goes further into it.
        const max = Math.max(0, ctx.report.lines - ctx.report.height);
        const scroll = delta === 'first' ? 0 : delta === 'last' ? max : Math.max(0, Math.min(max, ui.reportScroll + delta));
        return { ...ui, reportScroll: scroll };
      }
      const max = Math.max(0, ctx.outputLines - ctx.outputHeight);
      // Scrolling is counted up from the end: down (positive delta) goes towards it.
      const scroll = delta === 'first' ? max : delta === 'last' ? 0 : Math.max(0, Math.min(max, ui.outputScroll - delta));
      return { ...ui, outputScroll: scroll };
    }
    case 'troubleshoot': {
      const max = Math.max(0, ctx.troubleshootLines - ctx.troubleshootHeight);
      const scroll = delta === 'first' ? max : delta === 'last' ? 0 : Math.max(0, Math.min(max, ui.troubleshoot.scroll - delta));
      return { ...ui, troubleshoot: { ...ui.troubleshoot, scroll } };
    }
  }
}

function pageOf(ui: UiState, ctx: UiContext): number {
  switch (ui.focus) {
    case 'nodes':
      return Math.max(1, ctx.nodePage);
    case 'output':
      return Math.max(1, (ctx.report?.height ?? ctx.outputHeight) - 1);
    case 'troubleshoot':
      return Math.max(1, ctx.troubleshootHeight - 1);
    default:
      return 10;
  }
}

function command(
  ui: UiState,
  id: CommandId,
  msg: Extract<UiMsg, { type: 'key' }>,
  ctx: UiContext,
  confirmKey: string | undefined,
): UiResult {
  const at = msg.at;
  const m = (ctx.words ?? en).msg;
  const none = (next: UiState = ui): UiResult => ({ ui: next, effects: [] });
  const act = (action: OperatorAction, next: UiState = ui): UiResult => ({ ui: next, effects: [{ type: 'action', action }] });
  const node = ctx.selectedNode;
  const decision = ctx.decision;
  switch (id) {
    case 'run':
      if (ctx.phase === 'ready') return { ui, effects: [{ type: 'start' }] };
      if (ctx.phase === 'paused') return act({ type: 'continue' });
      return none(say(ui, ctx.phase === 'finished' ? m.runOver : m.runGoing, at));
    case 'confirm.yes':
      return ctx.confirm ? act({ type: 'confirm', prompt: ctx.confirm.id }) : none();
    case 'confirm.all':
      if (!ctx.confirm) return none();
      if (!ctx.group) return none(say(ui, ctx.groupUnlisted ?? m.onlyOne(ctx.confirm.node), at, true));
      // Exactly the prompts listed: the engine refuses the whole answer if one of them is gone.
      return act({ type: 'confirm-group', prompts: ctx.group.prompts.map((p) => p.id) });
    case 'confirm.no':
      return ctx.confirm ? act({ type: 'refuse', prompt: ctx.confirm.id }) : none();
    case 'confirm.skip':
      return ctx.confirm ? none({ ...ui, input: { kind: 'reason', purpose: 'skip', task: ctx.confirm.task, text: '' } }) : none();
    case 'typed.submit': {
      const p = ctx.confirm;
      if (!p || p.typed === undefined) return none();
      const text = ui.typed.prompt === confirmKey ? ui.typed.text : '';
      if (text.trim() !== p.typed) return none(say(ui, m.typeExactly(p.typed), at, true));
      return act({ type: 'confirm', prompt: p.id, typed: text.trim() }, { ...ui, typed: { text: '' } });
    }
    case 'typed.refuse':
      return ctx.confirm ? act({ type: 'refuse', prompt: ctx.confirm.id }, { ...ui, typed: { text: '' } }) : none();
    case 'retry':
      if (!decision) return none(say(ui, m.nothingToRetry, at));
      return act(decision.kind === 'failure' ? { type: 'retry', task: decision.task } : { type: 'rerun', task: decision.task });
    case 'skip':
      if (!decision) return none(say(ui, m.nothingToSkip, at));
      return none({ ...ui, input: { kind: 'reason', purpose: 'skip', task: decision.task, text: '' } });
    case 'verify':
      if (decision?.kind !== 'interrupted') return none(say(ui, m.nothingToVerify, at));
      if (!decision.choices.includes('verify')) return none(say(ui, m.verifyNotOffered(decision.verifyUnavailable), at, true));
      return act({ type: 'verify', task: decision.task });
    case 'mark-done':
      if (decision?.kind !== 'interrupted') return none(say(ui, m.onlyInterruptedDone, at));
      return none({ ...ui, input: { kind: 'reason', purpose: 'mark-done', task: decision.task, text: '' } });
    case 'pause':
      if (ctx.phase === 'running') return act({ type: 'pause' }, say(ui, m.pausing, at));
      if (ctx.phase === 'paused') return act({ type: 'continue' });
      return none(say(ui, m.notGoing, at));
    case 'troubleshoot': {
      if (ui.troubleshoot.open) {
        return {
          ui: { ...ui, troubleshoot: { ...ui.troubleshoot, open: false }, focus: ui.focus === 'troubleshoot' ? 'nodes' : ui.focus },
          effects: [{ type: 'troubleshoot-stop' }],
        };
      }
      if (!node) return none(say(ui, m.selectNode, at));
      if (ctx.troubleshootCount === 0)
        return none({
          ...say(ui, (ctx.words ?? en).tsNone(node), at),
          troubleshoot: { open: true, scroll: 0 },
        });
      const index = ctx.troubleshootSuggested ?? 0;
      return {
        ui: { ...ui, focus: 'troubleshoot', troubleshoot: { open: true, index, scroll: 0 } },
        effects: [{ type: 'troubleshoot', node, index }],
      };
    }
    case 'troubleshoot.pick': {
      const index = Number(msg.input) - 1;
      if (!node) return none(say(ui, m.selectNode, at));
      if (!(index >= 0 && index < ctx.troubleshootCount)) return none(say(ui, m.noTsCommand(msg.input, node), at));
      return { ui: { ...ui, troubleshoot: { open: true, index, scroll: 0 } }, effects: [{ type: 'troubleshoot', node, index }] };
    }
    case 'troubleshoot.stop':
      return { ui, effects: [{ type: 'troubleshoot-stop' }] };
    case 'shell':
      if (!ctx.inTmux) return none(say(ui, m.notInTmuxShell, at, true));
      if (!node) return none(say(ui, m.selectNode, at));
      return { ui, effects: [{ type: 'shell', node }] };
    case 'follow':
      if (!ctx.inTmux) return none(say(ui, m.notInTmuxFollow, at, true));
      if (!node) return none(say(ui, m.selectNode, at));
      if (ctx.troubleshootCount === 0) return none(say(ui, (ctx.words ?? en).tsNone(node), at));
      return { ui, effects: [{ type: 'follow', node, index: ui.troubleshoot.index ?? ctx.troubleshootSuggested ?? 0 }] };
    case 'focus.next':
    case 'focus.prev': {
      const order = FOCUS_ORDER.filter((f) => f !== 'troubleshoot' || ui.troubleshoot.open);
      const at0 = order.indexOf(ui.focus);
      const next = order[(at0 + (id === 'focus.next' ? 1 : order.length - 1)) % order.length]!;
      return none({ ...ui, focus: next });
    }
    case 'up':
    case 'down':
    case 'page.up':
    case 'page.down': {
      const sign = id === 'up' || id === 'page.up' ? -1 : 1;
      if (ui.help.open) {
        const step = id.startsWith('page') ? 10 : 1;
        return none({
          ...ui,
          help: { ...ui.help, scroll: Math.max(0, Math.min(Math.max(0, ctx.helpLines - 3), ui.help.scroll + sign * step)) },
        });
      }
      return none(move(ui, ctx, sign * (id.startsWith('page') ? pageOf(ui, ctx) : 1)));
    }
    case 'first':
      return none(move(ui, ctx, 'first'));
    case 'last':
      return none(move(ui, ctx, 'last'));
    case 'wrap':
      return none({
        ...ui,
        wrap: !ui.wrap,
        outputLeft: 0,
        troubleshootLeft: 0,
        outputScroll: ctx.outputScrollToggled,
        troubleshoot: { ...ui.troubleshoot, scroll: ctx.troubleshootScrollToggled },
      });
    case 'explain':
      return none({ ...ui, explain: !ui.explain });
    case 'scroll.left':
    case 'scroll.right': {
      if (ui.wrap) return none(say(ui, SIDEWAYS_WRAPPED, at));
      const output = ui.focus !== 'troubleshoot';
      const widest = output ? ctx.outputWidest : ctx.troubleshootWidest;
      // Shifted, a line loses its first column to the `…` that says so.
      const max = widest <= ctx.paneWidth ? 0 : widest - (ctx.paneWidth - 1);
      if (max === 0) return none(say(ui, SIDEWAYS_NOTHING, at));
      const current = Math.min(output ? ui.outputLeft : ui.troubleshootLeft, max);
      const step = Math.max(8, Math.floor(ctx.paneWidth / 2));
      const left = Math.max(0, Math.min(max, current + (id === 'scroll.right' ? step : -step)));
      return none(output ? { ...ui, outputLeft: left } : { ...ui, troubleshootLeft: left });
    }
    case 'filter':
      return none({ ...ui, input: { kind: 'filter', text: ui.filter }, focus: 'nodes' });
    case 'input.submit': {
      const input = ui.input;
      if (!input) return none();
      if (input.kind === 'filter') return none({ ...ui, input: undefined, filter: input.text.trim(), nodePinned: false });
      const reason = input.text.trim();
      if (!reason) return none(say(ui, m.reasonRequired, at, true));
      const action: OperatorAction =
        input.purpose === 'skip' ? { type: 'skip', task: input.task, reason } : { type: 'mark-done', task: input.task, reason };
      return act(action, { ...ui, input: undefined });
    }
    case 'input.cancel':
      if (ui.input?.kind === 'filter') return none({ ...ui, input: undefined, filter: '' });
      return none({ ...ui, input: undefined });
    case 'help':
      return none({ ...ui, help: { open: true, scroll: 0 } });
    case 'help.close':
      return none({ ...ui, help: { open: false, scroll: 0 } });
    case 'quit':
      if (ctx.phase === 'finished' || ctx.phase === 'ready') return { ui, effects: [{ type: 'quit' }] };
      return none({ ...ui, quit: true });
    case 'quit.yes':
      return { ui: { ...ui, quit: false }, effects: [{ type: 'quit' }] };
    case 'quit.abort':
      if (ctx.phase === 'aborting') return none({ ...say(ui, m.alreadyAborting, at), quit: false });
      return act({ type: 'abort' }, say({ ...ui, quit: false }, m.abortingNow(ctx.running > 0), at));
    case 'quit.no':
      return none({ ...ui, quit: false });
  }
}
