// The container with a real runner over a fake transport with expectations: keys in, frames out,
// and the commands that ran (or did not) checked against what was expected.
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { Runner } from '../../src/engine/runner.js';
import { App } from '../../src/ui/app/App.js';
import { TuiController } from '../../src/ui/app/controller.js';
import { createTheme, type Theme } from '../../src/ui/terminal/theme.js';
import { textWidth } from '../../src/ui/terminal/text-width.js';
import type { RunState } from '../../src/engine/state.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { colourCodes, renderScreen, type TermScreen } from './terminal.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { stripStyle } from '../../src/ui/terminal/text-width.js';
import { FakeClock } from '../../src/engine/clock.js';
import { T0, atFirstConfirmation, freshState, masterPolling, patchCluster } from './fixtures.js';

const mono = createTheme('mono');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Agents with a destructive step (plain y/n), a secret token in a gate, and journals to read.
const agentsRunbook = runbook(
  [
    section(
      'agents',
      [
        {
          id: 'remove-libltdl',
          title: 'Remove libltdl.so.7',
          run: 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7',
          destructive: true,
          confirm: 'Remove it on {{node.name}}?',
        },
        {
          id: 'registered',
          title: 'Agent registered',
          run: 'curl -H "Authorization: token={{params.jwt}}" http://{{node.ip}}:5051/metrics/snapshot',
          expect: { json: 'slave/registered', equals: 1 },
          troubleshoot: 'mesos agent',
        },
      ],
      { on: 'agent', strategy: 'serial', title: 'Patch the agents' },
    ),
  ],
  {
    title: 'Agents',
    params: { jwt: { secret: true } },
    roles: { agent: { troubleshoot: [{ title: 'mesos agent', run: 'sudo journalctl -u dcos-mesos-slave -n 5 --no-pager' }] } },
  },
);

function agentsState(agents = 2): RunState {
  return stateOf(agentsRunbook, patchCluster(0, agents), { jwt: 's3cr3t-token-value' }, ['jwt']);
}

// Agents in batches of 3, each removing the library by its own address (the commands differ per
// node) or by the same command.
function batchState(agents: number, perNode: boolean): RunState {
  const rb = runbook(
    [
      section(
        'agents',
        [
          {
            id: 'remove-libltdl',
            title: 'Remove libltdl.so.7',
            run: perNode
              ? 'ssh-keyscan {{node.ip}} && sudo rm -f /opt/mesosphere/lib/libltdl.so.7'
              : 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7',
            destructive: true,
          },
        ],
        { on: 'agent', strategy: { batch: 3 }, title: 'Patch the agents' },
      ),
    ],
    { title: 'Agents' },
  );
  return stateOf(rb, patchCluster(0, agents));
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

async function mount(
  state: RunState,
  transport: FakeTransport,
  options: { columns?: number; rows?: number; theme?: Theme } = {},
): Promise<{ r: TermScreen; controller: TuiController; runner: Runner }> {
  const size = { columns: options.columns ?? 100, rows: options.rows ?? 30 };
  const runner = new Runner({ state, transportFor: () => transport, by: 'alice' });
  const controller = new TuiController({ runner, transportFor: () => transport, size, health: false, target: 'sim:happy' });
  const r = await renderScreen(<App controller={controller} theme={options.theme ?? mono} />, size);
  cleanup.push(() => {
    controller.close();
    r.unmount();
  });
  return { r, controller, runner };
}

describe('the App', () => {
  it('waits for enter; then asks before the destructive step, naming node and command; n runs nothing', async () => {
    const t = new FakeTransport().expect(
      'sudo journalctl -u dcos-mesos-slave -n 5 --no-pager',
      { stdout: 'Nov 25 agent-1 mesos-agent[12]: Agent registered with master\n' },
      { times: Infinity },
    );
    const { r } = await mount(agentsState(), t);
    await r.waitFor('Press enter to start');
    expect(r.frame()).toMatch(/agent-1 .*\n.*agent-2/);
    await r.press('enter');
    const frame = await r.waitFor('Run on agent-1?');
    expect(frame).toContain('command  sudo rm -f /opt/mesosphere/lib/libltdl.so.7');
    expect(frame).toContain('Remove it on agent-1?');
    await wait(200);
    // enter and other keys do nothing to a confirmation.
    await r.press('enter', ' ', 'r', 't');
    await wait(200);
    expect(r.frame()).toContain('Run on agent-1?');
    await r.press('n');
    await r.waitFor('failed on agent-1: refused by alice');
    expect(t.calls.filter((c) => c.command.includes('rm -f'))).toEqual([]);
    // Refused: nothing ran, so nothing to troubleshoot and no hint about its output.
    await wait(200);
    expect(r.frame()).not.toMatch(/Troubleshoot/);
    expect(t.calls.filter((c) => c.command.includes('journalctl'))).toEqual([]);

    // Run after all, and the gate after it fails: troubleshooting opens on agent-1, its journal streamed in.
    t.expect('sudo rm -f /opt/mesosphere/lib/libltdl.so.7', {}, { node: 'agent-1' }).expect(
      /slave\/registered|metrics/,
      { stdout: '{"slave/registered":0.0}' },
      { node: 'agent-1' },
    );
    await r.press('r');
    await r.waitFor('Run on agent-1?');
    await wait(200);
    await r.press('y');
    await r.waitFor('Agent registered with master');
    expect(r.frame()).toMatch(/Troubleshoot.*agent-1/);
  });

  it(`a y pressed within 150 ms of the question appearing is ignored; pressed again later, it runs`, async () => {
    const t = new FakeTransport()
      .expect('sudo rm -f /opt/mesosphere/lib/libltdl.so.7', {}, { node: 'agent-1' })
      .expect(/Authorization: token=s3cr3t-token-value/, { stdout: '{"slave\\/registered":1.0}' }, { node: 'agent-1' });
    const { r } = await mount(agentsState(1), t);
    await r.press('enter');
    await r.waitFor('Run on agent-1?');
    await r.press('y');
    await wait(100);
    expect(t.calls).toEqual([]);
    expect(r.frame()).toContain('y ignored: it came too soon');
    await wait(250);
    await r.press('y');
    await r.waitFor((f) => / passed {2}step 2\/2/.test(f));
    t.verify();
  });

  it('secrets never reach the screen: the token is masked in the command shown', async () => {
    const t = new FakeTransport()
      .expect('sudo rm -f /opt/mesosphere/lib/libltdl.so.7')
      .expect(/token=/, { stdout: 'echo: token=s3cr3t-token-value\n', exit: 1 });
    const { r } = await mount(agentsState(1), t);
    await r.press('enter');
    await r.waitFor('Run on agent-1?');
    await wait(200);
    await r.press('y');
    const frame = await r.waitFor('failed on agent-1');
    expect(r.bytes()).not.toContain('s3cr3t-token-value');
    expect(frame).toContain('••••••');
  });

  it('q asks first while the run goes, and says what runs', async () => {
    const t = new FakeTransport().expect('sudo rm -f /opt/mesosphere/lib/libltdl.so.7', { hang: true });
    const { r, controller } = await mount(agentsState(1), t);
    await r.press('enter');
    await r.waitFor('Run on agent-1?');
    await wait(200);
    await r.press('y');
    await r.waitFor('Remove libltdl.so.7');
    await r.press('q');
    const frame = await r.waitFor('Quit?');
    expect(frame).toContain('agent-1  agents/remove-libltdl');
    expect(frame).toContain('$ sudo rm -f /opt/mesosphere/lib/libltdl.so.7');
    let quit = false;
    void controller.quitRequested.then(() => (quit = true));
    await r.press('n');
    await wait(50);
    expect(quit).toBe(false);
    await r.press('q', 'y');
    await wait(50);
    expect(quit).toBe(true);
  });

  it('re-lays out from 250x70 to 80x24: exactly the terminal size, every row within its width', async () => {
    const t = new FakeTransport();
    const { r, controller } = await mount(freshState(3, 20), t, { columns: 250, rows: 70 });
    const check = (columns: number, rows: number) => {
      const lines = r.frame().split('\n');
      expect(lines).toHaveLength(rows);
      for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(columns);
    };
    check(250, 70);
    expect(r.frame().match(/agent-\d+/g)?.length).toBe(20);
    controller.resize({ columns: 80, rows: 24 });
    await r.resize(80, 24);
    await r.waitFor((f) => f.split('\n').length === 24);
    check(80, 24);
    expect(r.frame()).toContain('Agents 20');
  });

  it('mono (NO_COLOR): no colour codes at all', async () => {
    const t = new FakeTransport();
    const { r } = await mount(freshState(3, 20), t, { theme: createTheme('mono') });
    expect(colourCodes(r.bytes())).toEqual([]);
    // The same screen in colour has them: the check can see colour when there is some.
    const { r: d } = await mount(freshState(3, 20), t, { theme: createTheme('dark') });
    expect(colourCodes(d.bytes()).length).toBeGreaterThan(0);
  });

  it('one node of a batch fails: the others show that they passed and are held for the decision, not a spinner; q says so; the version is what the node reported', async () => {
    const rb = runbook(
      [
        section(
          'agents',
          [
            {
              id: 'version',
              title: 'Installed version',
              run: 'cat /opt/mesosphere/etc/dcos-version.json',
              capture: { node_version: '"version":\\s*"([^"]+)"' },
            },
            { id: 'patch', title: 'Run the node patch script', run: 'sudo bash dcos_node_upgrade.sh' },
            { id: 'registered', title: 'Agent registered', run: 'true' },
          ],
          { on: 'agent', strategy: { batch: 3 }, title: 'Patch the agents' },
        ),
      ],
      { title: 'Agents', header: { patch: '1.11.4 -> 1.11.5' } },
    );
    const t = new FakeTransport()
      .expect('cat /opt/mesosphere/etc/dcos-version.json', { stdout: '{"version": "1.11.4"}\n' }, { times: 3 })
      .expect(
        'sudo bash dcos_node_upgrade.sh',
        { exit: 1, stdout: 'ERROR: Expecting to upgrade DC/OS from 1.11.4 to 1.11.5. Version found on node: 1.11.5\n', delayMs: 100 },
        { node: 'agent-2' },
      )
      // The other two pass after agent-2 failed; they must not move on while the operator decides.
      .expect('sudo bash dcos_node_upgrade.sh', { delayMs: 600 }, { node: 'agent-1' })
      .expect('sudo bash dcos_node_upgrade.sh', { delayMs: 600 }, { node: 'agent-3' });
    const { r, runner } = await mount(stateOf(rb, patchCluster(0, 3)), t, { columns: 160, rows: 30 });
    await r.press('enter');
    const frame = await r.waitFor(
      (f) => f.includes('r retry') && (f.match(/◇ waits for your decision on agent-2; Run the node patch/g) ?? []).length === 2,
    );
    const row = (node: string) => frame.split('\n').find((l) => l.includes(`${node} `) && l.includes('10.0.1.')) ?? '';
    for (const n of ['agent-1', 'agent-3']) {
      expect(row(n)).toContain('◇ waits for your decision on agent-2; Run the node patch');
      expect(row(n)).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏◐]/);
    }
    expect(runner.getState().counters.running).toBe(0);
    // The version column: what agent-2 said it runs, not the 1.11.4 captured before.
    expect(row('agent-2')).toContain('1.11.5');
    expect(row('agent-1')).toContain('1.11.4');
    await r.press('escape', 'q');
    const quit = await r.waitFor('Quit?');
    expect(quit.replace(/\s+/g, ' ')).toContain(
      'Nothing is running on the nodes now. 2 nodes are held between steps (waits for your decision on agent-2).',
    );
    t.verify();
  });

  it('a batch waiting on one step: the dialog lists every node, a (not too soon) runs it on each, once', async () => {
    const t = new FakeTransport();
    for (const n of ['agent-1', 'agent-2', 'agent-3']) t.expect('sudo rm -f /opt/mesosphere/lib/libltdl.so.7', {}, { node: n });
    const { r, runner } = await mount(batchState(4, false), t);
    await r.press('enter');
    let frame = await r.waitFor('3 nodes wait on this step');
    expect(frame).toContain('a runs it on all 3, the same command on each:');
    expect(frame).toMatch(/agent-1 10\.0\.1\.1 {3}agent-2 10\.0\.1\.2 {3}agent-3 10\.0\.1\.3/);
    expect(frame).toContain('command  sudo rm -f /opt/mesosphere/lib/libltdl.so.7');
    expect(frame).toContain('y run on agent-1   a run on all 3   n refuse   s skip (asks why)');
    expect(frame).toMatch(/ y yes {2}a all {2}n no/);
    // Too soon after the question: ignored, nothing ran.
    await r.press('a');
    await wait(50);
    expect(t.calls).toEqual([]);
    expect(r.frame()).toContain('a ignored: it came too soon');
    await wait(250);
    await r.press('a');
    // agent-4, in the next batch, is asked on its own.
    frame = await r.waitFor('Run on agent-4?');
    expect(frame).not.toContain('nodes wait on this step');
    expect(t.calls.map((c) => c.node).sort()).toEqual(['agent-1', 'agent-2', 'agent-3']);
    t.verify();
    const confirmed = runner.getState().nodes;
    for (const n of ['agent-1', 'agent-2', 'agent-3']) expect(confirmed.get(n)?.tasks.get('agents/remove-libltdl')?.status).toBe('passed');
  });

  it('commands that differ per node are each listed with their node', async () => {
    const t = new FakeTransport();
    const { r } = await mount(batchState(3, true), t, { columns: 100, rows: 40 });
    await r.press('enter');
    const frame = await r.waitFor('3 nodes wait on this step');
    expect(frame).toContain('a runs it on all 3, each its own command:');
    for (const n of [1, 2, 3])
      expect(frame).toMatch(new RegExp(`agent-${n}  10\\.0\\.1\\.${n}\\s*│\\n│ +ssh-keyscan 10\\.0\\.1\\.${n} && sudo rm -f`));
  });

  it('a list that does not fit is not offered: a says why, y answers the one node', async () => {
    const t = new FakeTransport();
    const { r } = await mount(batchState(3, true), t, { columns: 60, rows: 14 });
    await r.press('enter');
    const frame = await r.waitFor('Run on agent-1?');
    expect(frame).not.toContain('wait on this step');
    expect(frame).not.toMatch(/\ba all\b/);
    await wait(200);
    await r.press('a');
    await r.waitFor('a not offered: the 3 nodes waiting do not fit');
    expect(t.calls).toEqual([]);
  });

  it.each([
    ['a collapsed grid of 300 agents', () => masterPolling(3, 300).state, 120, 40],
    ['a confirmation dialog', () => atFirstConfirmation(3, 20).state, 250, 70],
    ['a small terminal', () => masterPolling(3, 20).state, 80, 24],
  ])('the terminal shows exactly the rows the Screen hands to the screen writer: %s', async (_name, state, columns, rows) => {
    const size = { columns, rows };
    const t = new FakeTransport();
    const runner = new Runner({ state: state(), transportFor: () => t, by: 'alice' });
    const controller = new TuiController({
      runner,
      transportFor: () => t,
      size,
      health: false,
      target: 'sim:happy',
      wallClock: () => 0,
      clock: new FakeClock(T0 + 60_000),
    });
    let presented: readonly string[] = [];
    const r = await renderScreen(<App controller={controller} theme={createTheme('dark')} />, {
      ...size,
      onFrame: (rows) => (presented = rows),
    });
    cleanup.push(() => {
      controller.close();
      r.unmount();
    });
    // Exactly the terminal's size; the rows carry the colours themselves, and the terminal shows
    // the same characters where the rows put them (wide characters included).
    expect(presented).toHaveLength(rows);
    expect(r.bytes()).toMatch(/\x1b\[3\d/);
    expect(r.lines()).toEqual(presented.map((l) => stripStyle(l).trimEnd()));
  });
});

describe('the output pane of a node with nothing to show', () => {
  it('says "(no output yet)" while its step may still print, "(no output)" once the step ended', async () => {
    const { outputPaneLines } = await import('../../src/ui/panes/output-pane.js');
    const base = {
      node: 'agent-1',
      step: 'patch',
      lines: [],
      scroll: 0,
      total: 0,
      width: 40,
      height: 3,
      focused: false,
      theme: mono,
      version: 0,
    };
    expect(outputPaneLines(base)[1]?.trim()).toBe('(no output yet)');
    expect(outputPaneLines({ ...base, ended: true })[1]?.trim()).toBe('(no output)');
  });
});
