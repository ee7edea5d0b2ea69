// A counting semaphore with a FIFO queue: at most `max` holders at once, the rest wait in order.

export class AbortedWhileWaiting extends Error {
  constructor() {
    super('aborted while waiting for a free slot');
    this.name = 'AbortedWhileWaiting';
  }
}

export class Limiter {
  private active = 0;
  private queue: { grant: () => void; abort: () => void }[] = [];
  /** The most holders there ever were at once. */
  highWater = 0;

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new TypeError(`Limiter max must be a positive integer, got ${max}`);
  }

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AbortedWhileWaiting());
    if (this.active < this.max) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.take());
        },
        abort: () => reject(new AbortedWhileWaiting()),
      };
      const onAbort = (): void => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        waiter.abort();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** Rejects everyone still waiting (when the connection is gone). */
  rejectAll(): void {
    for (const w of this.queue.splice(0)) w.abort();
  }

  private take(): () => void {
    this.active++;
    if (this.active > this.highWater) this.highWater = this.active;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.queue.shift()?.grant();
    };
  }
}
