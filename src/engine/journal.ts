// The journal of a run: JSON Lines, one file per run in <stateDir>/runs/<run-id>.jsonl. Every
// record is on disk (a synchronous write, or a write and an fsync) before the runner takes the
// next action, so after a crash or a kill -9 the file says everything that happened, up to a
// last line that may be torn.
//
// Records that arrive together (several commands finishing in the same instant) share one
// write: the rule "on disk before the next action" holds for each of them, and a fan-out over
// hundreds of nodes does not wait for the disk once per record.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, ftruncateSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, mkdir, open, readFile, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../input/problem.js';
import type { JournalRecord, Outcome, RunStartedRecord } from './events.js';

/** A run id: time-based, sortable, short: 20261125-171800-ab12 (UTC). */
export function newRunId(now: Date = new Date(), suffix: string = randomBytes(2).toString('hex')): string {
  const iso = now.toISOString(); // 2026-11-25T17:18:00.000Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${suffix}`;
}

export const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{4,}$/;

export const runsDir = (stateDir: string): string => path.join(stateDir, 'runs');
export const journalPath = (stateDir: string, runId: string): string => path.join(runsDir(stateDir), `${runId}.jsonl`);

/** What became of records the journal could not write (see Journal.close). */
export type Salvage = { kind: 'rewritten' } | { kind: 'set-aside'; file: string } | { kind: 'lost'; records: string[]; error: string };

/** Where records go that the journal could not take; --resume puts them back (recoverUnwritten). */
export const unwrittenPath = (journal: string): string => `${journal}.unwritten`;

/**
 * The journal's descriptor is opened for synchronous data writes where the system has them: a
 * write returns once its data and the size that reaches it are on disk, as write then fsync did,
 * in one system call instead of two trips through Node's thread pool. That second trip was a
 * few milliseconds of every step on a busy machine (docs/architecture.md, the SSH transport's
 * cost). Elsewhere each batch is fsync'ed.
 */
const SYNC_WRITES: number = constants.O_DSYNC ?? 0;

interface NextWrite {
  lines: string[];
  records: JournalRecord[];
  written: Promise<void>;
}

/** Appends records to one run's file, each batch on disk before append() resolves. */
export class Journal {
  private chain: Promise<void> = Promise.resolve();
  /** The records waiting for the write under way to end; they go out together after it. */
  private next: NextWrite | undefined;
  private closed = false;
  /** Bytes of the file known to be whole records on disk. */
  private good: number;
  /** Records a write failed for, in order: the run's last facts, kept for close() to save. */
  private readonly unwritten: JournalRecord[] = [];
  /** Set by close() when a write had failed. */
  salvage?: Salvage;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
    size: number,
  ) {
    this.good = size;
  }

  /** A new journal; refuses to overwrite an existing run. */
  static async create(stateDir: string, runId: string): Promise<Journal> {
    await mkdir(runsDir(stateDir), { recursive: true, mode: 0o700 });
    const file = journalPath(stateDir, runId);
    return new Journal(file, await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | SYNC_WRITES, 0o600), 0);
  }

  /**
   * An existing journal to go on with (resume). A torn last line is cut off first. A symbolic
   * link is never followed: resuming writes to the file (and may cut it).
   */
  static async reopen(file: string): Promise<Journal> {
    let handle: FileHandle;
    try {
      handle = await open(file, constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW | SYNC_WRITES);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP')
        throw new InputError([
          { file, severity: 'error', message: 'this journal is a symbolic link; a journal is resumed only as a plain file' },
        ]);
      throw error;
    }
    try {
      if (!(await handle.stat()).isFile()) throw new InputError([{ file, severity: 'error', message: 'this journal is not a plain file' }]);
      const text = await handle.readFile('utf8');
      const end = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
      if (end < Buffer.byteLength(text)) await handle.truncate(end);
      return new Journal(file, handle, end);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Writes the records and waits until they are on disk. Calls are kept in order. Records given
   * while a write is under way go out together in the next one (one synchronous write for all
   * the nodes that finished meanwhile, not one each).
   */
  append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return this.chain;
    if (this.closed) return Promise.reject(new Error(`the journal ${this.file} is closed`));
    const lines = records.map((r) => `${JSON.stringify(r)}\n`).join('');
    if (this.next) {
      this.next.lines.push(lines);
      this.next.records.push(...records);
      return this.next.written;
    }
    const group: NextWrite = { lines: [lines], records: [...records], written: this.chain };
    this.next = group;
    group.written = this.chain.then(
      async () => {
        // From here on, records wait for the write after this one.
        this.next = undefined;
        const data = Buffer.from(group.lines.join(''));
        try {
          let offset = 0;
          while (offset < data.length) {
            const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
            offset += bytesWritten;
          }
          if (!SYNC_WRITES) await this.handle.sync();
          this.good += data.length;
        } catch (error) {
          this.unwritten.push(...group.records);
          throw error;
        }
      },
      (error: unknown) => {
        // A failed write fails this append and every later one: the journal can no longer be
        // trusted to be complete; what it could not take is kept for close().
        this.next = undefined;
        this.unwritten.push(...group.records);
        throw error;
      },
    );
    this.chain = group.written;
    return group.written;
  }

  /** Waits for every append so far. */
  flush(): Promise<void> {
    return this.chain;
  }

  /**
   * Closes the file. When a write had failed, the records it could not take are the run's last
   * facts (a step that finished, say): without them a resume would call that step interrupted.
   * They are written again through a new descriptor after cutting what the failed write left
   * half done; failing that, into <journal>.unwritten, which --resume puts back; failing that
   * too, `salvage` holds them for the player to print.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    if (this.unwritten.length > 0) this.salvage = this.saveUnwritten();
  }

  private saveUnwritten(): Salvage {
    // The runner performs a batch's effects only once the batch is on disk, so of a batch that
    // failed, the facts stand (a command finished, an answer given) but the starts it announced
    // never happened: those steps did not begin, and a resume must not call them interrupted.
    const facts = this.unwritten.filter((r) => !NEVER_HAPPENED.has(r.event));
    const data = Buffer.from(facts.map((r) => `${JSON.stringify(r)}\n`).join(''));
    try {
      writeWhole(this.file, constants.O_WRONLY | constants.O_NOFOLLOW, data, this.good);
      return { kind: 'rewritten' };
    } catch {
      // The journal's file takes no more (full, over quota, gone): set the records aside.
    }
    const aside = unwrittenPath(this.file);
    try {
      // The first line says where the whole records of the journal end.
      const head = Buffer.from(`${JSON.stringify({ journalBytes: this.good })}\n`);
      writeWhole(aside, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, Buffer.concat([head, data]));
      return { kind: 'set-aside', file: aside };
    } catch (error) {
      return { kind: 'lost', records: data.toString('utf8').split('\n').filter(Boolean), error: (error as Error).message };
    }
  }
}

/** Records that announce an action the runner takes after the write: untrue when the write failed. */
const NEVER_HAPPENED: ReadonlySet<JournalRecord['event']> = new Set(['step-started', 'attempt-started', 'preflight-started']);

/** Writes data to a file (cut to `size` first when given) and syncs it; throws on any failure. */
function writeWhole(file: string, flags: number, data: Buffer, size?: number): void {
  const fd = openSync(file, flags, 0o600);
  try {
    if (size !== undefined) ftruncateSync(fd, size);
    let offset = 0;
    while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset, size === undefined ? null : size + offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Puts back records a player set aside because the journal could not take them (see
 * Journal.close): the journal is cut where its whole records ended, the records appended, the
 * side file removed. Returns how many records came back (0 when there was nothing to do).
 */
export function recoverUnwritten(file: string): number {
  const aside = unwrittenPath(file);
  let text: string;
  try {
    text = readFileSync(aside, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const [head, ...rest] = text.split('\n');
  const bytes = (JSON.parse(head ?? '{}') as { journalBytes?: unknown }).journalBytes;
  if (typeof bytes !== 'number')
    throw new InputError([
      {
        file: aside,
        line: 1,
        column: 1,
        severity: 'error',
        message: 'this file of records set aside does not say where the journal ended',
      },
    ]);
  // Only whole lines: the side file itself may have been cut short.
  const lines = rest.slice(0, -1).filter((l) => l.trim() !== '');
  writeWhole(file, constants.O_WRONLY | constants.O_NOFOLLOW, Buffer.from(lines.map((l) => `${l}\n`).join('')), bytes);
  unlinkSync(aside);
  return lines.length;
}

/** Appends synchronously: for the last words of a process that must exit now. */
export function appendSync(file: string, records: readonly JournalRecord[]): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    writeSync(fd, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export interface ReadJournal {
  file: string;
  records: JournalRecord[];
  /** The last line was cut short (the player died while writing it); it was left out. */
  torn: boolean;
}

/** Reads a journal. A torn last line is tolerated; a broken line elsewhere is bad input. */
export async function readJournal(file: string): Promise<ReadJournal> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError([
      { file, severity: 'error', message: code === 'ENOENT' ? 'no such journal' : `cannot read the journal: ${(error as Error).message}` },
    ]);
  }
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  let torn = false;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const last = i === lines.length - 1; // no newline after it: it may be half written
    try {
      const value = JSON.parse(line) as JournalRecord;
      if (typeof value !== 'object' || value === null || typeof value.event !== 'string' || typeof value.ts !== 'string')
        throw new Error('not a record');
      records.push(value);
    } catch {
      if (last) {
        torn = true;
        continue;
      }
      throw new InputError([
        {
          file,
          line: i + 1,
          column: 1,
          severity: 'error',
          message: 'this line of the journal is not a record; the file was changed or damaged',
        },
      ]);
    }
  }
  if (records[0] && records[0].event !== 'run-started') {
    throw new InputError([{ file, line: 1, column: 1, severity: 'error', message: 'a journal starts with a run-started record' }]);
  }
  return { file, records, torn };
}

/** One run as the list of runs shows it. */
export interface RunSummary {
  id: string;
  file: string;
  runbook: RunStartedRecord['runbook'];
  startedAt: string;
  /** Who started it (the OS user, or who --yes answered for). */
  by: string;
  /** The last run-finished status; undefined when the player died before finishing. */
  status?: Outcome;
  /** The status is unfinished, interrupted, failed or aborted: --resume can go on with it. */
  resumable: boolean;
}

/** Every run in the state directory, oldest first. Unreadable files are skipped. */
export async function listRuns(stateDir: string): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await readdir(runsDir(stateDir));
  } catch {
    return [];
  }
  const out: RunSummary[] = [];
  for (const name of names.filter((n) => n.endsWith('.jsonl')).sort()) {
    const file = path.join(runsDir(stateDir), name);
    try {
      // lstat: a journal behind a symbolic link is not a run of this state directory.
      if (!(await lstat(file)).isFile()) continue;
      const { records } = await readJournal(file);
      const first = records[0];
      if (!first || first.event !== 'run-started') continue;
      let status: Outcome | undefined;
      for (const r of records) {
        if (r.event === 'run-finished') status = r.status;
        else if (r.event === 'resumed') status = undefined;
      }
      out.push({
        id: first.run,
        file,
        runbook: first.runbook,
        startedAt: first.ts,
        by: first.by,
        ...(status ? { status } : {}),
        resumable: status !== 'passed',
      });
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * The run --resume continues: the one named, or else the latest run of the same runbook file,
 * unless that one passed.
 */
export async function findRunToResume(stateDir: string, runbookFile: string | undefined, runId?: string): Promise<RunSummary> {
  const runs = await listRuns(stateDir);
  if (runId) {
    const run = runs.find((r) => r.id === runId);
    if (!run)
      throw new InputError([{ file: journalPath(stateDir, runId), severity: 'error', message: `no run ${runId} in ${runsDir(stateDir)}` }]);
    if (!run.resumable)
      throw new InputError([
        { file: run.file, severity: 'error', message: `run ${runId} finished and passed; there is nothing to resume` },
      ]);
    return run;
  }
  const wanted = runbookFile ? path.resolve(runbookFile) : undefined;
  const latest = runs.filter((r) => !wanted || path.resolve(r.runbook.file) === wanted).at(-1);
  const what = runbookFile ? ` of ${runbookFile}` : '';
  if (!latest) {
    throw new InputError([{ file: runsDir(stateDir), severity: 'error', message: `no run${what} to resume in ${runsDir(stateDir)}` }]);
  }
  if (!latest.resumable) {
    throw new InputError([
      {
        file: latest.file,
        severity: 'error',
        message: `the latest run${what}, ${latest.id}, finished and passed; there is nothing to resume (name an older run with --run RUN)`,
      },
    ]);
  }
  return latest;
}
