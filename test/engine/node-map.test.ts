import { describe, expect, it } from 'vitest';
import { NodeMap } from '../../src/engine/node-map.js';

describe('NodeMap', () => {
  const names = Array.from({ length: 100 }, (_, i) => `agent-${i + 1}`);
  const base = NodeMap.from(names.map((n, i) => [n, i] as const));

  it('reads like a Map, in insertion order', () => {
    expect(base.size).toBe(100);
    expect(base.get('agent-77')).toBe(76);
    expect(base.has('agent-101')).toBe(false);
    expect([...base.keys()]).toEqual(names);
    expect([...base.values()]).toEqual(names.map((_, i) => i));
    expect([...base].slice(0, 2)).toEqual([
      ['agent-1', 0],
      ['agent-2', 1],
    ]);
  });

  it('updates without touching the old version, sharing the chunks that did not change', () => {
    const next = base.withUpdates(
      new Map([
        ['agent-5', -5],
        ['agent-99', -99],
      ]),
    );
    expect(base.get('agent-5')).toBe(4);
    expect(next.get('agent-5')).toBe(-5);
    expect(next.get('agent-99')).toBe(-99);
    expect(next.get('agent-40')).toBe(39);
    const chunks = (m: NodeMap<number>) => (m as unknown as { chunks: unknown[] }).chunks;
    expect(chunks(next)[1]).toBe(chunks(base)[1]);
    expect(chunks(next)[0]).not.toBe(chunks(base)[0]);
  });

  it('adds a key it did not have at the end', () => {
    const more = base.set('bootstrap', 1000);
    expect([...more.keys()].at(-1)).toBe('bootstrap');
    expect(more.size).toBe(101);
  });
});
