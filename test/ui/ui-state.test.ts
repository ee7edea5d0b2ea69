import { describe, expect, it } from 'vitest';
import { confirmGroup, type ConfirmGroup, type Prompt } from '../../src/engine/state.js';
import {
  CONFIRM_GUARD_MS,
  activeMode,
  groupKey,
  initialUiState,
  uiUpdate,
  type UiContext,
  type UiEffect,
  type UiState,
} from '../../src/ui/app/ui-state.js';

const confirm: Extract<Prompt, { kind: 'confirm' }> = {
  id: 'confirm:agents/run-patch-script@agent-3',
  kind: 'confirm',
  task: 'agents/run-patch-script@agent-3',
  section: 'agents',
  step: 'run-patch-script',
  node: 'agent-3',
  title: 'Run the node patch script',
  askedAt: 1000,
  destructive: true,
  command: 'sudo bash dcos_node_upgrade.sh',
};
const typed = {
  ...confirm,
  id: 'confirm:masters/run-patch-script@master-1',
  task: 'masters/run-patch-script@master-1',
  node: 'master-1',
  typed: 'master-1',
};
const failure: Extract<Prompt, { kind: 'failure' }> = {
  ...confirm,
  id: 'failure:agents/registered@agent-3',
  kind: 'failure',
  task: 'agents/registered@agent-3',
  step: 'registered',
  reason: 'timed out',
  choices: ['retry', 'skip', 'abort'],
};
const interrupted: Extract<Prompt, { kind: 'interrupted' }> = {
  ...confirm,
  id: 'interrupted:agents/run-patch-script@agent-3',
  kind: 'interrupted',
  choices: ['rerun', 'mark-done', 'skip', 'abort'],
  verifyUnavailable: 'it is destructive',
};

const base: UiContext = {
  phase: 'running',
  running: 1,
  stepKeys: ['prep', 'masters', 'masters/run', 'masters/gate', 'agents'],
  nodeOrder: ['local', 'master-1', 'master-2', 'agent-1', 'agent-2', 'agent-3'],
  selectedNode: 'master-1',
  nodePage: 3,
  outputLines: 100,
  outputHeight: 10,
  troubleshootLines: 0,
  troubleshootHeight: 5,
  troubleshootCount: 2,
  helpLines: 40,
  inTmux: false,
  paneWidth: 80,
  outputWidest: 0,
  troubleshootWidest: 0,
  outputScrollToggled: 0,
  troubleshootScrollToggled: 0,
};

/** Presses keys in order, `gap` ms apart, starting `start` ms after the prompt was shown. */
function press(
  keys: string[],
  ctx: Partial<UiContext> = {},
  options: { ui?: UiState; start?: number; gap?: number; groupAt?: number } = {},
) {
  const c = { ...base, ...ctx };
  let ui = options.ui ?? initialUiState();
  if (c.confirm) ui = uiUpdate(ui, { type: 'prompt-shown', prompt: `${c.confirm.id}#${c.confirm.askedAt}`, at: 0 }, c).ui;
  if (c.group) ui = uiUpdate(ui, { type: 'group-shown', group: groupKey(c.group)!, at: options.groupAt ?? 0 }, c).ui;
  const effects: UiEffect[] = [];
  let at = options.start ?? 1000;
  for (const k of keys) {
    const [name, input] = k.includes('=') ? k.split('=') : [k, k.length === 1 ? k : ''];
    const r = uiUpdate(ui, { type: 'key', name: name!, input: input!, at }, c);
    ui = r.ui;
    effects.push(...r.effects);
    at += options.gap ?? 500;
  }
  return { ui, effects };
}

describe('the screen reducer', () => {
  it.each([
    ['y confirms the prompt', ['y'], { type: 'action', action: { type: 'confirm', prompt: confirm.id } }],
    ['n refuses it', ['n'], { type: 'action', action: { type: 'refuse', prompt: confirm.id } }],
  ])('%s', (_name, keys, effect) => {
    expect(press(keys, { confirm }).effects).toEqual([effect]);
  });

  it('enter, space and every other key do nothing to a confirmation', () => {
    const { effects, ui } = press(['enter', ' ', 'Y', 'r', 'tab', 't', 'o', '1', 'j'], { confirm });
    expect(effects).toEqual([]);
    expect(ui.focus).toBe('steps');
  });

  it(`a y within ${CONFIRM_GUARD_MS} ms of the prompt appearing is ignored`, () => {
    const early = press(['y'], { confirm }, { start: CONFIRM_GUARD_MS - 1 });
    expect(early.effects).toEqual([]);
    expect(early.ui.message?.text).toMatch(/too soon/);
    expect(press(['y'], { confirm }, { start: CONFIRM_GUARD_MS }).effects).toHaveLength(1);
  });

  it('a held key (repeating every 30 ms) never confirms; released and pressed again, it does', () => {
    const held = press(Array(20).fill('y'), { confirm }, { start: 0, gap: 30 });
    expect(held.effects).toEqual([]);
    const again = uiUpdate(held.ui, { type: 'key', name: 'y', input: 'y', at: 20 * 30 + 400 }, { ...base, confirm });
    expect(again.effects).toEqual([{ type: 'action', action: { type: 'confirm', prompt: confirm.id } }]);
  });

  it('a prompt never announced counts as shown at the first key: that key is ignored', () => {
    const r = uiUpdate(initialUiState(), { type: 'key', name: 'y', input: 'y', at: 5000 }, { ...base, confirm });
    expect(r.effects).toEqual([]);
  });

  it('a typed confirmation needs the exact text, then enter; esc refuses', () => {
    expect(press(['m', 'a', 's', 't', 'e', 'r', '-', '2', 'enter'], { confirm: typed }, { gap: 40 }).effects).toEqual([]);
    expect(press(['y', 'enter'], { confirm: typed }).effects).toEqual([]);
    const ok = press([...'master-1'.split(''), 'enter'], { confirm: typed }, { gap: 40 });
    expect(ok.effects).toEqual([{ type: 'action', action: { type: 'confirm', prompt: typed.id, typed: 'master-1' } }]);
    expect(press(['x', 'backspace', 'escape'], { confirm: typed }).effects).toEqual([
      { type: 'action', action: { type: 'refuse', prompt: typed.id } },
    ]);
  });

  it('s on a confirmation asks why, then skips with the reason', () => {
    const r = press(['s', 'n', 'o', 't', ' ', 'n', 'o', 'w', 'enter'], { confirm });
    expect(r.effects).toEqual([{ type: 'action', action: { type: 'skip', task: confirm.task, reason: 'not now' } }]);
  });

  it('a failure: r retries, s asks a reason (required) and skips', () => {
    expect(press(['r'], { decision: failure }).effects).toEqual([{ type: 'action', action: { type: 'retry', task: failure.task } }]);
    const empty = press(['s', 'enter'], { decision: failure });
    expect(empty.effects).toEqual([]);
    expect(empty.ui.message?.text).toBe('a reason is required');
    expect(press(['s', 'k', 'enter'], { decision: failure }).effects).toEqual([
      { type: 'action', action: { type: 'skip', task: failure.task, reason: 'k' } },
    ]);
    expect(press(['s', 'k', 'escape', 'enter'], { decision: failure }).effects).toEqual([]);
  });

  it('an interruption: r runs it again, d marks it done with a reason, v says why it cannot verify', () => {
    expect(press(['r'], { decision: interrupted }).effects).toEqual([
      { type: 'action', action: { type: 'rerun', task: interrupted.task } },
    ]);
    expect(press(['d', 'o', 'k', 'enter'], { decision: interrupted }).effects).toEqual([
      { type: 'action', action: { type: 'mark-done', task: interrupted.task, reason: 'ok' } },
    ]);
    const v = press(['v'], { decision: interrupted });
    expect(v.effects).toEqual([]);
    expect(v.ui.message?.text).toBe('verify is not offered: it is destructive');
  });

  it('q asks first while the run goes; y quits, a aborts, n stays', () => {
    expect(press(['q']).ui.quit).toBe(true);
    expect(activeMode(press(['q']).ui, {})).toBe('quit');
    expect(press(['q', 'y']).effects).toEqual([{ type: 'quit' }]);
    expect(press(['q', 'a']).effects).toEqual([{ type: 'action', action: { type: 'abort' } }]);
    expect(press(['q', 'n']).ui.quit).toBe(false);
    expect(press(['q'], { phase: 'finished' }).effects).toEqual([{ type: 'quit' }]);
    expect(press(['ctrl+c=c', 'ctrl+c=c']).effects).toEqual([{ type: 'quit' }]);
  });

  it('the quit dialog opens over a confirmation; its y quits and does not confirm', () => {
    const r = press(['q', 'y'], { confirm });
    expect(r.effects).toEqual([{ type: 'quit' }]);
  });

  it('enter starts a run that is ready and continues a paused one', () => {
    expect(press(['enter'], { phase: 'ready' }).effects).toEqual([{ type: 'start' }]);
    expect(press(['enter'], { phase: 'paused' }).effects).toEqual([{ type: 'action', action: { type: 'continue' } }]);
    expect(press(['p']).effects).toEqual([{ type: 'action', action: { type: 'pause' } }]);
  });

  it('tab cycles the panes; arrows and j/k move the selection in the focused one', () => {
    expect(press(['tab']).ui.focus).toBe('nodes');
    expect(press(['tab', 'tab', 'tab']).ui.focus).toBe('steps');
    expect(press(['shift+tab']).ui.focus).toBe('output');
    expect(press(['tab', 'j', 'down']).ui).toMatchObject({ selectedNode: 'agent-1', nodePinned: true });
    expect(press(['tab', 'G']).ui.selectedNode).toBe('agent-3');
    expect(press(['tab', 'pagedown']).ui.selectedNode).toBe('agent-2');
    expect(press(['j', 'j']).ui.stepCursor).toBe('masters/run');
    // Output scrolls up from the end; end follows again.
    expect(press(['tab', 'tab', 'k', 'k']).ui.outputScroll).toBe(2);
    expect(press(['tab', 'tab', 'g']).ui.outputScroll).toBe(90);
    expect(press(['tab', 'tab', 'g', 'G']).ui.outputScroll).toBe(0);
  });

  it('t opens troubleshooting on the selected node and runs the suggested command; digits pick another', () => {
    expect(press(['t'], { troubleshootSuggested: 1 }).effects).toEqual([{ type: 'troubleshoot', node: 'master-1', index: 1 }]);
    expect(press(['t']).ui.troubleshoot.open).toBe(true);
    expect(press(['t', 't']).effects).toEqual([{ type: 'troubleshoot', node: 'master-1', index: 0 }, { type: 'troubleshoot-stop' }]);
    expect(press(['2']).effects).toEqual([{ type: 'troubleshoot', node: 'master-1', index: 1 }]);
    expect(press(['3']).ui.message?.text).toBe('no troubleshooting command 3 for master-1');
  });

  it('a failed gate opens troubleshooting on the failing node', () => {
    const r = uiUpdate(initialUiState(), { type: 'gate-failed', node: 'agent-3', index: 1, at: 0 }, base);
    expect(r.ui).toMatchObject({ selectedNode: 'agent-3', troubleshoot: { open: true, index: 1 } });
    expect(r.effects).toEqual([{ type: 'troubleshoot', node: 'agent-3', index: 1 }]);
  });

  it('o and O work inside tmux only, and say why not outside it', () => {
    expect(press(['o']).ui.message?.text).toBe('o opens an SSH shell in a new tmux window: runbook is not running inside tmux');
    expect(press(['o'], { inTmux: true }).effects).toEqual([{ type: 'shell', node: 'master-1' }]);
    expect(press(['O'], { inTmux: true, troubleshootSuggested: 1 }).effects).toEqual([{ type: 'follow', node: 'master-1', index: 1 }]);
  });

  it('w wraps long lines and cuts them again, keeping the line at the bottom; ← → scroll sideways in the focused pane only, within the widest line', () => {
    const ctx = { outputWidest: 200, troubleshootWidest: 90, paneWidth: 80, outputScrollToggled: 7 };
    const onOutput = { ...initialUiState(), focus: 'output' as const, outputScroll: 2 };
    // Wrapped: the scroll comes from the container, which counted the rows below the same line.
    const wrapped = press(['w'], ctx, { ui: onOutput }).ui;
    expect(wrapped).toMatchObject({ wrap: true, outputScroll: 7 });
    expect(press(['right'], ctx, { ui: wrapped }).ui.message?.text).toMatch(/wrapped.*w cuts them again/);
    expect(press(['right'], ctx, { ui: wrapped }).ui.outputLeft).toBe(0);
    // Cut: half a pane per press, never past the end of the widest line (its last column in sight).
    const cut = { ...onOutput, wrap: false };
    expect(press(['right'], ctx, { ui: cut }).ui.outputLeft).toBe(40);
    expect(press(['>', '>', '>', '>', '>'], ctx, { ui: cut }).ui.outputLeft).toBe(200 - 79);
    expect(press(['>', '>', 'left', '<'], ctx, { ui: cut }).ui.outputLeft).toBe(0);
    // w again starts from the left.
    expect(press(['right', 'w'], ctx, { ui: cut }).ui).toMatchObject({ wrap: true, outputLeft: 0 });
    // The troubleshooting pane has its own; a pane whose lines fit says there is nothing to scroll.
    const ts = press(['right', 'right'], ctx, { ui: { ...cut, focus: 'troubleshoot', troubleshoot: { open: true, scroll: 0 } } }).ui;
    expect(ts).toMatchObject({ troubleshootLeft: 11, outputLeft: 0 });
    expect(press(['right'], { ...ctx, outputWidest: 80 }, { ui: cut }).ui.message?.text).toMatch(/nothing to scroll sideways/);
    // Arrows sideways do nothing in the step list (no command there).
    expect(press(['right'], ctx).ui).toMatchObject({ outputLeft: 0, troubleshootLeft: 0, focus: 'steps' });
  });

  it('/ filters the nodes; esc clears the filter', () => {
    expect(press(['/', 'f', 'a', 'i', 'l', 'e', 'd', 'enter']).ui).toMatchObject({ filter: 'failed', focus: 'nodes' });
    expect(press(['/', 'x', 'enter', '/', 'escape']).ui.filter).toBe('');
  });

  it('? opens the help over the panes; its keys scroll and close it', () => {
    expect(press(['?']).ui.help.open).toBe(true);
    expect(press(['?', 'j', 'j']).ui.help.scroll).toBe(2);
    expect(press(['?', 'escape']).ui.help.open).toBe(false);
    expect(press(['?', 'q']).effects).toEqual([]);
  });

  it('keys that arrive in one read count one by one, but a paste never answers a confirmation', () => {
    expect(press(['/failed=/failed', 'enter']).ui.filter).toBe('failed');
    expect(press(['yy=yy'], { confirm }, { start: 1000 }).effects).toEqual([]);
    const q = press(['qy=qy']);
    expect(q.effects).toEqual([]);
    expect(q.ui.quit).toBe(true);
  });

  describe('a, for every node waiting on the same step', () => {
    // agent-3 asked first, then agent-4 and agent-5: one step, the same command.
    const batch = [3, 4, 5].map((n, i) => ({
      ...confirm,
      id: `confirm:agents/run-patch-script@agent-${n}`,
      task: `agents/run-patch-script@agent-${n}`,
      node: `agent-${n}`,
      askedAt: 1000 + i,
    }));
    const group = confirmGroup({ prompts: batch }, batch[0]!.id)!;
    const all = { type: 'action', action: { type: 'confirm-group', prompts: batch.map((p) => p.id) } };

    it('confirms exactly the prompts listed, once the list has been on screen 150 ms', () => {
      expect(press(['a'], { confirm: batch[0], group }).effects).toEqual([all]);
      const early = press(['a'], { confirm: batch[0], group }, { start: CONFIRM_GUARD_MS - 1 });
      expect(early.effects).toEqual([]);
      expect(early.ui.message?.text).toMatch(/too soon/);
    });

    it('a list that changed just now (a node joined) holds a back for 150 ms; y for this node is not held', () => {
      const joined = press(['a'], { confirm: batch[0], group }, { groupAt: 900, start: 1000 });
      expect(joined.effects).toEqual([]);
      expect(joined.ui.message?.text).toBe('a ignored: the nodes waiting on this step changed just now; read the list and press it again');
      expect(press(['a'], { confirm: batch[0], group }, { groupAt: 900, start: 900 + CONFIRM_GUARD_MS }).effects).toEqual([all]);
      expect(press(['y'], { confirm: batch[0], group }, { groupAt: 900, start: 1000 }).effects).toEqual([
        { type: 'action', action: { type: 'confirm', prompt: batch[0]!.id } },
      ]);
      // A list never announced (the frame not drawn yet) counts as shown at the key.
      let ui = uiUpdate(
        initialUiState(),
        { type: 'prompt-shown', prompt: `${batch[0]!.id}#${batch[0]!.askedAt}`, at: 0 },
        { ...base, confirm: batch[0], group },
      ).ui;
      expect(uiUpdate(ui, { type: 'key', name: 'a', input: 'a', at: 5000 }, { ...base, confirm: batch[0], group }).effects).toEqual([]);
      ui = uiUpdate(ui, { type: 'group-shown', group: 'someone else', at: 0 }, base).ui;
      expect(uiUpdate(ui, { type: 'key', name: 'a', input: 'a', at: 5000 }, { ...base, confirm: batch[0], group }).effects).toEqual([]);
    });

    it('a held key, a paste, a lone node and a typed confirmation: a answers nothing', () => {
      expect(press(Array(10).fill('a'), { confirm: batch[0], group }, { start: 0, gap: 30 }).effects).toEqual([]);
      expect(press(['aa=aa'], { confirm: batch[0], group }).effects).toEqual([]);
      expect(press(['a\r=a\r'], { confirm: batch[0], group }).effects).toEqual([]);
      const alone = press(['a'], { confirm });
      expect(alone.effects).toEqual([]);
      expect(alone.ui.message?.text).toBe('only agent-3 waits on this step: y answers it');
      const unlisted = press(['a'], { confirm, groupUnlisted: 'not listed' });
      expect(unlisted.ui.message?.text).toBe('not listed');
      // Typed: a is a letter of the text; each node types its own.
      const t = press(['a', 'enter'], { confirm: typed }, { gap: 40 });
      expect(t.effects).toEqual([]);
      expect(t.ui.typed.text).toBe('a');
      expect(
        confirmGroup({ prompts: [typed, { ...typed, id: 'confirm:masters/run-patch-script@master-2', node: 'master-2' }] }, typed.id),
      ).toBeUndefined();
    });
  });
});

describe('a watcher (read-only)', () => {
  const readOnly = 'read-only: the player at alice@bastion (pid 42) answers';
  // Every key that acts on the run, in the situation where it would act for a player.
  it.each([
    ['enter starts a ready run', ['enter'], { phase: 'ready' as const }],
    ['enter continues a paused run', ['enter'], { phase: 'paused' as const }],
    ['y confirms', ['y'], { confirm }],
    ['a confirms a group', ['a'], { confirm, group: confirmGroupOf() }],
    ['n refuses', ['n'], { confirm }],
    ['s skips at a confirmation', ['s'], { confirm }],
    ['enter submits a typed confirmation', ['master-1=master-1', 'enter'], { confirm: typed }],
    ['escape refuses a typed confirmation', ['escape'], { confirm: typed }],
    ['r retries', ['r'], { decision: failure }],
    ['s skips a failure', ['s'], { decision: failure }],
    ['r runs an interrupted step again', ['r'], { decision: interrupted }],
    ['d marks it done', ['d'], { decision: interrupted }],
    ['v verifies', ['v'], { decision: { ...interrupted, choices: ['verify', 'skip'] as const } as typeof interrupted }],
    ['p pauses', ['p'], {}],
    ['t troubleshoots (a command on the node)', ['t'], {}],
    ['1 runs a troubleshooting command', ['1'], {}],
    ['x stops one', ['x'], {}],
    ['o opens a shell', ['o'], { inTmux: true }],
    ['O follows a command', ['O'], { inTmux: true }],
  ] as [string, string[], Partial<UiContext>][])('%s: nothing is done, and it says who answers', (_what, keys, ctx) => {
    const player = press(keys, ctx);
    const watcher = press(keys, { ...ctx, readOnly });
    // The same key does something for the player (an effect or a dialog opening), so the table means something.
    expect(player.effects.length > 0 || player.ui.input !== undefined || player.ui.troubleshoot.open).toBe(true);
    expect(watcher.effects).toEqual([]);
    expect(watcher.ui.input).toBeUndefined();
    expect(watcher.ui.message).toMatchObject({ text: readOnly, error: true });
  });

  it('a typed confirmation on screen takes no text; q leaves at once, without the quit dialog', () => {
    const typing = press(['m', 'q'], { confirm: typed, readOnly });
    expect(typing.ui.typed.text).toBe('');
    expect(typing.effects).toEqual([{ type: 'quit' }]);
    expect(press(['q'], { phase: 'running', readOnly }).effects).toEqual([{ type: 'quit' }]);
    expect(press(['ctrl+c'], { confirm, readOnly }).effects).toEqual([{ type: 'quit' }]);
  });

  it('looking around works: focus, selection, scrolling, the filter, help', () => {
    const r = press(['tab', 'j', 'j', '/', 'a=a', 'enter', '?'], { readOnly });
    expect(r.effects).toEqual([]);
    expect(r.ui.selectedNode).toBe('agent-1');
    expect(r.ui.filter).toBe('a');
    expect(r.ui.help.open).toBe(true);
    expect(r.ui.message).toBeUndefined();
  });
});

function confirmGroupOf(): ConfirmGroup {
  const other = { ...confirm, id: 'confirm:agents/run-patch-script@agent-4', task: 'agents/run-patch-script@agent-4', node: 'agent-4' };
  return { section: confirm.section, step: confirm.step, prompts: [confirm, other], sameCommand: true };
}
