// Time for the runner, as an option: the real clock, a scaled one (--time-scale N: every wait
// N times shorter, and the clock N times faster, so countdowns agree with the simulator), and a
// fake one that tests move by hand.

export interface Clock {
  /** Milliseconds since the epoch, on this clock. */
  now(): number;
  /** Resolves after ms on this clock; rejects with an AbortError when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** How many times faster than real time (1 for the real clock). */
  readonly scale: number;
}

const abortError = (): Error => Object.assign(new Error('The wait was aborted'), { name: 'AbortError' });

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export const realClock: Clock = { now: () => Date.now(), sleep: realSleep, scale: 1 };

/** A clock running `scale` times faster than real time, from now on. */
export function scaledClock(scale: number): Clock {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new TypeError(`time scale must be a positive number, got ${scale}`);
  if (scale === 1) return realClock;
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * scale,
    sleep: (ms, signal) => realSleep(ms / scale, signal),
    scale,
  };
}

/**
 * The real time a command may take, for a limit given on the run's clock. A faster clock shortens
 * the limit, but not below the limit itself or 5 s: a command's round trip to a node is real time
 * that no time scale speeds up, and on a busy host 60 s at time scale 500 (120 ms) is less than
 * one round trip.
 */
export function commandTimeout(ms: number, clock: Pick<Clock, 'scale'>): number {
  return Math.max(1, Math.round(ms / clock.scale), Math.min(ms, COMMAND_TIMEOUT_FLOOR_MS));
}
const COMMAND_TIMEOUT_FLOOR_MS = 5_000;

/** A clock that moves only when told; sleepers wake in time order. */
export class FakeClock implements Clock {
  readonly scale = 1;
  private sleepers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;

  constructor(private time = Date.parse('2026-11-25T17:18:00.000Z')) {}

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const sleeper = { at: this.time + Math.max(0, ms), seq: this.seq++, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          reject(abortError());
        },
        { once: true },
      );
    });
  }

  /** How many sleeps are waiting. */
  get waiting(): number {
    return this.sleepers.length;
  }

  /** The time the next sleeper wakes, if any. */
  get next(): number | undefined {
    return this.sleepers.reduce<number | undefined>((min, s) => (min === undefined || s.at < min ? s.at : min), undefined);
  }

  /** Moves time forward, waking each sleeper at its time and letting what it started run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      const due = this.sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.time = Math.max(this.time, due.at);
      due.resolve();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
