// The state directory holds the journals, the memory of every run: before a player writes there,
// the place is checked. A file or an unwritable place is bad input (exit 2, a sentence, nothing
// ran). A `runs/` that is a symbolic link, or a state directory others may write to, is refused:
// someone else could point a journal at any file, and resuming would append to it (or cut it).
import { constants } from 'node:fs';
import { access, lstat, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../input/problem.js';
import { runsDir } from './journal.js';

const bad = (file: string, message: string) => new InputError([{ file, severity: 'error', message }]);

/** Why a file-system call failed, as a sentence's end. */
export function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
      return 'a file is in the way (a part of the path is not a directory)';
    case 'ENOENT':
      return 'a part of the path does not exist and cannot be made';
    case 'ENOSPC':
      return 'no space is left on the device';
    default:
      return (error as Error).message;
  }
}

const looseMode = (mode: number) => (mode & 0o022) !== 0;
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** Makes sure `stateDir` and its runs/ can hold journals safely; throws InputError otherwise. */
export async function prepareStateDir(stateDir: string, origin = '--state-dir'): Promise<void> {
  const where = `${origin} ${stateDir}`;
  const existing = await stat(stateDir).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw bad(stateDir, `${where} is a file, not a directory; name a directory for the journals`);
  if (!existing) {
    try {
      await makeDirs(stateDir, 0o700);
    } catch (error) {
      throw bad(stateDir, `${where} cannot be created: ${fsReason(error)}; name a directory you can write to`);
    }
  }
  const info = await stat(stateDir);
  if (!info.isDirectory()) throw bad(stateDir, `${where} is not a directory; name a directory for the journals`);
  if (looseMode(info.mode)) {
    throw bad(
      stateDir,
      `${where} may be written by other users (mode ${octal(info.mode)}), who could swap a journal for a link to any file; use a private directory, or chmod go-w ${stateDir}`,
    );
  }
  const runs = runsDir(stateDir);
  let runsInfo;
  try {
    runsInfo = await lstat(runs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw bad(runs, `the runs directory cannot be read: ${fsReason(error)}`);
  }
  if (runsInfo?.isSymbolicLink())
    throw bad(
      runs,
      'the runs directory is a symbolic link; journals are never kept behind one (it could lead anywhere): make it a directory',
    );
  if (runsInfo && !runsInfo.isDirectory()) throw bad(runs, 'the runs directory is not a directory; move that file away');
  if (runsInfo && looseMode(runsInfo.mode)) {
    throw bad(runs, `the runs directory may be written by other users (mode ${octal(runsInfo.mode)}); chmod go-w ${runs}`);
  }
  if (!runsInfo) {
    try {
      await mkdir(runs, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw bad(stateDir, `${where} cannot hold journals: ${fsReason(error)}; name a directory you can write to`);
    }
  }
  try {
    await access(runs, constants.W_OK);
  } catch (error) {
    throw bad(stateDir, `${where} cannot hold journals: ${fsReason(error)}; name a directory you can write to`);
  }
}

/**
 * mkdir -p, one level at a time. Node's own recursive mkdir never returns for a path under /proc
 * (ENOENT from a directory that exists sends it round again), so it is not used here.
 */
async function makeDirs(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ;) {
    try {
      await stat(at);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      missing.push(at);
      const up = path.dirname(at);
      if (up === at) break;
      at = up;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** A journal to resume must be a plain file, never a link (resume appends to it and may cut it). */
export async function checkJournalFile(file: string): Promise<void> {
  const info = await lstat(file).catch(() => undefined);
  if (info?.isSymbolicLink())
    throw bad(file, 'this journal is a symbolic link; a journal is resumed only as a plain file (resuming writes to it)');
  if (info && !info.isFile()) throw bad(file, 'this journal is not a plain file');
}
