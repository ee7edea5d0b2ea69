import { appendFileSync, constants, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import {
  Journal,
  RUN_ID,
  findRunToResume,
  journalPath,
  listRuns,
  newRunId,
  readJournal,
  recoverUnwritten,
} from '../../src/engine/journal.js';
import { InputError } from '../../src/input/problem.js';
import { tempDir } from '../helpers/real-shell.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
const temp = () => {
  const t = tempDir('runbook-journal-');
  cleanups.push(t.remove);
  return t.dir;
};

const started = (run: string, file = '/rb/dcos.yaml'): JournalRecord => ({
  ts: '2026-11-25T17:18:00.000Z',
  run,
  event: 'run-started',
  runbook: { id: 'dcos', title: 'DC/OS', file, digest: 'abc' },
  params: {},
  secrets: [],
  by: 'alice',
  header: {},
  total: 3,
});
const finished = (run: string, status: 'passed' | 'interrupted'): JournalRecord => ({
  ts: '2026-11-25T17:20:00.000Z',
  run,
  event: 'run-finished',
  status,
  passed: 3,
  failed: 0,
  skipped: 0,
  interrupted: 0,
  notRun: 0,
  durationMs: 120_000,
});

describe('journal', () => {
  it('names runs by time, sortable', () => {
    expect(newRunId(new Date('2026-11-25T17:18:00.123Z'), 'ab12')).toBe('20261125-171800-ab12');
    expect(RUN_ID.test(newRunId())).toBe(true);
  });

  it('appends records as JSON lines and reads them back', async () => {
    const dir = temp();
    const j = await Journal.create(dir, '20261125-171800-ab12');
    expect(j.file).toBe(path.join(dir, 'runs', '20261125-171800-ab12.jsonl'));
    await j.append([started('20261125-171800-ab12')]);
    await j.append([finished('20261125-171800-ab12', 'passed')]);
    await j.close();
    expect(readFileSync(j.file, 'utf8').split('\n')).toHaveLength(3);
    const { records, torn } = await readJournal(j.file);
    expect(torn).toBe(false);
    expect(records.map((r) => r.event)).toEqual(['run-started', 'run-finished']);
    await expect(Journal.create(dir, '20261125-171800-ab12')).rejects.toThrow(/EEXIST/);
  });

  // Durability itself would take pulling the power; what can be checked is the descriptor the
  // kernel holds: opened so that every write waits for the disk (Linux, read from /proc).
  it.skipIf(process.platform !== 'linux')(
    'writes through a descriptor that waits for the disk, when created and when resumed',
    async () => {
      const dir = temp();
      const flagsOf = (file: string): number[] =>
        readdirSync('/proc/self/fd')
          .filter((fd) => {
            try {
              return readlinkSync(`/proc/self/fd/${fd}`) === file;
            } catch {
              return false;
            }
          })
          .map((fd) => parseInt(/^flags:\s+(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]!, 8));
      const j = await Journal.create(dir, '20261125-171800-ab13');
      await j.append([started('20261125-171800-ab13')]);
      const created = flagsOf(j.file);
      expect(created).toHaveLength(1);
      expect(created[0]! & constants.O_DSYNC).toBe(constants.O_DSYNC);
      await j.close();
      expect(flagsOf(j.file)).toEqual([]);
      const again = await Journal.reopen(j.file);
      await again.append([finished('20261125-171800-ab13', 'passed')]);
      expect(flagsOf(j.file).map((f) => f & constants.O_DSYNC)).toEqual([constants.O_DSYNC]);
      await again.close();
      expect((await readJournal(j.file)).records.map((r) => r.event)).toEqual(['run-started', 'run-finished']);
    },
  );

  it('tolerates a torn last line (kill -9 while writing) and cuts it before going on', async () => {
    const dir = temp();
    const j = await Journal.create(dir, '20261125-171800-ab12');
    await j.append([started('20261125-171800-ab12')]);
    await j.close();
    appendFileSync(j.file, '{"ts":"2026-11-25T17:19:00.000Z","run":"20261125-171800-ab12","event":"step-sta');
    expect((await readJournal(j.file)).torn).toBe(true);
    const again = await Journal.reopen(j.file);
    await again.append([finished('20261125-171800-ab12', 'interrupted')]);
    await again.close();
    const { records, torn } = await readJournal(j.file);
    expect(torn).toBe(false);
    expect(records.map((r) => r.event)).toEqual(['run-started', 'run-finished']);
  });

  it('refuses a journal broken in the middle, naming the line', async () => {
    const dir = temp();
    const file = journalPath(dir, '20261125-171800-ab12');
    const j = await Journal.create(dir, '20261125-171800-ab12');
    await j.close();
    writeFileSync(file, `${JSON.stringify(started('r'))}\nnot json\n${JSON.stringify(finished('r', 'passed'))}\n`);
    const error = await readJournal(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems[0]).toMatchObject({
      line: 2,
      message: 'this line of the journal is not a record; the file was changed or damaged',
    });
  });

  it('finds the run to resume: the one named, or the latest of the runbook unless it passed', async () => {
    const dir = temp();
    const write = async (id: string, records: JournalRecord[]) => {
      const j = await Journal.create(dir, id);
      await j.append(records);
      await j.close();
    };
    await write('20261125-100000-aaaa', [started('20261125-100000-aaaa')]);
    await write('20261125-110000-bbbb', [started('20261125-110000-bbbb'), finished('20261125-110000-bbbb', 'interrupted')]);
    await write('20261125-130000-dddd', [started('20261125-130000-dddd', '/rb/other.yaml'), finished('20261125-130000-dddd', 'passed')]);
    expect((await listRuns(dir)).map((r) => [r.id, r.status ?? 'unfinished'])).toEqual([
      ['20261125-100000-aaaa', 'unfinished'],
      ['20261125-110000-bbbb', 'interrupted'],
      ['20261125-130000-dddd', 'passed'],
    ]);
    expect((await findRunToResume(dir, '/rb/dcos.yaml')).id).toBe('20261125-110000-bbbb');
    expect((await findRunToResume(dir, '/rb/dcos.yaml', '20261125-100000-aaaa')).id).toBe('20261125-100000-aaaa');
    await expect(findRunToResume(dir, undefined, '20261125-130000-dddd')).rejects.toThrow(/finished and passed/);
    await expect(findRunToResume(dir, '/rb/other.yaml')).rejects.toThrow(
      /the latest run of \/rb\/other.yaml, 20261125-130000-dddd, finished and passed/,
    );
    await expect(findRunToResume(dir, '/rb/none.yaml')).rejects.toThrow(/no run of \/rb\/none.yaml to resume/);
  });
});

describe('a write that fails', () => {
  const rec = (run: string, event: 'step-started' | 'step-finished', step: string): JournalRecord =>
    event === 'step-started'
      ? { ts: '2026-11-25T17:19:00.000Z', run, event, section: 's', step, node: 'n', attempt: 1, mode: 'run', title: step }
      : { ts: '2026-11-25T17:19:01.000Z', run, event, section: 's', step, node: 'n', status: 'passed', exit: 0 };

  it('is written again through a new descriptor at close: the facts kept, the starts it announced (never performed) left out', async () => {
    const dir = temp();
    const run = newRunId();
    const journal = await Journal.create(dir, run);
    await journal.append([started(run), rec(run, 'step-started', 'a')]);
    // The descriptor goes away under the writer (its FileHandle closed: Node's own failing write,
    // EBADF, with no descriptor number left to be reused by something else).
    await (journal as unknown as { handle: { close(): Promise<void> } }).handle.close();
    await expect(journal.append([rec(run, 'step-finished', 'a'), rec(run, 'step-started', 'b')])).rejects.toThrow();
    await expect(journal.append([rec(run, 'step-finished', 'b')])).rejects.toThrow();
    await journal.close();
    expect(journal.salvage).toEqual({ kind: 'rewritten' });
    const { records, torn } = await readJournal(journal.file);
    expect(torn).toBe(false);
    expect(records.map((r) => `${r.event}${'step' in r ? ` ${r.step}` : ''}`)).toEqual([
      'run-started',
      'step-started a',
      'step-finished a',
      'step-finished b',
    ]);
  });

  it('set aside when the file takes nothing more: --resume puts them back where the whole records ended', async () => {
    const dir = temp();
    const run = newRunId();
    const file = journalPath(dir, run);
    const journal = await Journal.create(dir, run);
    await journal.append([started(run)]);
    await journal.close();
    // What a player that met a full disk leaves: a torn half record, and the set-aside file.
    const good = readFileSync(file).length;
    appendFileSync(file, '{"ts":"2026-11-25T17:19:00.000Z","run":"x","ev');
    writeFileSync(
      `${file}.unwritten`,
      `${JSON.stringify({ journalBytes: good })}\n${JSON.stringify(rec(run, 'step-finished', 'a'))}\n{"torn`,
    );
    expect(recoverUnwritten(file)).toBe(1);
    const { records, torn } = await readJournal(file);
    expect(torn).toBe(false);
    expect(records.map((r) => r.event)).toEqual(['run-started', 'step-finished']);
    expect(recoverUnwritten(file)).toBe(0);
  });
});

describe('group commit: records given while a write is under way go out together in the next write', () => {
  const step = (run: string, event: 'step-started' | 'step-finished', name: string): JournalRecord =>
    event === 'step-started'
      ? { ts: '2026-11-25T17:19:00.000Z', run, event, section: 's', step: name, node: 'n', attempt: 1, mode: 'run', title: name }
      : { ts: '2026-11-25T17:19:01.000Z', run, event, section: 's', step: name, node: 'n', status: 'passed', exit: 0 };
  const line = (r: JournalRecord) => `${JSON.stringify(r)}\n`;
  /** Counts the writes that reach the journal's real descriptor (they still happen). */
  const countWrites = (journal: Journal): (() => number) => {
    const handle = (journal as unknown as { handle: { write: (...args: unknown[]) => Promise<unknown> } }).handle;
    const write = handle.write.bind(handle);
    let writes = 0;
    handle.write = (...args: unknown[]) => {
      writes++;
      return write(...args);
    };
    return () => writes;
  };
  /** Lets a write through the thread pool get under way (or end) before the next append. */
  const turn = () => new Promise((r) => setImmediate(r));

  it('many appends, some while a write is under way: each resolves in order, only once its own lines are in the file', async () => {
    const dir = temp();
    const run = newRunId();
    const j = await Journal.create(dir, run);
    await j.append([started(run)]);
    const writes = countWrites(j);
    const n = 120;
    const resolved: number[] = [];
    const early: string[] = [];
    const all: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const mine = [step(run, 'step-started', `s${i}`), step(run, 'step-finished', `s${i}`)];
      all.push(
        j.append(mine).then(() => {
          // Read at the moment the append resolves: its lines, and every earlier append's, are there.
          const text = readFileSync(j.file, 'utf8');
          for (const r of mine) if (!text.includes(line(r))) early.push(`append ${i} resolved before ${r.event} s${i} was in the file`);
          resolved.push(i);
        }),
      );
      // Appends arrive in bursts: some in the same instant, some while the last write is under way.
      if (i % 9 === 4) await turn();
      else if (i % 4 === 1) await Promise.resolve();
    }
    await Promise.all(all);
    expect(early).toEqual([]);
    expect(resolved).toEqual(Array.from({ length: n }, (_, i) => i));
    // Fewer writes than appends (records that met a write under way waited for the next one), and more than one.
    expect(writes()).toBeGreaterThan(1);
    expect(writes()).toBeLessThan(n / 2);
    await j.close();
    // Every record once, in the order given.
    const text = readFileSync(j.file, 'utf8');
    const want = [
      started(run),
      ...Array.from({ length: n }, (_, i) => [step(run, 'step-started', `s${i}`), step(run, 'step-finished', `s${i}`)]).flat(),
    ];
    expect(text).toBe(want.map(line).join(''));
  });

  it('a write that fails fails its group and every later append; close() still saves them all, in order', async () => {
    const dir = temp();
    const run = newRunId();
    const j = await Journal.create(dir, run);
    await j.append([started(run), step(run, 'step-started', 'a')]);
    // The descriptor goes away under the writer (Node's own failing write, EBADF).
    await (j as unknown as { handle: { close(): Promise<void> } }).handle.close();
    const order: string[] = [];
    const settle = (name: string, p: Promise<void>) =>
      p.then(
        () => order.push(`${name} ok`),
        (e: unknown) => order.push(`${name} failed: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`),
      );
    // The first write; then two appends while it is under way (they share the next write); then one after it failed.
    const first = settle('first', j.append([step(run, 'step-finished', 'a'), step(run, 'step-started', 'b')]));
    await Promise.resolve();
    const joined1 = settle('joined-1', j.append([step(run, 'step-finished', 'b')]));
    const joined2 = settle('joined-2', j.append([step(run, 'step-started', 'c')]));
    await first;
    const later = settle('later', j.append([step(run, 'step-finished', 'c')]));
    await Promise.all([joined1, joined2, later]);
    expect(order).toEqual(['first failed: EBADF', 'joined-1 failed: EBADF', 'joined-2 failed: EBADF', 'later failed: EBADF']);
    await j.close();
    expect(j.salvage).toEqual({ kind: 'rewritten' });
    // The facts once each, in order; the starts the failed writes announced never happened.
    const { records, torn } = await readJournal(j.file);
    expect(torn).toBe(false);
    expect(records.map((r) => `${r.event}${'step' in r ? ` ${r.step}` : ''}`)).toEqual([
      'run-started',
      'step-started a',
      'step-finished a',
      'step-finished b',
      'step-finished c',
    ]);
  });
});
