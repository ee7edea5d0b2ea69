// The screen as a function: a run's state, the screen's own state and a terminal's size in, every
// pane's props out. No React, no terminal: tables of states and what the screen must show for them.
import type { StoredLine } from '../../src/engine/output.js';
import { en } from '../../src/words/words.js';
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/engine/state.js';
import { Troubleshooter } from '../../src/diagnostics/troubleshoot.js';
import type { HealthFact } from '../../src/diagnostics/health.js';
import type { OutputLine } from '../../src/transport/types.js';
import { screenMemo, screenModel, type ScreenFacts, type ScreenRun } from '../../src/ui/app/screen-model.js';
import { initialUiState, type UiState } from '../../src/ui/app/ui-state.js';
import { nodeGridLines } from '../../src/ui/panes/node-grid.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { stripStyle } from '../../src/ui/terminal/text-width.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { Driver, T0, atFirstConfirmation, freshState, masterPolling, patchCluster } from './fixtures.js';

const theme = createTheme('mono');
const terminal = (columns: number, rows: number) => ({ columns, rows, theme, spinner: '*' });

/** Lines a node's task printed, as the runner's output store keeps them. */
type Printed = Record<string, string[]>;

function runOf(state: RunState, printed: Printed = {}, extra: Partial<ScreenRun> = {}): ScreenRun {
  return {
    state,
    now: T0 + 60_000,
    wall: 1_000_000,
    target: 'sim:happy',
    training: false,
    inTmux: false,
    words: en,
    output: (_node, task) => (printed[task] ?? []).map((text): StoredLine => ({ stream: 'stdout', text, task })),
    situationAt: 0,
    ...extra,
  };
}

function factsOf(health: ReadonlyMap<string, HealthFact> = new Map()): ScreenFacts {
  const idle = new Troubleshooter({ exec: () => new Promise(() => {}), onChange: () => {} });
  return { health, healthVersion: 0, versions: new Map(), versionsVersion: 0, troubleshoot: idle.view() };
}

const ui = (over: Partial<UiState> = {}): UiState => ({ ...initialUiState(), ...over });

/** master-1's patch script fails (exit 1): a decision is asked on it while agents are untouched. */
function masterFailed(): Driver {
  const d = atFirstConfirmation();
  d.act({ type: 'confirm', prompt: 'confirm:masters/run-patch-script@master-1', typed: 'master-1' });
  d.done('masters/run-patch-script@master-1', { exit: 1, stdout: 'dcos_node_upgrade.sh: cannot stop dcos-mesos-master\n' });
  return d;
}

describe('screenModel: which node the panes show', () => {
  const printed: Printed = {
    'masters/run-patch-script@master-1': ['dcos_node_upgrade.sh: cannot stop dcos-mesos-master'],
    'masters/run-patch-script@master-2': ['nothing ran here'],
    'masters/recovered@master-1': ['the gate, polling'],
  };
  it.each([
    [
      'a failure selects the failing node and its output',
      masterFailed().state,
      ui(),
      'master-1',
      ['dcos_node_upgrade.sh: cannot stop dcos-mesos-master'],
    ],
    ['a gate polling selects its node and its output', masterPolling().state, ui(), 'master-1', ['the gate, polling']],
    ['the confirmation asked selects its node', atFirstConfirmation().state, ui(), 'master-1', []],
    [
      'a node the operator chose stays chosen through a failure elsewhere',
      masterFailed().state,
      ui({ selectedNode: 'agent-7', nodePinned: true }),
      'agent-7',
      [],
    ],
    ['nothing started: the first node (the local one)', freshState(), ui(), 'local', []],
  ] as const)('%s', (_name, state, screen, node, lines) => {
    const model = screenModel(runOf(state as RunState, printed), screen, factsOf(), terminal(120, 40));
    expect(model.props.output.node).toBe(node);
    expect(model.props.grid.selected).toBe(node);
    expect(model.ctx.selectedNode).toBe(node);
    expect(model.props.output.lines.map((l) => l.text)).toEqual(lines);
  });

  it('a failure is the decision the status line and the reducer see, on its node', () => {
    const model = screenModel(runOf(masterFailed().state), ui(), factsOf(), terminal(120, 40));
    expect(model.props.status.decision?.node).toBe('master-1');
    expect(model.ctx.decision?.node).toBe('master-1');
    expect(model.props.output.ended).toBe(true);
    // Troubleshooting is closed until the controller opens it: the model only shows.
    expect(model.props.troubleshoot).toBeUndefined();
    const open = screenModel(
      runOf(masterFailed().state),
      ui({ troubleshoot: { open: true, index: 0, scroll: 0 } }),
      factsOf(),
      terminal(120, 40),
    );
    expect(open.props.troubleshoot?.commands.map((c) => c.title)).toEqual(['dcos-mesos-master', 'dcos-exhibitor']);
    // The patch script names no troubleshooting command; the gate after it names the first.
    expect(open.ctx.troubleshootSuggested).toBeUndefined();
    expect(screenModel(runOf(masterPolling().state), ui(), factsOf(), terminal(120, 40)).ctx.troubleshootSuggested).toBe(0);
    expect(open.props.layout.troubleshoot).toBeGreaterThan(0);
  });
});

describe('screenModel: the layout at a size', () => {
  it.each([
    // columns, rows, agents (with 3 masters and the local node): whether every node gets a row of the grid
    [80, 24, 20, false],
    [250, 70, 20, true],
    [120, 40, 0, true],
  ])('%ix%i with %i agents: a row each is %s', (columns, rows, agents, rowEach) => {
    const state = freshState(3, agents);
    const model = screenModel(runOf(state), ui(), factsOf(), terminal(columns, rows));
    const { layout, grid } = model.props;
    expect(layout.rows).toBe(rows);
    expect(layout.header + layout.body + layout.output + layout.troubleshoot + layout.modal + layout.status + layout.help).toBe(rows);
    const shown = nodeGridLines({ ...grid, width: layout.nodesWidth, height: layout.body, theme }).map(stripStyle);
    expect(shown).toHaveLength(layout.body);
    // A row of its own starts with the node's name; collapsed, the agents are summarised ("Agents 20").
    const named = grid.views.filter((v) => shown.some((r) => r.startsWith(`  ${v.name} `) || r.startsWith(`› ${v.name} `)));
    expect(grid.views).toHaveLength(agents + 4);
    expect(named.length === grid.views.length).toBe(rowEach);
    if (!rowEach) expect(shown.join('\n')).toMatch(/Agents 20/);
    expect(model.ctx.nodePage).toBe(Math.max(1, layout.body - 2));
  });

  it('a terminal too small says what it needs and lays out nothing else', () => {
    const model = screenModel(runOf(freshState()), ui(), factsOf(), terminal(30, 8));
    expect(model.props.layout.tooSmall).toMatch(/\d+x\d+/);
  });
});

describe('screenModel: the dialog and the nodes listed for a', () => {
  // Thirty agents in one batch, each waiting on the same destructive step.
  const batch = (): RunState => {
    const rb = runbook(
      [
        section(
          'agents',
          [{ id: 'remove-libltdl', title: 'Remove libltdl.so.7', run: 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7', destructive: true }],
          { on: 'agent', strategy: { batch: 30 }, title: 'Patch the agents' },
        ),
      ],
      { title: 'Agents' },
    );
    const d = new Driver(stateOf(rb, patchCluster(0, 30)));
    d.start();
    return d.state;
  };

  it.each([
    [250, 70, true],
    [80, 24, false],
  ])('%ix%i: listed %s', (columns, rows, listed) => {
    const model = screenModel(runOf(batch()), ui(), factsOf(), terminal(columns, rows));
    expect(model.props.dialog).toBeDefined();
    expect(model.props.mode).toBe('confirm');
    expect(model.listed !== undefined).toBe(listed);
    expect(model.ctx.group !== undefined).toBe(listed);
    expect(model.props.group).toBe(listed);
    if (!listed) expect(model.ctx.groupUnlisted).toMatch(/^a not offered: the 30 nodes waiting do not fit/);
  });

  it('the quit dialog over a listed group does not change what a means underneath', () => {
    const under = screenModel(runOf(batch()), ui(), factsOf(), terminal(250, 70));
    const over = screenModel(runOf(batch()), ui({ quit: true }), factsOf(), terminal(250, 70));
    expect(over.props.mode).toBe('quit');
    expect(over.listed).toBe(under.listed);
    expect(over.props.dialog?.required.join('\n')).not.toBe(under.props.dialog?.required.join('\n'));
  });
});

describe('screenModel: the status line message', () => {
  const at = 1_000_000;
  it.each([
    ['a fresh message shows', { text: 'opened', error: false, at: at - 100 }, undefined, 0, 'opened'],
    ['a message older than 5 s is gone', { text: 'opened', error: false, at: at - 6000 }, undefined, 0, undefined],
    [
      'the newer of the two shows',
      { text: 'mine', error: false, at: at - 200 },
      { text: 'notice', error: false, at: at - 100 },
      0,
      'notice',
    ],
    [
      'at the same moment the error wins',
      { text: 'mine', error: false, at: at - 100 },
      { text: "can't pause", error: true, at: at - 100 },
      0,
      "can't pause",
    ],
    [
      'an error said before the phase changed is about what was: it is not shown',
      undefined,
      { text: "can't pause: the pre-flight runs", error: true, at: at - 300 },
      at - 200,
      undefined,
    ],
  ] as const)('%s', (_name, mine, notice, situationAt, shown) => {
    const model = screenModel(
      runOf(freshState(), {}, { wall: at, situationAt, ...(notice ? { notice } : {}) }),
      ui(mine ? { message: mine } : {}),
      factsOf(),
      terminal(120, 40),
    );
    expect(model.props.status.message?.text).toBe(shown);
  });
});

describe('screenModel: the pre-flight', () => {
  it('nodes it refused: the report takes the output pane, the selection goes to the first refused node', () => {
    const d = new Driver(freshState());
    d.send({ type: 'start', preflight: ['master-1', 'master-2', 'agent-1'] });
    d.send({
      type: 'preflight-done',
      failures: [
        { node: 'master-2', failure: 'auth-failed', message: 'Could not log in to master-2 (10.0.0.2) as core.' },
        { node: 'agent-1', failure: 'connect-failed', message: 'Could not connect to agent-1 (10.0.1.1).' },
      ],
    });
    const model = screenModel(runOf(d.state), ui(), factsOf(), terminal(80, 24));
    expect(model.props.preflight?.rows.map(stripStyle).join('\n')).toContain('master-2');
    expect(model.ctx.report?.lines).toBe(model.props.preflight?.rows.length);
    expect(model.props.status.preflight).toMatchObject({ status: 'failed', failed: 2 });
    expect(model.ctx.selectedNode).toBe('master-2');
  });
});

describe('screenModel: cost and memoisation at 2,000 nodes', () => {
  it('builds the props of a 2,000-node grid in bounded time, and a second frame keeps unchanged lists as the same arrays', () => {
    const d = atFirstConfirmation(3, 1997);
    const memo = screenMemo();
    const facts = factsOf();
    const started = performance.now();
    const first = screenModel(runOf(d.state), ui(), facts, terminal(250, 70), memo);
    const firstMs = performance.now() - started;
    expect(first.props.grid.views).toHaveLength(2001);
    // Generous for a shared machine: measured well under 100 ms.
    expect(firstMs).toBeLessThan(1000);
    const again = performance.now();
    // Time moved on, nothing else: the grid's lists are the ones it had, so its rows are not made again.
    const second = screenModel(runOf(d.state, {}, { now: T0 + 61_000 }), ui(), facts, terminal(250, 70), memo);
    expect(performance.now() - again).toBeLessThan(500);
    expect(second.props.grid.views).toBe(first.props.grid.views);
    expect(second.props.grid.version).toBe(first.props.grid.version);
    expect(second.props.grid.probed).toBe(first.props.grid.probed);
    expect(second.props.grid.roleTitles).toBe(first.props.grid.roleTitles);
    // One node changes: a new list, the other nodes' views the same objects.
    d.act({ type: 'confirm', prompt: 'confirm:masters/run-patch-script@master-1', typed: 'master-1' });
    const third = screenModel(runOf(d.state), ui(), facts, terminal(250, 70), memo);
    expect(third.props.grid.views).not.toBe(first.props.grid.views);
    const changed = third.props.grid.views.filter((v, i) => v !== first.props.grid.views[i]).map((v) => v.name);
    expect(changed).toEqual(['master-1']);
  });
});
