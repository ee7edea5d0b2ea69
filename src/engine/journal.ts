// The journal of a run: JSON Lines, one file per run in <stateDir>/runs/<run-id>.jsonl. Every
// record is written and fsync'ed before the runner takes the next action, so after a crash or a
// kill -9 the file says everything that happened, up to a last line that may be torn.
//
// Records that arrive together (several commands finishing in the same instant) share one write
// and one fsync: the rule "on disk before the next action" holds for each of them, and a fan-out
// over hundreds of nodes does not pay one fsync per record.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { mkdir, open, readFile, readdir, stat, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../runbook/problem.js';
import type { JournalRecord, Outcome, RunStartedRecord } from './events.js';

/** A run id: time-based, sortable, short: 20261125-171800-ab12 (UTC). */
export function newRunId(now: Date = new Date(), suffix: string = randomBytes(2).toString('hex')): string {
  const iso = now.toISOString(); // 2026-11-25T17:18:00.000Z
  return `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${suffix}`;
}

export const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{4,}$/;

export const runsDir = (stateDir: string): string => path.join(stateDir, 'runs');
export const journalPath = (stateDir: string, runId: string): string => path.join(runsDir(stateDir), `${runId}.jsonl`);

/** Appends records to one run's file, each batch fsync'ed before append() resolves. */
export class Journal {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  /** A new journal; refuses to overwrite an existing run. */
  static async create(stateDir: string, runId: string): Promise<Journal> {
    await mkdir(runsDir(stateDir), { recursive: true, mode: 0o700 });
    const file = journalPath(stateDir, runId);
    return new Journal(file, await open(file, 'wx', 0o600));
  }

  /** An existing journal to go on with (resume). A torn last line is cut off first. */
  static async reopen(file: string): Promise<Journal> {
    const text = await readFile(file, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end < text.length) await truncate(file, Buffer.byteLength(text.slice(0, end)));
    return new Journal(file, await open(file, 'a', 0o600));
  }

  /** Writes the records and waits until they are on disk. Calls are kept in order. */
  append(records: readonly JournalRecord[]): Promise<void> {
    if (records.length === 0) return this.chain;
    if (this.closed) return Promise.reject(new Error(`the journal ${this.file} is closed`));
    const data = Buffer.from(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    const next = this.chain.then(async () => {
      let offset = 0;
      while (offset < data.length) {
        const { bytesWritten } = await this.handle.write(data, offset, data.length - offset);
        offset += bytesWritten;
      }
      await this.handle.sync();
    });
    // A failed write fails this append and every later one: the journal can no longer be trusted.
    this.chain = next;
    return next;
  }

  /** Waits for every append so far. */
  flush(): Promise<void> {
    return this.chain;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    await this.handle.close();
  }
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
    throw new InputError([{ file, severity: 'error', message: code === 'ENOENT' ? 'no such journal' : `cannot read the journal: ${(error as Error).message}` }]);
  }
  const lines = text.split('\n');
  const records: JournalRecord[] = [];
  let torn = false;
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const last = i === lines.length - 1; // no newline after it: it may be half written
    try {
      const value = JSON.parse(line) as JournalRecord;
      if (typeof value !== 'object' || value === null || typeof value.event !== 'string' || typeof value.ts !== 'string') throw new Error('not a record');
      records.push(value);
    } catch {
      if (last) {
        torn = true;
        continue;
      }
      throw new InputError([{ file, line: i + 1, column: 1, severity: 'error', message: 'this line of the journal is not a record; the file was changed or damaged' }]);
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
      if (!(await stat(file)).isFile()) continue;
      const { records } = await readJournal(file);
      const first = records[0];
      if (!first || first.event !== 'run-started') continue;
      let status: Outcome | undefined;
      for (const r of records) {
        if (r.event === 'run-finished') status = r.status;
        else if (r.event === 'resumed') status = undefined;
      }
      out.push({ id: first.run, file, runbook: first.runbook, startedAt: first.ts, ...(status ? { status } : {}), resumable: status !== 'passed' });
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
    if (!run) throw new InputError([{ file: journalPath(stateDir, runId), severity: 'error', message: `no run ${runId} in ${runsDir(stateDir)}` }]);
    if (!run.resumable) throw new InputError([{ file: run.file, severity: 'error', message: `run ${runId} finished and passed; there is nothing to resume` }]);
    return run;
  }
  const wanted = runbookFile ? path.resolve(runbookFile) : undefined;
  const latest = runs.filter((r) => !wanted || path.resolve(r.runbook.file) === wanted).at(-1);
  const what = runbookFile ? ` of ${runbookFile}` : '';
  if (!latest) {
    throw new InputError([{ file: runsDir(stateDir), severity: 'error', message: `no run${what} to resume in ${runsDir(stateDir)}` }]);
  }
  if (!latest.resumable) {
    throw new InputError([{ file: latest.file, severity: 'error', message: `the latest run${what}, ${latest.id}, finished and passed; there is nothing to resume (name an older run with --run RUN)` }]);
  }
  return latest;
}
