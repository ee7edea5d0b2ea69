// Follows a run's journal as its player writes it, for a watcher in another terminal: the records
// already there, then each new one as it lands. It only reads: no lock, no write, no cut.
//
// Growth is noticed by fs.watch, and by a bounded poll as well (fs.watch misses events on some
// file systems, and says nothing of a file replaced under it). A last line without its newline is
// a record being written: it waits for the rest. A journal cut shorter, replaced by another file
// or deleted is a stop with a sentence, never a crash.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { JournalRecord } from './events.js';

/** Why following stopped before the run's end. */
export type FollowStop =
  | { kind: 'deleted'; message: string }
  | { kind: 'truncated'; message: string }
  | { kind: 'replaced'; message: string }
  | { kind: 'damaged'; line: number; message: string }
  | { kind: 'unreadable'; message: string };

export interface FollowOptions {
  /** New whole records, in order (the first call has every record already there). */
  onRecords: (records: JournalRecord[], at: { mtimeMs: number }) => void;
  /** Following stopped; nothing more comes. */
  onStop: (stop: FollowStop) => void;
  /** How often the file is looked at when fs.watch says nothing. Default 250 ms. */
  pollMs?: number;
}

const NEWLINE = 0x0a;

export class JournalFollower {
  private handle: FileHandle | undefined;
  private ino = 0;
  private offset = 0;
  /** Bytes after the last newline: a record not yet whole. */
  private rest: Buffer = Buffer.alloc(0);
  private lineNo = 0;
  private watcher: FSWatcher | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reading: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    readonly file: string,
    private readonly options: FollowOptions,
  ) {}

  /** Reads what is there (onRecords once, even with none) and starts following. */
  async start(): Promise<void> {
    try {
      this.handle = await open(this.file, 'r');
      this.ino = (await this.handle.stat()).ino;
    } catch (error) {
      return this.stop(gone(this.file, error));
    }
    await this.read(true).catch((error: unknown) =>
      this.stop({ kind: 'unreadable', message: `${this.file} cannot be read: ${(error as Error).message}` }),
    );
    if (this.stopped) return;
    try {
      this.watcher = watch(this.file, { persistent: false }, () => this.check());
      this.watcher.on('error', () => undefined);
    } catch {
      // No watch here (some file systems): the poll alone follows.
    }
    this.timer = setInterval(() => this.check(), this.options.pollMs ?? 250);
  }

  /** Looks at the file now (a poll, a watch event, or a caller that knows something changed). */
  check(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.read(false).catch((error: unknown) =>
          this.stop({ kind: 'unreadable', message: `${this.file} cannot be read: ${(error as Error).message}` }),
        );
      } while (this.again && !this.stopped);
    })().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Stops following; idempotent. */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.timer);
    void this.handle?.close().catch(() => undefined);
  }

  private stop(stop: FollowStop): void {
    if (this.stopped) return;
    this.close();
    this.options.onStop(stop);
  }

  private async read(first: boolean): Promise<void> {
    if (this.stopped || !this.handle) return;
    // The name first: a journal deleted or replaced is still readable through the open handle,
    // but it is no longer the run's journal.
    let named;
    try {
      named = await stat(this.file);
    } catch (error) {
      return this.stop(gone(this.file, error));
    }
    if (named.ino !== this.ino)
      return this.stop({
        kind: 'replaced',
        message: `${this.file} was replaced by another file while it was watched; this is no longer the run being watched`,
      });
    if (named.size < this.offset)
      return this.stop({
        kind: 'truncated',
        message: `${this.file} was cut shorter (${named.size} bytes, ${this.offset} read) while it was watched; a journal only grows, so it was changed by hand or damaged`,
      });
    const records: JournalRecord[] = [];
    while (this.offset < named.size) {
      const size = Math.min(named.size - this.offset, 1 << 20);
      const chunk = Buffer.alloc(size);
      const { bytesRead } = await this.handle.read(chunk, 0, size, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      let data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let nl = data.indexOf(NEWLINE);
      while (nl >= 0) {
        const line = data.subarray(0, nl).toString('utf8');
        data = data.subarray(nl + 1);
        this.lineNo += 1;
        if (line.trim() !== '') {
          const record = parseRecord(line);
          if (!record)
            return this.stop({
              kind: 'damaged',
              line: this.lineNo,
              message: `${this.file}:${this.lineNo}:1: this line of the journal is not a record; the file was changed or damaged`,
            });
          if (this.lineNo === 1 && record.event !== 'run-started')
            return this.stop({ kind: 'damaged', line: 1, message: `${this.file}:1:1: a journal starts with a run-started record` });
          records.push(record);
        }
        nl = data.indexOf(NEWLINE);
      }
      this.rest = Buffer.from(data);
    }
    if (records.length > 0 || first) this.options.onRecords(records, { mtimeMs: named.mtimeMs });
  }
}

function parseRecord(line: string): JournalRecord | undefined {
  try {
    const value = JSON.parse(line) as JournalRecord;
    if (typeof value !== 'object' || value === null || typeof value.event !== 'string' || typeof value.ts !== 'string') return undefined;
    return value;
  } catch {
    return undefined;
  }
}

function gone(file: string, error: unknown): FollowStop {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { kind: 'deleted', message: `${file} was deleted; there is no journal to follow` };
  return { kind: 'unreadable', message: `${file} cannot be read: ${(error as Error).message}` };
}
