// The follower of a journal, on real files written the way a player and a careless colleague
// write them: a record arriving in two writes, a file cut, replaced, deleted, a line edited.
import { appendFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { JournalFollower, type FollowStop } from '../../src/engine/journal-follow.js';
import { tempDir } from '../helpers/real-shell.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const started: JournalRecord = {
  ts: '2026-11-25T17:18:00.000Z',
  run: '20261125-171800-ab12',
  event: 'run-started',
  runbook: { id: 'dcos', title: 'DC/OS', file: '/rb/dcos.yaml', digest: 'abc' },
  params: {},
  secrets: [],
  by: 'alice',
  header: {},
  total: 3,
};
const paused = (i: number): JournalRecord => ({
  ts: `2026-11-25T17:18:0${i}.000Z`,
  run: started.run,
  event: 'paused',
  by: `bob ${'ü'.repeat(i)}`,
});
const line = (r: JournalRecord) => `${JSON.stringify(r)}\n`;

/** A follower of a fresh journal holding `records`, with what it heard. */
async function follow(records: JournalRecord[]) {
  const t = tempDir('runbook-follow-');
  cleanups.push(t.remove);
  const file = path.join(t.dir, `${started.run}.jsonl`);
  writeFileSync(file, records.map(line).join(''));
  const heard: JournalRecord[] = [];
  const stops: FollowStop[] = [];
  let calls = 0;
  const follower = new JournalFollower(file, {
    onRecords: (batch) => {
      calls += 1;
      heard.push(...batch);
    },
    onStop: (s) => stops.push(s),
    pollMs: 20,
  });
  cleanups.push(() => follower.close());
  await follower.start();
  const until = async (what: () => boolean) => {
    const end = Date.now() + 3000;
    while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return what();
  };
  return { file, dir: t.dir, heard, stops, follower, until, calls: () => calls };
}

describe('following a journal', () => {
  it('reads what is there, then each record as it lands; a record written in two halves waits for its newline', async () => {
    const f = await follow([started, paused(1)]);
    expect(f.heard.map((r) => r.event)).toEqual(['run-started', 'paused']);
    // Half a record, cut inside a two-byte character: nothing yet, and nothing broken.
    const next = Buffer.from(line(paused(3)));
    appendFileSync(f.file, next.subarray(0, next.indexOf('ü') + 1));
    await f.follower.check();
    await new Promise((r) => setTimeout(r, 100));
    expect(f.heard).toHaveLength(2);
    expect(f.stops).toEqual([]);
    appendFileSync(f.file, next.subarray(next.indexOf('ü') + 1));
    expect(await f.until(() => f.heard.length === 3)).toBe(true);
    expect(f.heard[2]).toEqual(paused(3));
    // Records keep coming, found by the watch or the poll without anyone calling check().
    appendFileSync(f.file, line(paused(4)) + line(paused(5)));
    expect(await f.until(() => f.heard.length === 5)).toBe(true);
    expect(f.stops).toEqual([]);
  });

  it('an empty journal is heard once, with nothing in it', async () => {
    const f = await follow([]);
    expect(f.calls()).toBe(1);
    expect(f.heard).toEqual([]);
  });

  it('a journal deleted while followed: a stop that says so', async () => {
    const f = await follow([started]);
    rmSync(f.file);
    expect(await f.until(() => f.stops.length > 0)).toBe(true);
    expect(f.stops[0]).toMatchObject({ kind: 'deleted', message: expect.stringContaining('was deleted') });
  });

  it('a journal cut shorter: a stop, not a replay of what follows the cut', async () => {
    const f = await follow([started, paused(1), paused(2)]);
    truncateSync(f.file, line(started).length);
    expect(await f.until(() => f.stops.length > 0)).toBe(true);
    expect(f.stops[0]).toMatchObject({ kind: 'truncated', message: expect.stringContaining('cut shorter') });
    expect(f.heard).toHaveLength(3);
  });

  it('a journal replaced by another file (an editor saving over it): a stop', async () => {
    const f = await follow([started]);
    const other = path.join(f.dir, 'other.jsonl');
    writeFileSync(other, line(started) + line(paused(1)) + line(paused(2)));
    renameSync(other, f.file);
    expect(await f.until(() => f.stops.length > 0)).toBe(true);
    expect(f.stops[0]).toMatchObject({ kind: 'replaced' });
    expect(f.heard).toHaveLength(1);
  });

  it('a line that is not a record, once whole: a stop naming the line', async () => {
    const f = await follow([started]);
    appendFileSync(f.file, 'not json at all\n');
    expect(await f.until(() => f.stops.length > 0)).toBe(true);
    expect(f.stops[0]).toMatchObject({ kind: 'damaged', line: 2, message: expect.stringMatching(/\.jsonl:2:1: /) });
  });

  it('nothing is heard after close', async () => {
    const f = await follow([started]);
    f.follower.close();
    appendFileSync(f.file, line(paused(1)));
    rmSync(f.file);
    await new Promise((r) => setTimeout(r, 100));
    expect(f.heard).toHaveLength(1);
    expect(f.stops).toEqual([]);
  });
});
