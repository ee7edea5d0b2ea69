// The simulator's clock: simulated time runs `timeScale` times faster than real time, and can
// also be pushed forward by hand (tests). Every timer the simulator uses goes through here, so
// close() can cancel them all and a manual clock makes a test independent of the machine's speed.

/** Thrown (as the rejection of sleep) when the signal aborts the wait. */
export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

export interface SimClockOptions {
  /** How many simulated milliseconds pass per real millisecond (default 1). */
  timeScale?: number;
  /** The simulated time at start, epoch milliseconds. */
  start?: number;
  /** When true, simulated time only moves through advance(): for deterministic tests. */
  manual?: boolean;
}

/** Simulated time for every node of one cluster. */
export class SimClock {
  readonly timeScale: number;
  readonly manual: boolean;
  private readonly startSim: number;
  private readonly startReal: number;
  private offset = 0;
  private timers: Timer[] = [];
  private nextId = 1;
  private handle: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(options: SimClockOptions = {}) {
    const scale = options.timeScale ?? 1;
    if (!Number.isFinite(scale) || scale <= 0) throw new TypeError(`timeScale must be a positive number, not ${String(scale)}`);
    this.timeScale = scale;
    this.manual = options.manual ?? false;
    this.startSim = options.start ?? Date.UTC(2018, 2, 8, 13, 40, 0);
    this.startReal = performance.now();
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    const real = this.manual ? 0 : (performance.now() - this.startReal) * this.timeScale;
    return Math.floor(this.startSim + this.offset + real);
  }

  /** Real milliseconds that `simMs` of simulated time takes. */
  toReal(simMs: number): number {
    return simMs / this.timeScale;
  }

  /** Runs fn once simulated time reaches `due`. Returns a cancel function. */
  at(due: number, fn: () => void): () => void {
    if (this.disposed) return () => {};
    const timer: Timer = { id: this.nextId++, due, fn };
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1] as Timer).due > due) i--;
    this.timers.splice(i, 0, timer);
    this.arm();
    return () => {
      const k = this.timers.indexOf(timer);
      if (k >= 0) {
        this.timers.splice(k, 1);
        this.arm();
      }
    };
  }

  /** Resolves after `simMs` of simulated time; rejects with AbortedError when the signal aborts. */
  sleep(simMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortedError());
        return;
      }
      const onAbort = (): void => {
        cancel();
        reject(new AbortedError());
      };
      const cancel = this.at(this.now() + Math.max(0, simMs), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves simulated time forward and runs the timers that fall due. */
  advance(simMs: number): void {
    this.offset += Math.max(0, simMs);
    this.fire();
  }

  /** How many timers are waiting (tests check that close() leaves none). */
  pending(): number {
    return this.timers.length;
  }

  /** Cancels every timer; later calls to at() do nothing. */
  dispose(): void {
    this.disposed = true;
    this.timers = [];
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
  }

  private fire(): void {
    const now = this.now();
    while (this.timers.length > 0 && (this.timers[0] as Timer).due <= now) {
      const timer = this.timers.shift() as Timer;
      try {
        timer.fn();
      } catch {
        // A timer's failure must not stop the others; timer bodies report their own errors.
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
    const first = this.timers[0];
    if (!first || this.manual || this.disposed) return;
    const delay = Math.max(0, Math.ceil(this.toReal(first.due - this.now())));
    // Long timers are re-armed in steps so a huge delay never overflows setTimeout.
    this.handle = setTimeout(() => this.fire(), Math.min(delay, 60_000));
  }
}
