import { describe, expect, it } from 'vitest';
import { AbortedWhileWaiting, Limiter } from '../../src/transport/limiter.js';

describe('Limiter', () => {
  it('lets at most max holders in, the rest in order', async () => {
    const l = new Limiter(2);
    const order: number[] = [];
    const releases = await Promise.all([l.acquire(), l.acquire()]);
    const waiting = [3, 4].map((n) => l.acquire().then((r) => (order.push(n), r)));
    expect(l.inUse).toBe(2);
    expect(l.waiting).toBe(2);
    releases[0]!();
    releases[0]!(); // twice is harmless
    const r3 = await waiting[0]!;
    expect(order).toEqual([3]);
    expect(l.inUse).toBe(2);
    releases[1]!();
    (await waiting[1]!)();
    r3();
    expect(l.inUse).toBe(0);
    expect(l.highWater).toBe(2);
  });
  it('drops a waiter whose signal aborts', async () => {
    const l = new Limiter(1);
    const r = await l.acquire();
    const ac = new AbortController();
    const p = l.acquire(ac.signal);
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedWhileWaiting);
    expect(l.waiting).toBe(0);
    r();
    expect(l.inUse).toBe(0);
  });
  it('rejects all waiters at once', async () => {
    const l = new Limiter(1);
    await l.acquire();
    const p = l.acquire();
    l.rejectAll();
    await expect(p).rejects.toBeInstanceOf(AbortedWhileWaiting);
  });
  it('refuses a silly max', () => {
    expect(() => new Limiter(0)).toThrow(TypeError);
  });
});
