// The run lock's liveness rules with real processes: a live holder holds, a dead one does not, a
// pid now used by another process (a different start time) does not, another host holds.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLocked, acquireRunLock, lockDirOf, processStart, type RunLockOwner } from '../../src/engine/run-lock.js';
import { tempDir } from '../helpers/real-shell.js';

let dir: string;
let removeDir: () => void;
const children: number[] = [];
beforeEach(() => {
  ({ dir, remove: removeDir } = tempDir('runbook-lock-unit-'));
  mkdirSync(join(dir, 'runs'));
});
afterEach(() => {
  for (const pid of children.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  removeDir();
});

const RUN = '20261206-090000-ab12';
/** A lock as another player would have left it. */
function plant(owner: Partial<RunLockOwner>): void {
  const lock = lockDirOf(dir, RUN);
  mkdirSync(lock);
  writeFileSync(
    join(lock, 'x.json'),
    JSON.stringify({ run: RUN, user: 'alice', host: hostname(), since: '2026-12-06T09:00:00.000Z', ...owner }),
  );
}
function sleeper(): number {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child.pid!);
  return child.pid!;
}

describe('the run lock', () => {
  it('is taken once: a second taker in the same process is told who holds it; released, it is free again', () => {
    const lock = acquireRunLock(dir, RUN, { user: 'bob', command: 'play' });
    expect(() => acquireRunLock(dir, RUN, { user: 'carol' })).toThrow(RunLocked);
    expect(() => acquireRunLock(dir, RUN, { user: 'carol' })).toThrow(
      new RegExp(`being played by bob@${hostname()}, pid ${process.pid} \\(runbook play\\), since 20`),
    );
    lock.release();
    expect(existsSync(lockDirOf(dir, RUN))).toBe(false);
    acquireRunLock(dir, RUN, { user: 'carol' }).release();
  });

  it('a live holder with its own start time holds', () => {
    const pid = sleeper();
    plant({ pid, start: processStart(pid)! });
    expect(() => acquireRunLock(dir, RUN, { user: 'bob' })).toThrow(/being played by alice@.*, pid \d+, since 2026-12-06T09:00:00.000Z/);
  });

  it('a holder whose process is gone does not hold (kill -9 leaves such a lock)', async () => {
    const child = spawn('true', { stdio: 'ignore' });
    await new Promise((r) => child.once('exit', r));
    plant({ pid: child.pid!, start: 'linux:gone' });
    const lock = acquireRunLock(dir, RUN, { user: 'bob' });
    expect(lock.owner.user).toBe('bob');
    // The dead owner's file is gone; only the new owner's is there.
    expect(readdirSync(lockDirOf(dir, RUN))).toHaveLength(1);
    lock.release();
  });

  it('a pid now used by another process (another start time) does not hold', () => {
    const pid = sleeper();
    expect(processStart(pid)).toBeDefined();
    plant({ pid, start: `${processStart(pid)}0` });
    acquireRunLock(dir, RUN, { user: 'bob' }).release();
  });

  it('a holder on another host cannot be checked from here: it holds, and the message says how to free it', () => {
    plant({ pid: 1, host: 'bastion-2.example' });
    expect(() => acquireRunLock(dir, RUN, { user: 'bob' })).toThrow(
      /on another host, so this one cannot tell whether it still runs; if it does not, remove .*runs\/20261206-090000-ab12\.lock and resume/,
    );
  });
});

describe('a holder killed but not yet reaped', () => {
  it('is dead: a zombie keeps its pid, not the run', async () => {
    // A shell whose child is killed -9 and never waited for: the child stays a zombie while the shell sleeps.
    const parent = spawn('/bin/sh', ['-c', 'sleep 30 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(parent.pid!);
    const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d) => resolve(String(d).trim()))));
    const start = processStart(pid)!;
    process.kill(pid, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (!readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')) {
      if (Date.now() > deadline) throw new Error('the child did not become a zombie');
      await new Promise((r) => setTimeout(r, 20));
    }
    plant({ pid, start });
    acquireRunLock(dir, RUN, { user: 'bob' }).release();
  });
});
