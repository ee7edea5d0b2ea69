// `runbook watch` end to end: the built binary's screen in a real tmux, beside a real player in
// plain mode on the simulated cluster (over real SSH) that answers on a pipe this test holds.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock } from '../../src/engine/run-lock.js';
import { startSimulator, type SimCluster } from '../../src/sim/index.js';
import { buildBinary } from '../engine/binary.js';
import { Tmux, hasTmux } from './tmux.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'patch-agents.yaml');

describe.skipIf(!hasTmux())('runbook watch in tmux', () => {
  let sim: SimCluster;
  let dir: string;
  let cli: { cli: string; remove: () => void };
  const watchers = [new Tmux(`runbook-watch-a-${process.pid}`), new Tmux(`runbook-watch-b-${process.pid}`)];
  const players: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runbook-watch-e2e-'));
    [cli, sim] = await Promise.all([buildBinary(), startSimulator({ masters: 1, agents: 2, publicAgents: 0, dir: path.join(dir, 'sim') })]);
    mkdirSync(path.join(dir, 'home', '.ssh'), { recursive: true });
    copyFileSync(sim.files.knownHosts, path.join(dir, 'home', '.ssh', 'known_hosts'));
  }, 60_000);

  afterAll(async () => {
    for (const t of watchers) await t.kill();
    for (const p of players) p.kill('SIGKILL');
    await sim?.close();
    cli?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = { HOME: '', CI: 'false', TERM: 'xterm-256color', PATH: process.env.PATH ?? '' };
  const quote = (words: string[]) => words.map((w) => `'${w}'`).join(' ');

  /** A player in plain mode; resolves once it waits for its first confirmation. */
  async function player(state: string) {
    const child = spawn(process.execPath, [cli.cli, 'play', FIXTURE, '--inventory', sim.files.inventory, '--state-dir', state, '--plain'], {
      cwd: dir,
      env: { PATH: process.env.PATH, HOME: path.join(dir, 'home'), NO_COLOR: '1' },
      stdio: 'pipe',
    });
    players.push(child);
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const journal = () => {
      const name = readdirSync(path.join(state, 'runs')).find((n) => n.endsWith('.jsonl'));
      return path.join(state, 'runs', name!);
    };
    const asked = () => {
      try {
        return readFileSync(journal(), 'utf8').split('confirmation-asked').length - 1;
      } catch {
        return 0;
      }
    };
    const until = async (n: number) => {
      const end = Date.now() + 30_000;
      while (asked() < n) {
        if (Date.now() > end) throw new Error(`the player did not ask confirmation ${n}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(1);
    return { child, exit, journal: journal(), until };
  }

  it('two watchers show the step the player is on, act on nothing, follow it to its end, and leave with q', async () => {
    const state = path.join(dir, 'state');
    const p = await player(state);
    const watch = quote([process.execPath, cli.cli, 'watch', '--state-dir', state]);
    await watchers[0]!.start(watch, 100, 30, { ...env, HOME: path.join(dir, 'home') });
    await watchers[1]!.start(watch, 80, 24, { ...env, HOME: path.join(dir, 'home') });
    for (const t of watchers) {
      const screen = await t.waitFor((s) => s.includes('WATCHING (read-only)') && s.includes('agent-1') && /Remove libltdl/.test(s));
      // The player's question is on screen, as it stands.
      expect(screen).toMatch(/Remove libltdl\.so\.7 on agent-1/);
      expect(screen).toContain(`pid ${p.child.pid}`);
    }

    // Keys that would act on the run: nothing reaches the journal, the screen says who answers.
    const before = readFileSync(p.journal, 'utf8');
    const [a] = watchers;
    for (const key of ['y', 'Enter', 's', 'n', 'r', 't', 'a', 'p']) {
      await a!.keys(key);
    }
    await a!.waitFor(`read-only: the player at ${os.userInfo().username}@${os.hostname()} (pid ${p.child.pid}) answers`);
    await new Promise((r) => setTimeout(r, 500));
    expect(readFileSync(p.journal, 'utf8')).toBe(before);

    // The player answers; both watchers follow it to its end, and stay on its final screen.
    p.child.stdin.write('y\n');
    await p.until(2);
    for (const t of watchers) await t.waitFor(/Remove libltdl\.so\.7 on agent-2/);
    p.child.stdin.write('y\n');
    expect(await p.exit).toBe(0);
    for (const t of watchers) await t.waitFor((s) => /passed/.test(s.split('\n')[0]!));
    // Looking around still works on the final screen: the help opens and closes.
    await a!.keys('?');
    await a!.waitFor('In the panes');
    await a!.keys('Escape');
    for (const t of watchers) {
      await t.keys('q');
      const screen = await t.waitFor('[exit 0]');
      expect(screen).toMatch(/runbook watch: run \S+ passed/);
    }
  }, 120_000);

  it('the player killed -9 mid-run: the watcher leaves its screen saying the player is gone and how to resume', async () => {
    const state = path.join(dir, 'state-killed');
    const p = await player(state);
    const run = path.basename(p.journal, '.jsonl');
    const t = watchers[0]!;
    await t.kill();
    await t.start(quote([process.execPath, cli.cli, 'watch', run, '--state-dir', state]), 100, 30, {
      ...env,
      HOME: path.join(dir, 'home'),
    });
    await t.waitFor('WATCHING (read-only)');
    p.child.kill('SIGKILL');
    const screen = await t.waitFor('[exit 1]', 10_000);
    expect(screen).toContain('is gone');
    // A long line wraps at the pane's edge, inside a word.
    expect(screen.replace(/\n/g, '')).toContain(`runbook play --resume ${run}`);
  }, 60_000);

  it('a finished run shows its final screen and says so; two runs being played: it lists them and asks which', async () => {
    const done = readFileSync(
      readdirSync(path.join(dir, 'state', 'runs'))
        .filter((n) => n.endsWith('.jsonl'))
        .map((n) => path.join(dir, 'state', 'runs', n))[0]!,
      'utf8',
    );
    const run = JSON.parse(done.split('\n')[0]!).run as string;
    const t = watchers[0]!;
    await t.kill();
    await t.start(quote([process.execPath, cli.cli, 'watch', run, '--state-dir', path.join(dir, 'state')]), 100, 30, {
      ...env,
      HOME: path.join(dir, 'home'),
    });
    // The final screen: the header and the status line say how the run ended.
    const final = await t.waitFor(/The run passed.*q quits/);
    expect(final.split('\n')[0]).toMatch(/passed .*WATCHING \(read-only\)/);
    await t.keys('q');
    expect(await t.waitFor('[exit 0]')).toContain(`runbook watch: run ${run} passed`);

    // Two runs being played (their locks held by this process, alive): the watcher asks which.
    const state = path.join(dir, 'state-two');
    mkdirSync(path.join(state, 'runs'), { recursive: true });
    const lines = done.split('\n').filter(Boolean).slice(0, 4);
    const ids = ['20261206-130000-aaaa', '20261206-130001-bbbb'];
    for (const id of ids) writeFileSync(path.join(state, 'runs', `${id}.jsonl`), lines.map((l) => `${l.replaceAll(run, id)}\n`).join(''));
    const locks = ids.map((id) => acquireRunLock(state, id, { user: 'alice', command: 'play' }));
    try {
      await t.kill();
      await t.start(quote([process.execPath, cli.cli, 'watch', '--state-dir', state]), 100, 30, { ...env, HOME: path.join(dir, 'home') });
      const list = await t.waitFor('Which run to watch?');
      expect(list).toContain(ids[0]);
      expect(list).toContain(ids[1]);
      // Newest first: 1 is the later run.
      await t.keysTo('e2e', { text: '2' }, 'Enter');
      await t.waitFor('WATCHING (read-only)');
      await t.keys('q');
      await t.waitFor('[exit 0]');
    } finally {
      for (const l of locks) l.release();
    }
  }, 60_000);
});
