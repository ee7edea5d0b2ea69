// What a time-limited search of command output costs, by the way it is bounded
// (src/engine/regex-worker.ts chooses among them with these numbers):
// 1. node:vm with `timeout` (boundedExec): a watchdog thread started and joined per search;
// 2. the search worker, this thread waiting with Atomics.wait;
// 3. a pattern that cannot backtrack, run here directly;
// and what copying a long text to the worker costs against node:vm, by text length.
// Also the reducer's cost of an event for scale: bench/engine.ts.
import { boundedExec } from '../src/runbook/bounded-regex.js';
import { searchWithLimit } from '../src/engine/regex-worker.js';

/** A poll's output: a few hundred lines of `systemctl status`-like text. */
const OUTPUT = Array.from({ length: 200 }, (_, i) => `dcos-unit-${i}.service  loaded active running  DC/OS unit ${i}`).join('\n');
const BACKTRACKING = /dcos-unit-(\d+)\.service\s+loaded\s+(active|failed)\s+exited/;
const DIRECT = /dcos-unit-199\.service/;

function timeEach(n: number, fn: () => unknown): { meanMs: number; p50Ms: number; p99Ms: number } {
  for (let i = 0; i < 20; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
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
      vm: timeEach(50, () => boundedExec(BACKTRACKING, text)),
      worker: timeEach(50, () => searchWithLimit(BACKTRACKING, text)),
    };
  }
  return {
    vmTimeout: timeEach(1000, () => boundedExec(BACKTRACKING, OUTPUT)),
    worker: timeEach(1000, () => searchWithLimit(BACKTRACKING, OUTPUT)),
    direct: timeEach(1000, () => searchWithLimit(DIRECT, OUTPUT)),
    longText: long,
  };
}
