// `runbook runs` through main(), on journals the real engine writes into a temp state directory
// (runner, local transport under /bin/sh, journal and run lock on disk). A run being played is
// one whose player, a live process, holds its lock; one whose player died is told apart.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal, journalPath } from '../../src/engine/journal.js';
import { buildPlan } from '../../src/engine/plan.js';
import { acquireRunLock, lockDirOf, processStart } from '../../src/engine/run-lock.js';
import { Runner } from '../../src/engine/runner.js';
import { createRunState } from '../../src/engine/state.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { tempDir } from '../helpers/real-shell.js';
import { runMain } from '../helpers/cli-io.js';

let dir: string;
let remove: () => void;
const stateDir = () => path.join(dir, 'state');
const children: number[] = [];
const invoke = (argv: string[]) => runMain([...argv, '--state-dir', stateDir()], { HOME: dir, RUNBOOK_CONFIG_DIR: dir }, dir);

/** Starts a run of `file` on this machine, holding its lock as a player does; `done` ends it. */
async function start(file: string, runId: string, by: string) {
  const loaded = await loadRunbook(file);
  const transport = createLocalTransport({ cwd: dir });
  mkdirSync(path.join(stateDir(), 'runs'), { recursive: true, mode: 0o700 });
  const lock = acquireRunLock(stateDir(), runId, { user: by, command: 'play' });
  const journal = await Journal.create(stateDir(), runId);
  const state = createRunState({ plan: buildPlan(loaded.runbook), runId, file, digest: loaded.digest, params: {}, secrets: [], by });
  const runner = new Runner({ state, transportFor: () => transport, journal, by, autoConfirm: by });
  runner.start();
  const finish = async () => {
    await journal.close();
    await transport.close();
    lock.release();
  };
  return { runner, lock, finish };
}

const WAITS = `id: waits
title: Waits for a file
sections:
  - id: work
    title: Work
    steps:
      - { id: wait, title: Wait, run: 'while [ ! -e go ]; do sleep 0.05; done' }
`;
const ZH = `id: zh
title: 修补主节点
lang: zh-CN
sections:
  - id: work
    title: 干活
    steps:
      - { id: hello, title: 打个招呼, run: echo 你好 }
`;

beforeAll(async () => {
  ({ dir, remove } = tempDir('runbook-runs-cli-'));
  writeFileSync(path.join(dir, 'waits.yaml'), WAITS);
  writeFileSync(path.join(dir, 'zh.yaml'), ZH);
  // Finished and passed, played by a Chinese-speaking operator with a Chinese title.
  const zh = await start(path.join(dir, 'zh.yaml'), '20261201-080000-aa01', 'li');
  await zh.runner.done;
  await zh.finish();
  // Interrupted (Ctrl-C) while its step ran.
  const cut = await start(path.join(dir, 'waits.yaml'), '20261202-080000-aa02', 'bob');
  await new Promise((r) => setTimeout(r, 200));
  await cut.runner.interrupt('SIGINT');
  await cut.runner.done;
  await cut.finish();
}, 30_000);
afterAll(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  remove();
});

describe('runbook runs', () => {
  it('lists the runs newest first in columns that line up, a Chinese title measured by its display width', async () => {
    const { status, out, err } = await invoke(['runs']);
    expect(err).toBe('');
    expect(status).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^RUN\s+RUNBOOK\s+WHO\s+STARTED \(UTC\)\s+STATE$/);
    expect(lines[1]).toMatch(/^20261202-080000-aa02\s+Waits for a file\s+bob\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+interrupted$/);
    expect(lines[2]).toMatch(/^20261201-080000-aa01\s+修补主节点\s+li\s+.*finished ok$/);
    // Every column starts at the same display column on every row.
    const at = (line: string, text: string) => stringWidth(line.slice(0, line.indexOf(text)));
    expect(at(lines[1]!, 'bob')).toBe(at(lines[0]!, 'WHO'));
    expect(at(lines[2]!, 'li ')).toBe(at(lines[0]!, 'WHO'));
    expect(at(lines[2]!, 'finished')).toBe(at(lines[0]!, 'STATE'));
    expect(out).toContain('runbook train --resume RUN');
  });

  it('shows a run as being played while a live player holds its lock, and tells a dead player apart', async () => {
    const live = await start(path.join(dir, 'waits.yaml'), '20261203-080000-aa03', 'carol');
    try {
      const playing = await invoke(['runs']);
      expect(playing.out.split('\n')[1]).toMatch(
        new RegExp(`^20261203-080000-aa03 .*carol .* being played now \\(carol@${hostname()}, pid ${process.pid}\\)$`),
      );
      const json = JSON.parse((await invoke(['runs', '--json'])).out) as {
        id: string;
        state: string;
        by: string;
        player?: { pid: number };
      }[];
      expect(json.map((r) => r.id)).toEqual(['20261203-080000-aa03', '20261202-080000-aa02', '20261201-080000-aa01']);
      expect(json[0]).toMatchObject({ state: 'being played now', by: 'carol', player: { pid: process.pid } });
      expect(json[1]).toMatchObject({ state: 'interrupted' });
      expect(json[1]!.player).toBeUndefined();
    } finally {
      writeFileSync(path.join(dir, 'go'), '');
      await live.runner.done;
      await live.finish();
    }
    expect((await invoke(['runs'])).out.split('\n')[1]).toMatch(/^20261203-080000-aa03 .* finished ok$/);
  });

  it('a journal with no end whose lock names a process that is gone (kill -9) is "player gone"; a live one of another process is playing', async () => {
    const runId = '20261204-080000-aa04';
    writeFileSync(
      journalPath(stateDir(), runId),
      `${JSON.stringify({ event: 'run-started', ts: '2026-12-04T08:00:00.000Z', run: runId, runbook: { id: 'waits', title: 'Waits for a file', file: path.join(dir, 'waits.yaml'), digest: 'x' }, params: {}, secrets: [], by: 'dave', header: {}, total: 1 })}\n`,
    );
    const dead = spawn('true', { stdio: 'ignore' });
    await new Promise((r) => dead.once('exit', r));
    const lock = lockDirOf(stateDir(), runId);
    mkdirSync(lock);
    writeFileSync(
      path.join(lock, 'x.json'),
      JSON.stringify({ run: runId, user: 'dave', host: hostname(), pid: dead.pid, start: 'linux:gone', since: '2026-12-04T08:00:00.000Z' }),
    );
    expect((await invoke(['runs'])).out.split('\n')[1]).toMatch(/^20261204-080000-aa04 .*dave .* player gone$/);
    expect(existsSync(lock)).toBe(true); // listing takes nothing and breaks nothing

    // The same lock held by a live process of another terminal.
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(sleeper.pid!);
    writeFileSync(
      path.join(lock, 'x.json'),
      JSON.stringify({
        run: runId,
        user: 'erin',
        host: hostname(),
        pid: sleeper.pid,
        start: processStart(sleeper.pid!),
        since: '2026-12-04T08:00:00.000Z',
      }),
    );
    expect((await invoke(['runs'])).out.split('\n')[1]).toMatch(
      new RegExp(`being played now \\(erin@${hostname()}, pid ${sleeper.pid}\\)$`),
    );
  });

  it('says so when there are no runs, and refuses a stray argument with exit 2', async () => {
    const empty = await runMain(['runs', '--state-dir', path.join(dir, 'none')], { HOME: dir, RUNBOOK_CONFIG_DIR: dir }, dir);
    expect(empty).toMatchObject({ status: 0, out: expect.stringContaining('No runs in') });
    expect(await invoke(['runs', 'extra'])).toMatchObject({ status: 2, err: expect.stringContaining('unexpected argument "extra"') });
  });
});
