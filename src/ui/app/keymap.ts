// The one keymap: every command the operator can give, its keys, its help text, the modes it
// works in. Input dispatch, the help bar, the `?` overlay and docs/keys.md all read it, so a key
// cannot work without being documented, or be documented without working.
import type { Key } from 'ink';

/** Who gets a key: the first layer open, in this order (see `activeMode`). */
export type Layer = 'quit' | 'confirm' | 'typed' | 'reason' | 'filter' | 'help' | 'main';
/** The pane that has focus when no layer is open. */
export type Focus = 'steps' | 'nodes' | 'output' | 'troubleshoot';
export type Mode = Exclude<Layer, 'main'> | Focus;

export const FOCUS_ORDER: readonly Focus[] = ['steps', 'nodes', 'output', 'troubleshoot'];
const PANES: readonly Mode[] = FOCUS_ORDER;

export type CommandId =
  | 'run'
  | 'confirm.yes'
  | 'confirm.all'
  | 'confirm.no'
  | 'confirm.skip'
  | 'typed.submit'
  | 'typed.refuse'
  | 'retry'
  | 'skip'
  | 'verify'
  | 'mark-done'
  | 'pause'
  | 'troubleshoot'
  | 'troubleshoot.pick'
  | 'troubleshoot.stop'
  | 'shell'
  | 'follow'
  | 'focus.next'
  | 'focus.prev'
  | 'up'
  | 'down'
  | 'page.up'
  | 'page.down'
  | 'first'
  | 'last'
  | 'wrap'
  | 'explain'
  | 'scroll.left'
  | 'scroll.right'
  | 'filter'
  | 'input.submit'
  | 'input.cancel'
  | 'help'
  | 'help.close'
  | 'quit'
  | 'quit.yes'
  | 'quit.abort'
  | 'quit.no';

export interface Binding {
  id: CommandId;
  /** Key names: a character (`y`, `G`, `?`), or enter, escape, tab, shift+tab, up, down, left, right, pageup, pagedown, home, end, ctrl+c. */
  keys: readonly string[];
  /** A word or two for the help bar. */
  label: string;
  /** One sentence for the `?` overlay and docs/keys.md. */
  help: string;
  modes: readonly Mode[];
  /** Shown in the help bar in these modes. */
  bar?: boolean;
  /** Shown in the help bar only when this holds (a group confirmation: several nodes wait on the step). */
  barWhen?: 'group';
}

export const BINDINGS: readonly Binding[] = [
  { id: 'run', keys: ['enter'], label: 'run', help: 'Start the run, or continue it after a pause.', modes: PANES, bar: true },
  {
    id: 'confirm.yes',
    keys: ['y'],
    label: 'yes',
    help: 'Run the step the confirmation names, on the node it names (only y does; ignored for 150 ms after the prompt appears and while a key is held).',
    modes: ['confirm'],
    bar: true,
  },
  {
    id: 'confirm.all',
    keys: ['a'],
    label: 'all',
    help: 'When several nodes wait on the same step: run it on every node the confirmation lists (guarded like y; never for a typed confirmation, where each node types its own).',
    modes: ['confirm'],
    bar: true,
    barWhen: 'group',
  },
  {
    id: 'confirm.no',
    keys: ['n'],
    label: 'no',
    help: 'Refuse: the step is not run and counts as failed; you then retry, skip or abort.',
    modes: ['confirm'],
    bar: true,
  },
  { id: 'confirm.skip', keys: ['s'], label: 'skip', help: 'Skip the step on this node instead (asks why).', modes: ['confirm'], bar: true },
  {
    id: 'typed.submit',
    keys: ['enter'],
    label: 'confirm',
    help: 'Confirm with the typed text; it must match what the prompt asks for.',
    modes: ['typed'],
    bar: true,
  },
  {
    id: 'typed.refuse',
    keys: ['escape'],
    label: 'refuse',
    help: 'Refuse the typed confirmation: the step is not run.',
    modes: ['typed'],
    bar: true,
  },
  {
    id: 'retry',
    keys: ['r'],
    label: 'retry',
    help: 'Retry the failed step (or run the interrupted step again) on its node.',
    modes: PANES,
    bar: true,
  },
  { id: 'skip', keys: ['s'], label: 'skip', help: 'Skip the failed or interrupted step on its node; asks why.', modes: PANES, bar: true },
  { id: 'verify', keys: ['v'], label: 'verify', help: 'Check an interrupted step again without running it for effect.', modes: PANES },
  { id: 'mark-done', keys: ['d'], label: 'mark done', help: 'Mark an interrupted step done (you did it by hand); asks why.', modes: PANES },
  {
    id: 'pause',
    keys: ['p'],
    label: 'pause',
    help: 'Pause the run: running commands finish, nothing new starts until enter.',
    modes: PANES,
  },
  {
    id: 'troubleshoot',
    keys: ['t'],
    label: 'troubleshoot',
    help: "Open or close the troubleshooting pane: the selected node's role commands from the runbook.",
    modes: PANES,
    bar: true,
  },
  {
    id: 'troubleshoot.pick',
    keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    label: 'run command',
    help: 'Run the numbered troubleshooting command on the selected node, streamed live.',
    modes: PANES,
  },
  { id: 'troubleshoot.stop', keys: ['x'], label: 'stop', help: 'Stop the troubleshooting command that is streaming.', modes: PANES },
  {
    id: 'shell',
    keys: ['o'],
    label: 'shell',
    help: 'Inside tmux: open a new tmux window with an SSH shell on the selected node.',
    modes: PANES,
  },
  {
    id: 'follow',
    keys: ['O'],
    label: 'follow',
    help: 'Inside tmux: open a new tmux window that follows the selected troubleshooting command live.',
    modes: PANES,
  },
  { id: 'focus.next', keys: ['tab'], label: 'focus', help: 'Move the focus to the next pane.', modes: PANES, bar: true },
  { id: 'focus.prev', keys: ['shift+tab'], label: 'focus back', help: 'Move the focus to the previous pane.', modes: PANES },
  {
    id: 'up',
    keys: ['up', 'k'],
    label: 'up',
    help: "Select the row above (steps, nodes) or scroll up (output, or the pre-flight's report in its place).",
    modes: [...PANES, 'help'],
  },
  {
    id: 'down',
    keys: ['down', 'j'],
    label: 'down',
    help: "Select the row below (steps, nodes) or scroll down (output, or the pre-flight's report in its place).",
    modes: [...PANES, 'help'],
  },
  { id: 'page.up', keys: ['pageup'], label: 'page up', help: 'Up by a page.', modes: [...PANES, 'help'] },
  { id: 'page.down', keys: ['pagedown'], label: 'page down', help: 'Down by a page.', modes: [...PANES, 'help'] },
  { id: 'first', keys: ['home', 'g'], label: 'first', help: 'The first row, or the top of the output.', modes: PANES },
  {
    id: 'last',
    keys: ['end', 'G'],
    label: 'last',
    help: 'The last row, or the end of the output (follows new lines again).',
    modes: PANES,
  },
  {
    id: 'wrap',
    keys: ['w'],
    label: 'wrap',
    help: 'Wrap long lines in the output and troubleshooting panes onto as many rows as they take, or cut them at the edge again.',
    modes: PANES,
  },
  {
    id: 'explain',
    keys: ['e'],
    label: 'explain',
    help: "In training: the selected step's whole explanation under the step list (cut, it ends with … e), or its first lines again.",
    modes: PANES,
  },
  {
    id: 'scroll.left',
    keys: ['left', '<'],
    label: 'scroll left',
    help: 'Scroll the output (or troubleshooting) lines back to the left when they are cut, not wrapped.',
    modes: ['output', 'troubleshoot'],
  },
  {
    id: 'scroll.right',
    keys: ['right', '>'],
    label: 'scroll right',
    help: 'Scroll the output (or troubleshooting) lines to the right, to read what is past the edge (… marks a cut).',
    modes: ['output', 'troubleshoot'],
  },
  {
    id: 'filter',
    keys: ['/'],
    label: 'filter',
    help: 'Filter the nodes by name or address, or by state (failed, running, waiting, pending, passed, changed, ...).',
    modes: PANES,
    bar: true,
  },
  {
    id: 'input.submit',
    keys: ['enter'],
    label: 'ok',
    help: 'Accept the text typed (a reason, a filter).',
    modes: ['reason', 'filter'],
    bar: true,
  },
  {
    id: 'input.cancel',
    keys: ['escape'],
    label: 'cancel',
    help: 'Cancel the text input (a filter is cleared).',
    modes: ['reason', 'filter'],
    bar: true,
  },
  { id: 'help', keys: ['?'], label: 'help', help: 'Show every key.', modes: PANES, bar: true },
  { id: 'help.close', keys: ['?', 'escape', 'q'], label: 'close', help: 'Close the help.', modes: ['help'], bar: true },
  {
    id: 'quit',
    keys: ['q', 'ctrl+c'],
    label: 'quit',
    help: 'Quit; asks first while the run is going, and says what keeps running on the nodes. ctrl+c does this in every mode.',
    modes: [...PANES, 'confirm'],
    bar: true,
  },
  {
    id: 'quit.yes',
    keys: ['y', 'ctrl+c'],
    label: 'quit',
    help: 'Quit now: running steps become interrupted; --resume continues the run later.',
    modes: ['quit'],
    bar: true,
  },
  {
    id: 'quit.abort',
    keys: ['a'],
    label: 'abort run',
    help: 'Abort the run: nothing new starts, polls stop, running commands are let finish.',
    modes: ['quit'],
    bar: true,
  },
  { id: 'quit.no', keys: ['n', 'escape'], label: 'stay', help: 'Stay in the run.', modes: ['quit'], bar: true },
];

/** A key press as a name: `y`, `G`, `enter`, `ctrl+c`, `shift+tab`, `pagedown`. */
export function keyName(input: string, key: Partial<Key>): string {
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  return input;
}

const index = new Map<string, Binding>();
for (const b of BINDINGS) {
  for (const mode of b.modes) {
    for (const k of b.keys) {
      const id = `${mode} ${k}`;
      if (index.has(id)) throw new Error(`keymap: ${k} is bound twice in ${mode} (${index.get(id)!.id} and ${b.id})`);
      index.set(id, b);
    }
  }
}

/** The command a key gives in a mode, if any. */
export function commandFor(mode: Mode, name: string): Binding | undefined {
  return index.get(`${mode} ${name}`);
}

/** The binding of a command. */
export function binding(id: CommandId): Binding {
  const b = BINDINGS.find((x) => x.id === id);
  if (!b) throw new TypeError(`unknown command ${id}`);
  return b;
}

/** How a key is written for people: enter, esc, ↑, PgDn, ctrl+c. */
export function keyLabel(key: string): string {
  const names: Record<string, string> = {
    escape: 'esc',
    up: '↑',
    down: '↓',
    pageup: 'PgUp',
    pagedown: 'PgDn',
    home: 'Home',
    end: 'End',
    'shift+tab': 'S-tab',
    left: '←',
    right: '→',
  };
  return names[key] ?? key;
}

export const MODE_TITLES: Readonly<Record<Mode, string>> = {
  steps: 'Steps pane',
  nodes: 'Nodes pane',
  output: 'Output pane',
  troubleshoot: 'Troubleshooting pane',
  confirm: 'Confirmation',
  typed: 'Typed confirmation',
  reason: 'Reason input',
  filter: 'Node filter',
  help: 'Help',
  quit: 'Quit dialog',
};

/** docs/keys.md, generated: a test fails when the file is stale. */
export function keysMarkdown(): string {
  const lines = [
    '# Keys of the terminal UI',
    '',
    '<!-- Generated from src/ui/app/keymap.ts; test/ui/keymap.test.ts fails when it is stale (UPDATE_DOCS=1 rewrites it). -->',
    '',
    'Input goes to the first layer open: the quit dialog, then a reason being typed, then the',
    'confirmation (or typed confirmation), then the node filter, then the help; otherwise to the',
    'focused pane. ctrl+c opens the quit dialog from anywhere.',
    '',
    '| keys | command | where | what it does |',
    '| --- | --- | --- | --- |',
  ];
  for (const b of BINDINGS) {
    const keys = b.keys.map((k) => `\`${k}\``).join(' ');
    const panes = PANES.every((p) => b.modes.includes(p));
    const where = [
      ...(panes ? ['panes'] : []),
      ...b.modes.filter((m) => !panes || !PANES.includes(m)).map((m) => MODE_TITLES[m].toLowerCase()),
    ].join(', ');
    lines.push(`| ${keys} | ${b.id} | ${where} | ${b.help.replace(/\|/g, '\\|')} |`);
  }
  lines.push('');
  return lines.join('\n');
}
