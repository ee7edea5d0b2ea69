// `runbook watch` in plain mode, the built binary beside a real player: a player in plain mode
// plays a small runbook against the simulated cluster over real SSH, answering on a pipe we hold,
// while watchers follow its journal. Also journals written by hand, under a lock this test process
// holds (a live player as far as a watcher can tell): a record torn in two writes, a journal
// deleted, a player gone.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireRunLock } from '../../src/engine/run-lock.js';
import { startSimulator, type SimCluster } from '../../src/sim/index.js';
import { buildBinary, spawnCli } from '../engine/binary.js';

const FIXTURE = path.join(import.meta.dirname, '..', 'e2e', 'fixtures', 'patch-agents.yaml');
let dir: string;
let sim: SimCluster;
let binary: Awaited<ReturnType<typeof buildBinary>>;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'runbook-watch-'));
  [binary, sim] = await Promise.all([
    buildBinary(),
    startSimulator({ masters: 1, agents: 2, publicAgents: 0, dir: path.join(dir, 'sim') }),
  ]);
  mkdirSync(path.join(dir, 'home', '.ssh'), { recursive: true });
  copyFileSync(sim.files.knownHosts, path.join(dir, 'home', '.ssh', 'known_hosts'));
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sim?.close();
  binary?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ PATH: process.env.PATH, HOME: path.join(dir, 'home'), RUNBOOK_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1' });

/** A process of the binary whose stdin stays open (a player answering on a pipe). */
function start(args: string[]) {
  const child = spawn(process.execPath, [binary.cli, ...args], { cwd: dir, env: env(), stdio: 'pipe' });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += String(c)));
  child.stderr.on('data', (c) => (err += String(c)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function until(what: () => boolean, ms = 20_000, why = 'a condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${why}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const journalOf = (stateDir: string): string => {
  const name = readdirSync(path.join(stateDir, 'runs')).find((n) => n.endsWith('.jsonl'));
  return path.join(stateDir, 'runs', name!);
};
const asked = (file: string): number => readFileSync(file, 'utf8').split('confirmation-asked').length - 1;

describe('runbook watch, plain mode', () => {
  it('two watchers follow a live player to its end and print the lines it prints, its summary last', async () => {
    const state = path.join(dir, 'state-live');
    const player = start(['play', FIXTURE, '--inventory', sim.files.inventory, '--state-dir', state, '--plain']);
    await until(
      () => {
        try {
          return asked(journalOf(state)) === 1;
        } catch {
          return false;
        }
      },
      30_000,
      'the first confirmation',
    );
    const journal = journalOf(state);
    const run = path.basename(journal, '.jsonl');
    // One finds the run being played by itself, the other is told which.
    const a = start(['watch', '--state-dir', state]);
    const b = start(['watch', run, '--state-dir', state, '--plain']);
    for (const w of [a, b])
      await until(() => /agents\/remove-libltdl@agent-1 waiting for confirmation/.test(w.out()), 10_000, 'the watcher');
    // The player answers; the watchers follow each step as it lands.
    for (let i = 1; i <= 2; i++) {
      await until(() => asked(journal) === i, 20_000, `confirmation ${i}`);
      player.child.stdin.write('y\n');
    }
    expect(await player.exit).toBe(0);
    const [ea, eb] = await Promise.all([a.exit, b.exit]);
    expect([ea, eb], a.err() + b.err()).toEqual([0, 0]);
    const steps = (text: string) => text.split('\n').filter((l) => /^\[\d\d:\d\d:\d\d\] /.test(l) && !/ health /.test(l));
    for (const w of [a, b]) {
      expect(steps(w.out())).toEqual(steps(player.out()));
      expect(w.out().trim().split('\n').at(-1)).toBe(player.out().trim().split('\n').at(-1));
      expect(w.out()).toMatch(/agents\/remove-libltdl@agent-2 passed/);
    }
  }, 90_000);

  it('the player killed -9 mid-run: the watcher says the player is gone and how to resume, exit 1', async () => {
    const state = path.join(dir, 'state-killed');
    const player = start(['play', FIXTURE, '--inventory', sim.files.inventory, '--state-dir', state, '--plain']);
    await until(
      () => {
        try {
          return asked(journalOf(state)) === 1;
        } catch {
          return false;
        }
      },
      30_000,
      'the first confirmation',
    );
    const run = path.basename(journalOf(state), '.jsonl');
    const w = start(['watch', '--state-dir', state]);
    await until(() => /waiting for confirmation/.test(w.out()), 10_000, 'the watcher');
    player.child.kill('SIGKILL');
    const began = Date.now();
    expect(await w.exit).toBe(1);
    expect(Date.now() - began).toBeLessThan(5000);
    expect(w.err()).toContain(`the player of run ${run}`);
    expect(w.err()).toContain('is gone');
    expect(w.err()).toContain(`runbook play --resume ${run}`);
    // Watching it afterwards: the same, at once.
    const again = spawnCli(binary.cli, ['watch', run, '--state-dir', state], { cwd: dir, env: env() });
    expect((await again.exit).code).toBe(1);
    expect(again.stderr()).toContain('is gone');
  }, 60_000);
});

describe('runbook watch, journals written by hand under a live lock', () => {
  /** A state dir with a run whose lock this process holds, and the first `n` records of a real journal. */
  function handMade(name: string, n: number) {
    const source = readFileSync(journalOf(path.join(dir, 'state-live')), 'utf8')
      .split('\n')
      .filter(Boolean);
    const state = path.join(dir, name);
    const run = `20261206-120000-${name.length.toString(16).padStart(4, '0')}`;
    mkdirSync(path.join(state, 'runs'), { recursive: true });
    const file = path.join(state, 'runs', `${run}.jsonl`);
    const lines = source.map((l) => l.replaceAll(JSON.parse(source[0]!).run as string, run));
    writeFileSync(
      file,
      lines
        .slice(0, n)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const lock = acquireRunLock(state, run, { user: 'alice', command: 'play' });
    return { state, run, file, lines, lock };
  }

  it('a record torn in two writes is printed once whole; the journal deleted stops the watch with exit 1', async () => {
    const h = handMade('state-torn', 3);
    try {
      const w = start(['watch', h.run, '--state-dir', h.state]);
      await until(() => w.out().split('\n').filter(Boolean).length >= 2, 10_000, 'the first lines');
      const next = h.lines.findIndex((l, i) => i >= 3 && l.includes('"section-started"'));
      for (const l of h.lines.slice(3, next)) appendFileSync(h.file, `${l}\n`);
      const record = h.lines[next]!;
      appendFileSync(h.file, record.slice(0, 25));
      await new Promise((r) => setTimeout(r, 600));
      expect(w.out()).not.toMatch(/section masters/);
      appendFileSync(h.file, `${record.slice(25)}\n`);
      await until(() => /section masters/.test(w.out()), 5000, 'the whole record');
      expect(w.out().match(/section masters/g)).toHaveLength(1);
      rmSync(h.file);
      expect(await w.exit).toBe(1);
      expect(w.err()).toMatch(/stopped watching: .*was deleted/);
      expect(w.err()).not.toMatch(/\n\s+at /);
    } finally {
      h.lock.release();
    }
  }, 30_000);

  it('without RUN: none being played is exit 2 and says how to list runs; two being played is exit 2 with both listed', async () => {
    const none = spawnCli(binary.cli, ['watch', '--state-dir', path.join(dir, 'state-empty')], { cwd: dir, env: env() });
    expect((await none.exit).code).toBe(2);
    expect(none.stderr()).toContain('no run is being played');
    expect(none.stderr()).toContain('runbook runs');
    const one = handMade('state-two', 2);
    const stateDir = one.state;
    const run2 = '20261206-120001-beef';
    writeFileSync(path.join(stateDir, 'runs', `${run2}.jsonl`), readFileSync(one.file, 'utf8').replaceAll(one.run, run2));
    const lock2 = acquireRunLock(stateDir, run2, { user: 'bob', command: 'train' });
    try {
      const several = spawnCli(binary.cli, ['watch', '--state-dir', stateDir], { cwd: dir, env: env() });
      expect((await several.exit).code).toBe(2);
      expect(several.stderr()).toContain('several runs are being played');
      expect(several.stderr()).toContain(one.run);
      expect(several.stderr()).toContain(run2);
      const bad = spawnCli(binary.cli, ['watch', 'nope', '--state-dir', stateDir], { cwd: dir, env: env() });
      expect((await bad.exit).code).toBe(2);
      const unknown = spawnCli(binary.cli, ['watch', '20261206-999999-0000', '--state-dir', stateDir], { cwd: dir, env: env() });
      expect((await unknown.exit).code).toBe(2);
      expect(unknown.stderr()).toContain('no run 20261206-999999-0000');
    } finally {
      one.lock.release();
      lock2.release();
    }
  }, 30_000);
});
