// A run has one player. The player holds the run's lock for its whole life; a second player
// (another --resume, in another terminal or at the same instant) is told who holds it and stops
// before anything runs. A player that dies (kill -9, a crash) leaves a lock whose owner is gone:
// the next player sees that and takes it. Why this shape (docs/state-dir.md has the long form):
//
// - Node 20 has no flock(2), and a native addon is not wanted; so the lock is a directory
//   `runs/<run>.lock/` holding one file `<nonce>.json` that says who holds it (user, host, pid,
//   the process's start time, since when).
// - Taking a free lock is one atomic step: the owner file is written into a private directory,
//   which is then renamed to `<run>.lock`. rename(2) onto an existing non-empty directory fails,
//   so of two players exactly one wins, and the lock is never seen half written.
// - Breaking a dead owner's lock is one atomic step too: its owner file (a unique name) is
//   renamed away. Only one breaker can move that file; the others get ENOENT and look again.
//   The emptied directory is removed (or replaced by the next rename, which may take an empty one).
// - An owner is alive when its pid answers kill(pid, 0) and the process with that pid started
//   when the owner says it did (so a pid reused by another process does not hold a lock forever).
//   An owner on another host cannot be checked from here: it is held, and the message says how
//   to free it by hand.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
  fsyncSync,
  openSync,
  closeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { runsDir } from './journal.js';

/** Who holds a run. */
export interface RunLockOwner {
  run: string;
  user: string;
  host: string;
  pid: number;
  /** The process's start, as this OS tells it (see processStart); absent when it could not be read. */
  start?: string;
  /** ISO time the lock was taken. */
  since: string;
  /** play or train. */
  command?: string;
}

/** The run is held by another live player (or one on another host, which cannot be checked). */
export class RunLocked extends Error {
  constructor(
    readonly owner: RunLockOwner,
    readonly lockDir: string,
    readonly checkable: boolean,
  ) {
    super(describeOwner(owner, lockDir, checkable));
    this.name = 'RunLocked';
  }
}

export function describeOwner(owner: RunLockOwner, lockDir: string, checkable: boolean): string {
  const who = `${owner.user}@${owner.host}, pid ${owner.pid}${owner.command ? ` (runbook ${owner.command})` : ''}, since ${owner.since}`;
  const base = `run ${owner.run} is being played by ${who}; a run has one player at a time, so nothing ran`;
  return checkable
    ? `${base}. Wait for that player to finish, or stop it, then resume.`
    : `${base}. That player is on another host, so this one cannot tell whether it still runs; if it does not, remove ${lockDir} and resume.`;
}

export const lockDirOf = (stateDir: string, runId: string): string => path.join(runsDir(stateDir), `${runId}.lock`);

/**
 * A process's start, to tell it from a later process given the same pid: on Linux the boot id and
 * the start time in clock ticks from /proc (exact); elsewhere `ps -o lstart=` (to the second).
 * Undefined when neither can be read (the pid alone then decides).
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19]; // field 22, starttime
    let boot = '';
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // no boot id: the ticks alone
    }
    if (ticks) return `linux:${boot}:${ticks}`;
  } catch {
    // not Linux, or no such process
  }
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
    return out ? `ps:${out}` : undefined;
  } catch {
    return undefined;
  }
}

type Liveness = 'alive' | 'dead' | 'unknown-host';

/** Linux only (elsewhere false): the process has exited and waits for its parent to reap it. */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

/** Whether the owner of a lock still runs; 'unknown-host' when it is on another machine. */
export function ownerLiveness(owner: RunLockOwner, here: string = hostname()): Liveness {
  if (owner.host !== here) return 'unknown-host';
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return 'dead';
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: the process exists and belongs to someone else; it is alive.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return 'dead';
  }
  // A player killed but not yet reaped by its parent (a zombie) still has its pid: it is dead.
  if (zombie(owner.pid)) return 'dead';
  if (owner.start === undefined) return 'alive';
  const now = processStart(owner.pid);
  // The same pid, started at another time: the owner died and the pid went to someone else.
  if (now !== undefined && now !== owner.start) return 'dead';
  return 'alive';
}

/** A lock this process holds; release() frees it (also called at exit, in case). */
export interface RunLock {
  readonly dir: string;
  readonly owner: RunLockOwner;
  release(): void;
}

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** The owner file in a lock directory, or undefined when the directory is missing or empty. */
function readOwner(dir: string): { file: string; owner: RunLockOwner } | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch (error) {
    if (code(error) === 'ENOENT') return undefined;
    throw error;
  }
  const name = names[0];
  if (!name) return undefined;
  const file = path.join(dir, name);
  try {
    return { file, owner: JSON.parse(readFileSync(file, 'utf8')) as RunLockOwner };
  } catch (error) {
    // Moved away by a breaker between readdir and read: look again.
    if (code(error) === 'ENOENT') return readOwner(dir);
    // An owner file that does not parse was not written by a player (each is complete before
    // the rename that publishes it): it holds nothing, but it is reported rather than ignored.
    throw new Error(`the lock ${dir} holds ${name}, which is not a lock owner; remove ${dir} if no player runs`);
  }
}

/**
 * Takes the lock of a run for this process, or throws RunLocked naming its holder. The runs
 * directory must exist. Tries a few times, since a lock may change hands while it looks.
 */
export function acquireRunLock(stateDir: string, runId: string, who: { user: string; command?: string }): RunLock {
  const dir = lockDirOf(stateDir, runId);
  const nonce = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const start = processStart(process.pid);
  const owner: RunLockOwner = {
    run: runId,
    user: who.user,
    host: hostname(),
    pid: process.pid,
    ...(start !== undefined ? { start } : {}),
    since: new Date().toISOString(),
    ...(who.command ? { command: who.command } : {}),
  };
  for (let attempt = 0; attempt < 20; attempt++) {
    const held = readOwner(dir);
    if (held) {
      const live = ownerLiveness(held.owner);
      if (live !== 'dead') throw new RunLocked(held.owner, dir, live === 'alive');
      // Its owner is gone: move the owner file away (only one breaker can), then the empty directory.
      const away = path.join(path.dirname(dir), `.${path.basename(dir)}-dead-${nonce}.json`);
      try {
        renameSync(held.file, away);
        rmSync(away, { force: true });
      } catch (error) {
        if (code(error) !== 'ENOENT') throw error;
      }
      try {
        rmdirSync(dir);
      } catch (error) {
        // Already taken again (not empty) or already removed: look again either way.
        if (code(error) !== 'ENOENT' && code(error) !== 'ENOTEMPTY' && code(error) !== 'EEXIST') throw error;
      }
      continue;
    }
    // Free: publish a complete owner file with one rename.
    const tmp = path.join(path.dirname(dir), `.${path.basename(dir)}-new-${nonce}`);
    mkdirSync(tmp, { mode: 0o700 });
    const file = path.join(tmp, `${nonce}.json`);
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeFileSync(fd, `${JSON.stringify(owner)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmp, dir);
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      if (code(error) === 'ENOTEMPTY' || code(error) === 'EEXIST') continue; // someone else won
      throw error;
    }
    return heldLock(dir, path.join(dir, `${nonce}.json`), owner);
  }
  throw new Error(`the lock ${dir} kept changing hands; try again`);
}

function heldLock(dir: string, file: string, owner: RunLockOwner): RunLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      unlinkSync(file);
      rmdirSync(dir);
    } catch {
      // Gone already, or taken by another player after our file went: either way not ours now.
    }
  };
  // A process.exit() on the way out (a second Ctrl-C) still frees the lock.
  process.on('exit', release);
  return { dir, owner, release };
}

/**
 * Who plays a run now, without taking anything: its lock's live owner (or one on another host,
 * which cannot be checked and so counts as playing), else undefined. For listings.
 */
export function runHolder(stateDir: string, runId: string): { owner: RunLockOwner; checkable: boolean } | undefined {
  let held;
  try {
    held = readOwner(lockDirOf(stateDir, runId));
  } catch {
    return undefined; // a lock directory holding no owner file of a player holds nothing
  }
  if (!held) return undefined;
  const live = ownerLiveness(held.owner);
  return live === 'dead' ? undefined : { owner: held.owner, checkable: live === 'alive' };
}
