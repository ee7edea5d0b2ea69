// What the screen does on its own when the run changes, decided by the controller from two
// snapshots (decide()), and the controller doing it with no screen mounted: no effect of a
// component reads what was drawn to feed it back.
import { afterEach, describe, expect, it } from 'vitest';
import { Runner } from '../../src/engine/runner.js';
import type { RunState } from '../../src/engine/state.js';
import { decide, TuiController, type Seen } from '../../src/ui/app/controller.js';
import { screenModel } from '../../src/ui/app/screen-model.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { Driver, atFirstConfirmation, freshState, patchCluster } from './fixtures.js';

const AT = 5_000;
const seen = (state: RunState, listed?: string): Seen => ({ state, ...(listed !== undefined ? { listed } : {}) });

// Agents whose gate names the second of their role's troubleshooting commands.
const agentsRunbook = runbook(
  [
    section(
      'agents',
      [
        {
          id: 'registered',
          title: 'Agent registered',
          run: 'curl -fsS http://{{node.ip}}:5051/metrics/snapshot',
          troubleshoot: 'mesos agent',
        },
      ],
      { on: 'agent', strategy: { batch: 2 } },
    ),
  ],
  {
    title: 'Agents',
    roles: {
      agent: {
        troubleshoot: [
          { title: 'disk', run: 'df -h' },
          { title: 'mesos agent', run: 'sudo journalctl -u dcos-mesos-slave -n 5' },
        ],
      },
    },
  },
);

function agentsRunning(): Driver {
  const d = new Driver(stateOf(agentsRunbook, patchCluster(0, 2)));
  d.start();
  return d;
}

function scriptFailed(): Driver {
  const d = atFirstConfirmation();
  d.act({ type: 'confirm', prompt: 'confirm:masters/run-patch-script@master-1', typed: 'master-1' });
  d.done('masters/run-patch-script@master-1', { exit: 1 });
  return d;
}

function refusedByOperator(): Driver {
  const d = atFirstConfirmation();
  d.act({ type: 'refuse', prompt: 'confirm:masters/run-patch-script@master-1' });
  return d;
}

function localFailed(): Driver {
  const d = new Driver(freshState());
  d.start();
  d.done('prep/check@local', { exit: 1 });
  return d;
}

function preflightRefused(): Driver {
  const d = new Driver(freshState());
  d.send({ type: 'start', preflight: ['master-1', 'agent-1'] });
  d.send({ type: 'preflight-done', failures: [{ node: 'agent-1', failure: 'auth-failed', message: 'Could not log in to agent-1.' }] });
  return d;
}

describe('decide(previous, next)', () => {
  const fresh = freshState();
  const asked = atFirstConfirmation().state;
  it.each([
    ['the first snapshot, nothing asked: nothing', undefined, seen(fresh), []],
    [
      'a confirmation is asked: its guard starts',
      seen(fresh),
      seen(asked),
      [{ type: 'prompt-shown', prompt: `confirm:masters/run-patch-script@master-1#${asked.prompts[0]!.askedAt}`, at: AT }],
    ],
    [
      'the first snapshot already asks (a resumed run): its guard starts',
      undefined,
      seen(asked),
      [{ type: 'prompt-shown', prompt: `confirm:masters/run-patch-script@master-1#${asked.prompts[0]!.askedAt}`, at: AT }],
    ],
    ['the same confirmation again: nothing', seen(asked), seen(asked), []],
    [
      'a gate fails: troubleshooting opens on its node, at the command the step names',
      seen(agentsRunning().state),
      seen(
        (() => {
          const d = agentsRunning();
          d.done('agents/registered@agent-2', { exit: 7 });
          return d.state;
        })(),
      ),
      [{ type: 'gate-failed', node: 'agent-2', index: 1, at: AT }],
    ],
    [
      "a step that names no command fails: troubleshooting opens at the role's first",
      seen(asked),
      seen(scriptFailed().state),
      [{ type: 'gate-failed', node: 'master-1', at: AT }],
    ],
    [
      'the same failure in the next snapshot: nothing (the operator may have closed it)',
      seen(scriptFailed().state),
      seen(scriptFailed().state),
      [],
    ],
    ['refused by the operator: nothing ran, nothing to troubleshoot', seen(asked), seen(refusedByOperator().state), []],
    ['a failure on a node whose role has no commands: nothing', seen(fresh), seen(localFailed().state), []],
    [
      'the pre-flight refused nodes: its report takes the focus',
      seen(fresh),
      seen(preflightRefused().state),
      [{ type: 'preflight-failed', at: AT }],
    ],
    ['the same refusal again: nothing', seen(preflightRefused().state), seen(preflightRefused().state), []],
    [
      'the nodes listed for a change: their guard starts again',
      seen(asked, 'a b'),
      seen(asked, 'a b c'),
      [{ type: 'group-shown', group: 'a b c', at: AT }],
    ],
    ['they are no longer listed (the terminal shrank)', seen(asked, 'a b'), seen(asked), [{ type: 'group-shown', at: AT }]],
    ['still listed: nothing', seen(asked, 'a b'), seen(asked, 'a b'), []],
  ] as const)('%s', (_name, prev, next, msgs) => {
    expect(decide(prev, next, AT)).toEqual(msgs);
  });

  it('two failures in one snapshot (events coalesced into one frame): troubleshooting opens on the first only', () => {
    const d = new Driver(stateOf(agentsRunbook, patchCluster(0, 2)));
    d.start();
    const before = d.state;
    d.done('agents/registered@agent-2', { exit: 7 });
    d.done('agents/registered@agent-1', { exit: 7 });
    const first = d.state.prompts.find((p) => p.kind === 'failure')!.node;
    expect(decide(seen(before), seen(d.state), AT)).toEqual([{ type: 'gate-failed', node: first, index: 1, at: AT }]);
  });
});

describe('the controller decides with no screen mounted', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });
  const until = async (test: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!test()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('a gate fails: the selection goes to its node, troubleshooting opens and its command runs there', async () => {
    const rb = runbook(
      [
        section(
          'agents',
          [
            {
              id: 'registered',
              title: 'Agent registered',
              run: 'curl -fsS http://{{node.ip}}:5051/metrics/snapshot',
              troubleshoot: 'mesos agent',
            },
          ],
          {
            on: 'agent',
            strategy: 'serial',
          },
        ),
      ],
      { title: 'Agents', roles: { agent: { troubleshoot: [{ title: 'mesos agent', run: 'sudo journalctl -u dcos-mesos-slave -n 5' }] } } },
    );
    const t = new FakeTransport()
      .expect(/metrics\/snapshot/, { exit: 7, stderr: 'curl: (7) Failed to connect' }, { node: 'agent-1' })
      .expect('sudo journalctl -u dcos-mesos-slave -n 5', { stdout: 'mesos-agent[12]: lost the master\n' }, { node: 'agent-1' });
    const runner = new Runner({ state: stateOf(rb, patchCluster(0, 2)), transportFor: () => t, by: 'alice' });
    const controller = new TuiController({ runner, transportFor: () => t, size: { columns: 120, rows: 40 }, health: false, maxFps: 1000 });
    cleanup.push(() => controller.close());
    controller.perform({ type: 'start' });
    await until(() => controller.snapshot().ui.troubleshoot.open);
    const { ui } = controller.snapshot();
    expect(ui).toMatchObject({ selectedNode: 'agent-1', nodePinned: true, troubleshoot: { open: true, index: 0 } });
    expect(ui.message?.text).toBe('a step failed on agent-1: troubleshooting opened');
    await until(() => controller.troubleshooter.view().status === 'done');
    expect(
      controller.troubleshooter
        .view()
        .lines.slice(0)
        .map((l) => l.text),
    ).toEqual(['mesos-agent[12]: lost the master']);
    t.verify();
  });

  it('a watcher (read-only): a gate fails and nothing is run on the node, nothing is said as if a key had been refused', async () => {
    const rb = runbook(
      [
        section('agents', [{ id: 'registered', run: 'curl -fsS http://{{node.ip}}:5051/metrics/snapshot', troubleshoot: 'mesos agent' }], {
          on: 'agent',
        }),
      ],
      { title: 'Agents', roles: { agent: { troubleshoot: [{ title: 'mesos agent', run: 'sudo journalctl -u dcos-mesos-slave -n 5' }] } } },
    );
    // Only the gate's command is expected: a troubleshooting command would be a call the fake refuses.
    const t = new FakeTransport().expect(/metrics\/snapshot/, { exit: 7, stderr: 'curl: (7) Failed to connect' }, { node: 'agent-1' });
    const runner = new Runner({ state: stateOf(rb, patchCluster(0, 1)), transportFor: () => t, by: 'alice' });
    const controller = new TuiController({
      runner,
      transportFor: () => t,
      size: { columns: 120, rows: 40 },
      health: false,
      maxFps: 1000,
      readOnly: 'read-only: the player at alice@host (pid 1) answers',
    });
    cleanup.push(() => controller.close());
    runner.start();
    await until(() => controller.snapshot().state.prompts.some((p) => p.kind === 'failure'));
    await new Promise((r) => setTimeout(r, 100));
    const { ui } = controller.snapshot();
    expect(ui.troubleshoot.open).toBe(false);
    expect(ui.message).toBeUndefined();
    expect(t.calls.map((c) => c.command)).toEqual(['curl -fsS http://10.0.1.1:5051/metrics/snapshot']);
    runner.dispatch({ type: 'abort', by: 'alice' });
  });

  it('the terminal shrinks under a listed group and grows again: a, pressed at once, waits for the list to have been read', async () => {
    const rb = runbook(
      [
        section(
          'agents',
          [{ id: 'remove-libltdl', title: 'Remove libltdl.so.7', run: 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7', destructive: true }],
          { on: 'agent', strategy: { batch: 30 } },
        ),
      ],
      { title: 'Agents' },
    );
    const t = new FakeTransport();
    let wall = 1_000_000;
    const runner = new Runner({ state: stateOf(rb, patchCluster(0, 30)), transportFor: () => t, by: 'alice' });
    const controller = new TuiController({
      runner,
      transportFor: () => t,
      size: { columns: 250, rows: 70 },
      health: false,
      maxFps: 1000,
      wallClock: () => wall,
    });
    cleanup.push(() => controller.close());
    controller.perform({ type: 'start' });
    await until(() => controller.snapshot().ui.guard.group !== undefined);
    const listedAt = controller.snapshot().ui.guard.groupShownAt;
    expect(controller.snapshot().ui.guard.group?.split(' ')).toHaveLength(30);

    wall += 10;
    controller.resize({ columns: 80, rows: 24 });
    expect(controller.snapshot().ui.guard.group).toBeUndefined();
    wall += 5_000;
    controller.resize({ columns: 250, rows: 70 });
    const { ui } = controller.snapshot();
    expect(ui.guard.groupShownAt).toBe(wall);
    expect(ui.guard.groupShownAt).not.toBe(listedAt);

    // `a` at once, read against what the screen shows now: too soon, nothing runs.
    const screen = () => {
      const snap = controller.snapshot();
      const { run, facts } = controller.screenInputs(snap);
      return screenModel(run, snap.ui, facts, { ...snap.size, theme: createTheme('mono'), spinner: '*' });
    };
    wall += 20;
    controller.key('a', 'a', screen().ctx);
    expect(controller.snapshot().ui.message?.text).toMatch(/^a ignored: the nodes waiting on this step changed just now/);
    expect(t.calls).toEqual([]);
  });
});
