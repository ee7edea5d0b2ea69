// The terminal UI end to end, in a real tmux server: the built binary plays a runbook against the
// simulated DC/OS cluster (over real SSH), driven with send-keys and read with capture-pane.
// When `runbook train` exists these tests still use play with a small runbook of their own, so
// that what they check (a confirmation before a destructive step, n, y, t, resize, q) is reached
// in a few keys.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimCluster } from '../../src/sim/index.js';
import { buildBinary } from '../engine/binary.js';
import { textWidth } from '../../src/ui/terminal/text-width.js';
import { Tmux, hasTmux } from './tmux.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const LIB = '/opt/mesosphere/lib/libltdl.so.7';
const hasSsh = (): boolean => {
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!hasTmux())('the terminal UI in tmux', () => {
  let sim: SimCluster;
  let dir: string;
  let cli: { cli: string; remove: () => void };
  const tmux = new Tmux(`runbook-e2e-${process.pid}`);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runbook-e2e-'));
    [cli, sim] = await Promise.all([buildBinary(), startSimulator({ masters: 3, agents: 3, publicAgents: 0, dir: path.join(dir, 'sim') })]);
    // The operator's known_hosts holds the simulator's host keys, as after `runbook sim`.
    mkdirSync(path.join(dir, 'home', '.ssh'), { recursive: true });
    copyFileSync(sim.files.knownHosts, path.join(dir, 'home', '.ssh', 'known_hosts'));
  }, 60_000);

  afterAll(async () => {
    await tmux.kill();
    await sim?.close();
    cli?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const hasLib = (node: string) => sim.model.state(node).fs.exists(LIB);

  it('shows the nodes, confirms before the destructive step (n leaves the node alone, y runs it), troubleshoots, survives a resize, asks before quitting', async () => {
    const command = [
      process.execPath,
      cli.cli,
      'play',
      path.join(here, 'fixtures', 'patch-agents.yaml'),
      '--inventory',
      sim.files.inventory,
      '--state-dir',
      path.join(dir, 'state'),
    ]
      .map((w) => `'${w}'`)
      .join(' ');
    await tmux.start(command, 120, 36, { HOME: path.join(dir, 'home'), CI: 'false', TERM: 'xterm-256color', PATH: process.env.PATH ?? '' });

    // The grid shows every node, the run waits for enter.
    let screen = await tmux.waitFor('Press enter to start');
    for (const n of ['master-1', 'master-2', 'master-3', 'agent-1', 'agent-2', 'agent-3']) expect(screen).toContain(n);

    // t: the selected node's troubleshooting command, its journal, streamed into the pane.
    await tmux.keys('t');
    screen = await tmux.waitFor((s) => s.includes('$ sudo journalctl -u dcos-mesos-master') && /exit 0|done/.test(s));
    expect(screen).toMatch(/Troubleshoot.*master-1/);
    expect(screen).toMatch(/mesos-master/);
    await tmux.keys('t');

    // enter: the masters' check runs; agent-1's destructive step waits for a confirmation that
    // names the command and the node, and nothing has run on agent-1.
    await tmux.keys('Enter');
    screen = await tmux.waitFor('Run on agent-1?');
    expect(screen).toContain(`sudo rm -f ${LIB}`);
    expect(hasLib('agent-1')).toBe(true);

    // n refuses: the node is untouched, the failure is said, troubleshooting opens on it.
    await new Promise((r) => setTimeout(r, 300));
    await tmux.keys('n');
    screen = await tmux.waitFor('refused');
    expect(hasLib('agent-1')).toBe(true);

    // r asks again; y runs it.
    await tmux.keys('r');
    await tmux.waitFor('Run on agent-1?');
    await new Promise((r) => setTimeout(r, 300));
    await tmux.keys('y');
    await tmux.waitFor('Run on agent-2?');
    expect(hasLib('agent-1')).toBe(false);
    expect(hasLib('agent-2')).toBe(true);

    // A resize to 80x24: every row fits, the confirmation and its command are still readable.
    await tmux.resize(80, 24);
    screen = await tmux.waitFor(
      (s) => s.includes('Run on agent-2?') && s.split('\n')[0]!.includes('Patch the agents') && s.split('\n').length <= 25,
    );
    const rows = screen.replace(/\n$/, '').split('\n');
    expect(rows.length).toBe(24);
    expect(rows[0], screen).toContain('Patch the agents');
    expect(screen).toContain(`sudo rm -f ${LIB}`);

    // q asks first (the run is going), n stays, q then y quits and the summary is printed.
    await tmux.keys('q');
    // A frame is written row by row: wait for its last row too, not only its title.
    screen = await tmux.waitFor((s) => s.includes('Quit?') && s.includes('y quit now'));
    await tmux.keys('n');
    await tmux.waitFor((s) => !s.includes('Quit?'));
    await tmux.keys('q', 'y');
    screen = await tmux.waitFor('[exit 130]');
    expect(screen.replace(/\n/g, '')).toMatch(/runbook: run \S+ interrupted: passed \d+/);
    expect(hasLib('agent-2')).toBe(true);
  }, 90_000);

  it('a batch of agents waiting on one destructive step: the dialog lists each, a runs it on all of them', async () => {
    for (const n of ['agent-1', 'agent-2', 'agent-3']) sim.model.state(n).fs.put(LIB, '');
    const batch = new Tmux(`runbook-e2e-batch-${process.pid}`);
    try {
      const command = [
        process.execPath,
        cli.cli,
        'play',
        path.join(here, 'fixtures', 'patch-agents-batch.yaml'),
        '--inventory',
        sim.files.inventory,
        '--state-dir',
        path.join(dir, 'batch-state'),
      ]
        .map((w) => `'${w}'`)
        .join(' ');
      await batch.start(command, 100, 30, {
        HOME: path.join(dir, 'home'),
        CI: 'false',
        TERM: 'xterm-256color',
        PATH: process.env.PATH ?? '',
      });
      await batch.waitFor('Press enter to start');
      await batch.keys('Enter');
      const screen = await batch.waitFor('3 nodes wait on this step');
      expect(screen).toMatch(/agent-1 10\.0\.1\.1 +agent-2 10\.0\.1\.2 +agent-3 10\.0\.1\.3/);
      expect(screen).toContain(`sudo rm -f ${LIB}`);
      expect(['agent-1', 'agent-2', 'agent-3'].map(hasLib)).toEqual([true, true, true]);
      await new Promise((r) => setTimeout(r, 300));
      await batch.keys('a');
      await batch.waitFor('The run passed');
      expect(['agent-1', 'agent-2', 'agent-3'].map(hasLib)).toEqual([false, false, false]);
      await batch.keys('q');
      expect(await batch.waitFor('[exit 0]')).toMatch(/passed 3, failed 0/);
    } finally {
      await batch.kill();
    }
  }, 60_000);

  it('w wraps a cut journal line in the troubleshooting pane and cuts it again; → scrolls it sideways (80x24, the built binary)', async () => {
    const lines = new Tmux(`runbook-e2e-lines-${process.pid}`);
    try {
      const command = [
        process.execPath,
        cli.cli,
        'play',
        path.join(here, 'fixtures', 'patch-agents.yaml'),
        '--inventory',
        sim.files.inventory,
        '--state-dir',
        path.join(dir, 'lines-state'),
      ]
        .map((w) => `'${w}'`)
        .join(' ');
      await lines.start(command, 80, 24, {
        HOME: path.join(dir, 'home'),
        CI: 'false',
        TERM: 'xterm-256color',
        PATH: process.env.PATH ?? '',
      });
      await lines.waitFor('Press enter to start');
      await lines.keys('t');
      // Journal lines are wider than 80 columns: cut, and the title says how to read them (O inside tmux).
      let screen = await lines.waitFor((s) => s.includes('cut: w wraps, O opens in tmux') && /exit 0|done/.test(s));
      const journal = (s: string) => s.split('\n').filter((l) => /mesos-master\[\d+\]:/.test(l));
      expect(journal(screen).length).toBeGreaterThan(0);
      for (const l of journal(screen)) expect(l).toMatch(/…$/);
      await lines.keys('w');
      screen = await lines.waitFor('wrapped: w cuts');
      // The newest line, whole: its rows follow its first one, none cut, none past 80 columns.
      const rows = screen.replace(/\n$/, '').split('\n');
      expect(rows).toHaveLength(24);
      for (const r of rows) expect(textWidth(r)).toBeLessThanOrEqual(80);
      const last = rows.findLastIndex((l) => /mesos-master\[\d+\]:/.test(l));
      expect(last).toBeGreaterThan(0);
      expect(rows[last]).toHaveLength(80);
      expect(rows[last + 1]!.trim().length).toBeGreaterThan(0);
      expect(rows.slice(last, -2).join('')).not.toContain('…');
      await lines.keys('w');
      await lines.waitFor('cut: w wraps');
      await lines.keys('Right');
      screen = await lines.waitFor('from col 41: ← back');
      for (const l of screen.split('\n').filter((x) => /^….*\d/.test(x))) expect(textWidth(l)).toBeLessThanOrEqual(80);
      // Quit before the run started: nothing ran, the run counts as interrupted.
      await lines.keys('q');
      await lines.waitFor('[exit 130]');
    } finally {
      await lines.kill();
    }
  }, 60_000);

  it.skipIf(!hasSsh())(
    'o opens a tmux window with an SSH shell on the selected node, host keys checked; it closes cleanly',
    async () => {
      // A home of its own: its known_hosts is changed below.
      const home = path.join(dir, 'o-home');
      mkdirSync(path.join(home, '.ssh'), { recursive: true });
      const knownHosts = path.join(home, '.ssh', 'known_hosts');
      copyFileSync(sim.files.knownHosts, knownHosts);
      const shell = new Tmux(`runbook-e2e-shell-${process.pid}`);
      try {
        // The simulator's inventory names its own known_hosts file, looked up first; this test is
        // about the operator's, so its inventory names none.
        const inventory = path.join(dir, 'o-inventory.yaml');
        writeFileSync(inventory, readFileSync(sim.files.inventory, 'utf8').replace(/^known_hosts:.*\n/m, ''));
        const command = [
          process.execPath,
          cli.cli,
          'play',
          path.join(here, 'fixtures', 'patch-agents.yaml'),
          '--inventory',
          inventory,
          '--state-dir',
          path.join(dir, 'o-state'),
        ]
          .map((w) => `'${w}'`)
          .join(' ');
        await shell.start(command, 120, 36, { HOME: home, CI: 'false', TERM: 'xterm-256color', PATH: process.env.PATH ?? '' });
        let screen = await shell.waitFor('Press enter to start');
        expect(screen).toMatch(/› master-1/);

        // o: a new window whose ssh checks the node's host key against the operator's known_hosts.
        await shell.keys('o');
        const opened = await shell.waitFor('[dcos@master-1 ~]$', 15_000, 'e2e:1');
        expect(opened).toContain('Last login:');
        const windows = await shell.windows();
        expect(windows.map((w) => w.name)).toEqual([expect.any(String), 'ssh master-1']);
        const ssh = windows[1]!.command;
        expect(ssh).toContain("'StrictHostKeyChecking=yes'");
        expect(ssh).toContain(`'UserKnownHostsFile=${knownHosts}'`);
        expect(ssh).not.toMatch(/StrictHostKeyChecking=(no|accept-new)/);
        // It is the node's own shell: its hostname, and a command run there.
        await shell.keysTo('e2e:1', { text: 'hostname' }, 'Enter');
        await shell.waitFor(/hostname\s*\n\s*master-1\s*\n/, 10_000, 'e2e:1');

        // exit: ssh ends, the window says so and closes on enter; the TUI's window is still there.
        await shell.keysTo('e2e:1', { text: 'exit' }, 'Enter');
        await shell.waitFor('[ssh master-1 ended: press enter to close this window]', 10_000, 'e2e:1');
        await shell.keysTo('e2e:1', 'Enter');
        for (const until = Date.now() + 10_000; (await shell.windows()).length > 1 && Date.now() < until;)
          await new Promise((r) => setTimeout(r, 100));
        expect((await shell.windows()).map((w) => w.index)).toEqual([0]);
        screen = await shell.screen('e2e:0');
        expect(screen).toContain('opened tmux window "ssh master-1"');

        // A changed host key (master-2's key under master-1's name) is refused, never trusted.
        const lines = readFileSync(sim.files.knownHosts, 'utf8').trim().split('\n');
        const port = (n: string) => sim.inventory.nodes.find((x) => x.name === n)!.port;
        const key = (n: string) =>
          lines
            .find((l) => l.startsWith(`[127.0.0.1]:${port(n)} `))!
            .split(' ')
            .slice(1)
            .join(' ');
        writeFileSync(knownHosts, `[127.0.0.1]:${port('master-1')} ${key('master-2')}\n`);
        await shell.keysTo('e2e:0', 'o');
        const refused = await shell.waitFor('[ssh master-1 ended: press enter to close this window]', 15_000, 'e2e:1');
        expect(refused).toContain('Host key verification failed.');
        expect(refused).not.toContain('[dcos@master-1');
        await shell.keysTo('e2e:1', 'Enter');
        for (const until = Date.now() + 10_000; (await shell.windows()).length > 1 && Date.now() < until;)
          await new Promise((r) => setTimeout(r, 100));
        expect((await shell.windows()).map((w) => w.index)).toEqual([0]);

        await shell.keysTo('e2e:0', 'q');
        await shell.waitFor('[exit', 10_000, 'e2e:0');
      } finally {
        await shell.kill();
      }
    },
    90_000,
  );

  // `runbook train` plays the DC/OS runbook against a simulator of its own: once it exists, the
  // screen it opens on is checked here too.
  const trainBuilt = !readFileSync(path.join(here, '..', '..', 'src', 'cli', 'train.ts'), 'utf8').includes('not built yet');
  it.skipIf(!trainBuilt)(
    'runbook train opens on the grid of the simulated cluster and quits on q',
    async () => {
      const train = new Tmux(`runbook-e2e-train-${process.pid}`);
      try {
        await train.start(`'${process.execPath}' '${cli.cli}' train --nodes 3,20 --state-dir '${path.join(dir, 'train-state')}'`, 120, 40, {
          HOME: path.join(dir, 'home'),
          CI: 'false',
          TERM: 'xterm-256color',
          PATH: process.env.PATH ?? '',
        });
        // The briefing first; the header says training, never the scenario (its name gives the fault away).
        let screen = await train.waitFor('Training briefing', 30_000);
        expect(screen.split('\n')[0]).toContain('training');
        expect(screen.split('\n')[0]).not.toMatch(/sim:/);
        await train.keys('Enter');
        screen = await train.waitFor((s) => s.includes('master-1') && s.includes('Nodes') && !s.includes('Training briefing'), 30_000);
        await train.keys('q');
        await train.waitFor((s) => s.includes('[exit') || s.includes('Quit?'));
      } finally {
        await train.kill();
      }
    },
    60_000,
  );

  it.skipIf(!trainBuilt)(
    'quitting a training says `runbook train --resume <run>` on the screen; that command lands on the same step, its note in the TUI',
    async () => {
      const train = new Tmux(`runbook-e2e-resume-${process.pid}`);
      const env = { HOME: path.join(dir, 'home'), CI: 'false', TERM: 'xterm-256color', PATH: process.env.PATH ?? '' };
      const state = path.join(dir, 'resume-state');
      const start = (args: string) =>
        train.start(`'${process.execPath}' '${cli.cli}' train ${args} --time-scale 500 --state-dir '${state}'`, 100, 30, env);
      // The step the confirmation on screen asks about: its dialog names it as section/step.
      const asked = (screen: string) => /│\s*\S.*?\s{2}([a-z][\w-]*\/[a-z][\w-]*)\s*│/.exec(screen)?.[1];
      try {
        await start('--nodes 1,1');
        await train.waitFor('Training briefing', 30_000);
        await train.keys('Enter');
        await train.waitFor((s) => s.includes('Press enter to start') && !s.includes('Training briefing'));
        await train.keys('Enter');
        // The first step that waits for the trainee: the run is mid-way.
        const waiting = await train.waitFor((s) => /y (done|run it) {3}n refuse/.test(s), 30_000);
        const step = asked(waiting);
        expect(step, waiting).toBeTruthy();
        await new Promise((r) => setTimeout(r, 300));
        await train.keys('q');
        const quit = await train.waitFor('Quit?');
        const id = /runbook train --resume (\d{8}-\d{6}-[0-9a-f]{4,})/.exec(quit.replace(/[│\s]+/g, ' '))?.[1];
        expect(id, quit).toBeTruthy();
        await train.keys('y');
        await train.waitFor('[exit');
        await train.kill();

        await start(`--resume ${id}`);
        const note = await train.waitFor('Training resumed', 30_000);
        expect(note).toContain(`Resuming training ${id}`);
        await train.keys('Enter');
        const again = await train.waitFor((s) => /y (done|run it) {3}n refuse/.test(s) && !s.includes('Training resumed'), 30_000);
        expect(asked(again), again).toBe(step);
      } finally {
        await train.kill();
      }
    },
    120_000,
  );

  it.skipIf(!trainBuilt)(
    'runbook train on the Chinese runbook: its own words in Chinese, aligned at 80x24 and 120x36; the patch script waits for the typed name, esc leaves the master unpatched, r and the name patch it',
    async () => {
      const train = new Tmux(`runbook-e2e-zh-${process.pid}`);
      const zh = path.join(here, '..', '..', 'runbooks', 'dcos-1.11-patch.zh-CN.yaml');
      // Rows never spill past the terminal; a dialog's rows end exactly at its right edge, so a wide
      // character counted as one column would show as a border out of line.
      const aligned = (screen: string, columns: number): void => {
        for (const row of screen.replace(/\n$/, '').split('\n')) {
          expect(textWidth(row), `${columns} columns:\n${screen}`).toBeLessThanOrEqual(columns);
          if (/^[│┌└]/.test(row)) expect(textWidth(row), `${row}\n${screen}`).toBe(columns);
        }
      };
      const masterRow = (screen: string) => screen.split('\n').find((l) => /master-1 /.test(l) && !l.startsWith('│')) ?? '';
      // Confirms the informational steps before the masters (y), until `want` shows.
      const confirmUntil = async (want: (s: string) => boolean): Promise<string> => {
        const until = Date.now() + 60_000;
        for (;;) {
          const screen = await train.screen();
          if (want(screen)) return screen;
          if (Date.now() > until) throw new Error(`never reached; the screen:\n${screen}`);
          if (/y (完成|运行) {3}n 拒绝/.test(screen)) {
            await new Promise((r) => setTimeout(r, 300));
            await train.keys('y');
          }
          await new Promise((r) => setTimeout(r, 150));
        }
      };
      try {
        const command = [
          process.execPath,
          cli.cli,
          'train',
          '--runbook',
          zh,
          '--nodes',
          '1,2',
          '--time-scale',
          '500',
          '--state-dir',
          path.join(dir, 'zh-state'),
        ];
        await train.start(command.map((w) => `'${w}'`).join(' '), 80, 24, {
          HOME: path.join(dir, 'home'),
          CI: 'false',
          TERM: 'xterm-256color',
          PATH: process.env.PATH ?? '',
        });
        await train.waitFor('培训说明', 30_000);
        await train.keys('Enter');
        let screen = await train.waitFor((s) => s.includes('按回车开始运行') && !s.includes('培训说明'), 30_000);
        expect(screen).toContain('不停机修补');
        // The UI's own words follow the runbook: no English status line or key bar.
        expect(screen).not.toMatch(/Press enter|q quit|\? help/);
        expect(screen).toMatch(/q 退出/);
        expect(masterRow(screen)).toContain('1.11.4');
        aligned(screen, 80);

        await train.keys('Enter');
        screen = await confirmUntil((s) => s.includes('在 master-1 上运行？') && s.includes('dcos_node_upgrade.sh'));
        expect(screen).toContain('将管理节点 master-1（10.0.4.1）修补到 DC/OS 1.11.5？');
        expect(screen).toContain('输入 master-1 并按回车运行');
        aligned(screen, 80);

        // y is not the name: the script does not run. esc refuses; the master still reports 1.11.4.
        await new Promise((r) => setTimeout(r, 300));
        await train.keys('y', 'Enter');
        await new Promise((r) => setTimeout(r, 300));
        expect(await train.screen()).toContain('在 master-1 上运行？');
        await train.keys('BSpace', 'Escape');
        screen = await train.waitFor((s) => /拒绝/.test(s) && !s.includes('在 master-1 上运行？'));
        expect(masterRow(screen)).toContain('1.11.4');
        aligned(screen, 80);

        // At 120x36 the same run re-lays out, still aligned.
        await train.resize(120, 36);
        screen = await train.waitFor((s) => s.split('\n')[0]!.includes('不停机修补 DC/OS 1.11 集群'));
        aligned(screen, 120);

        // r asks again; the name runs it, and the master reports the new version.
        await train.keys('r');
        await train.waitFor('输入 master-1 并按回车');
        await new Promise((r) => setTimeout(r, 300));
        await train.keysTo('e2e', { text: 'master-1' }, 'Enter');
        screen = await confirmUntil((s) => /1\.11\.5/.test(masterRow(s)));
        aligned(screen, 120);
      } finally {
        await train.kill();
      }
    },
    120_000,
  );
});
