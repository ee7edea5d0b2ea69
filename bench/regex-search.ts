// What a time-limited search of command output costs, by the way it is bounded
// (src/engine/regex-worker.ts chooses between the last two):
// 1. node:vm with `timeout` (boundedExec, validate's way): a watchdog thread per search;
// 2. the search worker, awaited by the runner off the event loop (searchAsync);
// 3. a pattern that cannot backtrack, run at once (searchAsync answers without the worker);
// and the same by text length. Also the reducer's cost of an event for scale: bench/engine.ts.
import { boundedExec } from '../src/runbook/bounded-regex.js';
import { searchAsync } from '../src/engine/regex-worker.js';

/** A poll's output: a few hundred lines of `systemctl status`-like text. */
const OUTPUT = Array.from({ length: 200 }, (_, i) => `dcos-unit-${i}.service  loaded active running  DC/OS unit ${i}`).join('\n');
const BACKTRACKING = /dcos-unit-(\d+)\.service\s+loaded\s+(active|failed)\s+exited/;
const DIRECT = /dcos-unit-199\.service/;

interface Times {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

async function timeEach(n: number, fn: () => unknown): Promise<Times> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    meanMs: round(times.reduce((s, x) => s + x, 0) / n),
    p50Ms: round(times[Math.floor(n * 0.5)] ?? 0),
    p99Ms: round(times[Math.floor(n * 0.99)] ?? 0),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const sized = (chars: number): string => OUTPUT.repeat(Math.ceil(chars / OUTPUT.length)).slice(0, chars);
  const long: Record<string, unknown> = {};
  for (const chars of [64 * 1024, 256 * 1024]) {
    const text = sized(chars);
    long[`${chars / 1024}K`] = {
      vm: await timeEach(50, () => boundedExec(BACKTRACKING, text)),
      worker: await timeEach(50, () => searchAsync(BACKTRACKING, text)),
    };
  }
  return {
    vmTimeout: await timeEach(1000, () => boundedExec(BACKTRACKING, OUTPUT)),
    worker: await timeEach(1000, () => searchAsync(BACKTRACKING, OUTPUT)),
    direct: await timeEach(1000, () => searchAsync(DIRECT, OUTPUT)),
    longText: long,
  };
}
