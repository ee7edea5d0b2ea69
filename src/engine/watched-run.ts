// A run seen from its journal by a watcher (runbook watch): the state the player's reducer builds
// from the same records, the output the journal keeps (each attempt's last lines), and who
// listens. It runs nothing and answers nothing: the methods a player's runner has for acting are
// here only so the same screen can be driven, and each refuses.
import { stripControls } from '../input/controls.js';
import type { Clock } from './clock.js';
import type { JournalRecord } from './events.js';
import { OutputStore } from './output.js';
import { taskKey } from './plan.js';
import type { HealthVerdict, RunnerChange, RunnerListener } from './runner.js';
import type { RunState } from './state.js';
import { update } from './update.js';

/** Said by every method that would act on the run. */
export const READ_ONLY = 'a watcher is read-only: the player answers';

export class WatchedRun {
  readonly output = new OutputStore();
  private state: RunState;
  private readonly listeners = new Set<RunnerListener>();
  /** Every record applied, in order (plain mode and the tests read them). */
  readonly records: JournalRecord[] = [];

  constructor(initial: RunState) {
    this.state = initial;
  }

  getState(): RunState {
    return this.state;
  }

  subscribe(listener: RunnerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records read from the journal: through the player's reducer, then to listeners. */
  apply(records: readonly JournalRecord[]): void {
    if (records.length === 0) return;
    let s = this.state;
    let outputChanged = false;
    for (const r of records) {
      s = update(s, r).state;
      this.records.push(r);
      if (r.event === 'output') {
        // The journal keeps an attempt's last lines; the lines before them were on the player's screen only.
        const task = taskKey(r.section, r.step, r.node);
        const before = r.lines - r.tail.length;
        if (before > 0)
          this.output.append(r.node, {
            stream: 'stdout',
            text: `… ${before} earlier ${before === 1 ? 'line' : 'lines'} (the journal keeps the last ${r.tail.length})`,
            task,
            attempt: r.attempt,
          });
        // Numbered by their attempt, as the player's lines are: each attempt's lines under its own rule.
        for (const text of r.tail) this.output.append(r.node, { stream: 'stdout', text: stripControls(text), task, attempt: r.attempt });
        outputChanged = true;
      }
    }
    this.state = outputChanged ? { ...s, outputVersion: this.output.version } : s;
    const change: RunnerChange = { records, rejected: [] };
    for (const l of this.listeners) l(this.state, change);
  }

  // ---- what a player's runner does, refused ----
  start(): void {}
  dispatch(): void {
    throw new TypeError(READ_ONLY);
  }
  probe(): Promise<HealthVerdict> {
    return Promise.reject(new TypeError(READ_ONLY));
  }
  troubleshoot(): Promise<never> {
    return Promise.reject(new TypeError(READ_ONLY));
  }
}

/**
 * The player's clock as a watcher can know it: a journal's times run `scale` times faster than
 * real time from an origin the watcher never saw, so the clock is anchored on the last record read
 * and the real time it was written (the file's mtime), and runs on at the same scale.
 */
export class FollowClock implements Clock {
  private anchor: { at: number; real: number } | undefined;

  constructor(readonly scale: number = 1) {}

  /** A record written at `at` (journal time), when the file was last written at `real` (wall time). */
  mark(at: number, real: number): void {
    if (this.scale === 1 || !Number.isFinite(at)) return;
    this.anchor = { at, real };
  }

  now(): number {
    if (this.scale === 1 || !this.anchor) return Date.now();
    return this.anchor.at + (Date.now() - this.anchor.real) * this.scale;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms / this.scale);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(Object.assign(new Error('The wait was aborted'), { name: 'AbortError' }));
      });
    });
  }
}
