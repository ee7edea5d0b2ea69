// What the runner keeps of a node's output is bounded in bytes, not in pieces: a node printing
// megabyte lines (or one line of gigabytes) costs the same as one printing short lines.
import { describe, expect, it } from 'vitest';
import { DEFAULT_BYTES_PER_NODE, DIGEST_LINE_CHARS, DigestBuilder, LineRing, OutputStore, lineBytes } from '../../src/engine/output.js';
import { DEFAULT_MAX_SHOWN_LINE_CHARS } from '../../src/transport/sanitize.js';

const MiB = 1024 * 1024;

describe('LineRing', () => {
  it('keeps the newest lines within a count', () => {
    const r = new LineRing<number>(3);
    for (let i = 0; i < 10; i++) r.push(i);
    expect(r.slice(0)).toEqual([7, 8, 9]);
    expect(r.slice(1, 2)).toEqual([8]);
    expect(r.total).toBe(10);
  });

  it('keeps the newest lines within a byte budget, the newest even when it alone is over', () => {
    const r = new LineRing<{ text: string }>(1000, { maxBytes: 10 * MiB, sizeOf: lineBytes });
    for (let i = 0; i < 100; i++) r.push({ text: String(i).padEnd(MiB, 'x') });
    expect(r.bytes).toBeLessThanOrEqual(10 * MiB);
    expect(r.slice(0).map((l) => l.text.slice(0, 2))).toEqual(['95', '96', '97', '98', '99']);
    r.push({ text: 'y'.repeat(20 * MiB) });
    expect(r.length).toBe(1);
  });
});

describe('OutputStore', () => {
  it('a transport that hands on megabyte lines (none of ours does) still costs the budget of a node', () => {
    const store = new OutputStore();
    const piece = 'z'.repeat(MiB);
    for (let i = 0; i < 300; i++) store.append('n1', { stream: 'stdout', text: piece, task: 's/t@n1' });
    store.append('n1', { stream: 'stdout', text: 'last line', task: 's/t@n1' });
    expect(store.bytes('n1')).toBeLessThanOrEqual(DEFAULT_BYTES_PER_NODE);
    const kept = store.lines('n1');
    // Every long line is cut, with a marker saying how much was dropped.
    expect(kept.at(-2)!.text).toBe(
      `${'z'.repeat(DEFAULT_MAX_SHOWN_LINE_CHARS)} … [${(MiB - DEFAULT_MAX_SHOWN_LINE_CHARS).toLocaleString('en-US')} more characters of this line not kept]`,
    );
    expect(kept.at(-1)!.text).toBe('last line');
    // 2,000 lines of 4 KiB would be 16 MB: the byte budget, not the count, is what holds.
    expect(kept.length).toBeLessThan(2000);
  });
});

describe('DigestBuilder', () => {
  it('keeps a small tail whatever the lines, and counts what was dropped in bytes', () => {
    const d = new DigestBuilder();
    for (let i = 0; i < 50; i++) d.add('q'.repeat(MiB));
    d.add('[… 123 more characters of the line above not kept]', 123);
    const digest = d.digest();
    expect(JSON.stringify(digest).length).toBeLessThan(20 * (DIGEST_LINE_CHARS + 10) + 200);
    expect(digest.lines).toBe(51);
    expect(digest.bytes).toBe(50 * (MiB + 1) + '[… 123 more characters of the line above not kept]\n'.length + 2 + 123);
    expect(digest.tail[0]).toBe(`${'q'.repeat(DIGEST_LINE_CHARS)} …`);
  });
});
