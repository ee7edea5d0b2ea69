// Checks and captures search a command's output with an author's pattern on every poll of every
// node, so their time limit must be cheap. node:vm's `timeout` (what boundedExec uses) starts and
// joins a watchdog thread per call, which costs more than the reducer's whole handling of an
// event, and much more at the 99th percentile (bench/regex-search.ts and bench/engine.ts measure
// both; docs/architecture.md keeps the numbers). So:
// - a pattern with nothing to backtrack on runs here, bounded by its length times the text's;
// - any other runs in one worker thread while this thread waits with Atomics.wait, a fraction of
//   what the watchdog costs;
//   a worker that overruns the limit is terminated, and the next search starts a new one;
// - a text too long to copy to the worker cheaply goes through boundedExec.
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { boundedExec, MATCH_LIMITS_MS } from '../runbook/bounded-regex.js';

/** A match: where it starts, and the whole match then each group (undefined when a group took no part). */
export interface OutputMatch {
  index: number;
  groups: (string | undefined)[];
}

/** A search that did not answer: 'timeout' past the limit, else what the regex engine threw. */
export type SearchResult = OutputMatch | null | 'timeout' | { error: string };

/** How long a search may take: the limit that confirms a timeout in bounded-regex. */
export const SEARCH_LIMIT_MS = MATCH_LIMITS_MS.at(-1) ?? 3000;
/** Steps a pattern that cannot backtrack may take here (its length times the text's): milliseconds. */
const DIRECT_MAX_STEPS = 2 ** 24;
/** Longer texts are not copied to the worker: past this, the copy costs more than node:vm's watchdog (bench/regex-search.ts, longText). */
const COPY_MAX_CHARS = 256 * 1024;
/** A worker that has not started in this time (a machine out of threads) is not waited for again. */
const START_LIMIT_MS = 10_000;

// CommonJS, evaluated in the worker. The counter in `signal` goes up once when the worker is ready
// and once after each answer is posted, so this thread knows when to read its port.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, signal } = workerData;
const done = () => { Atomics.add(signal, 0, 1); Atomics.notify(signal, 0); };
port.on('message', ({ source, flags, text }) => {
  let answer;
  try {
    const m = new RegExp(source, flags).exec(text);
    answer = m === null ? null : { index: m.index, groups: [...m] };
  } catch (error) {
    answer = { error: String(error && error.message ? error.message : error) };
  }
  port.postMessage(answer);
  done();
});
done();
`;

/**
 * Whether a pattern has no choice to go back on: no quantifier, alternation, back-reference or
 * lookaround, only characters, classes, anchors and groups. Such a pattern tries each start
 * position in at most its own length in steps, so a search cannot run away. Anything the scan is
 * not sure of counts as a choice.
 */
export function cannotBacktrack(source: string): boolean {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[++i] ?? '';
      if (!inClass && /[1-9k]/.test(next)) return false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' && source[i + 1] === '?') {
      if (source[i + 2] !== ':') return false;
      i += 2;
    } else if (c === '*' || c === '+' || c === '?' || c === '{' || c === '|') return false;
  }
  return true;
}

/** re.exec(text), answered within limitMs or 'timeout'; never hangs, never throws for the pattern. */
export function searchWithLimit(re: RegExp, text: string, limitMs: number = SEARCH_LIMIT_MS): SearchResult {
  if (text.length * re.source.length <= DIRECT_MAX_STEPS && cannotBacktrack(re.source)) return fromExec(re.exec(text));
  if (text.length > COPY_MAX_CHARS) return viaVm(re, text, limitMs);
  if (!noWorker && !searcher) {
    searcher = startSearcher();
    noWorker = searcher === undefined;
  }
  if (!searcher) return viaVm(re, text, limitMs);
  const { worker, port, signal } = searcher;
  const before = Atomics.load(signal, 0);
  port.postMessage({ source: re.source, flags: re.flags, text });
  if (Atomics.wait(signal, 0, before, limitMs) === 'timed-out') {
    stop(worker);
    return 'timeout';
  }
  const answer = receiveMessageOnPort(port);
  if (!answer) {
    // The counter moved without an answer: the worker is in a state nobody planned for.
    stop(worker);
    return { error: 'the search gave no answer' };
  }
  return answer.message as OutputMatch | null | { error: string };
}

interface Searcher {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
}

let searcher: Searcher | undefined;
/** Set when a worker could not be started: searches go through boundedExec instead. */
let noWorker = false;

function startSearcher(): Searcher | undefined {
  try {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, signal }, transferList: [port2] });
    // Neither keeps the process alive; a worker that fails is dropped and the next search starts another.
    worker.unref();
    port1.unref();
    worker.on('error', () => stop(worker));
    if (Atomics.wait(signal, 0, 0, START_LIMIT_MS) === 'timed-out') {
      void worker.terminate();
      return undefined;
    }
    return { worker, port: port1, signal };
  } catch {
    return undefined;
  }
}

function stop(worker: Worker): void {
  if (searcher?.worker !== worker) return;
  searcher.port.close();
  void worker.terminate();
  searcher = undefined;
}

const fromExec = (m: RegExpExecArray | null): OutputMatch | null => (m === null ? null : { index: m.index, groups: [...m] });

function viaVm(re: RegExp, text: string, limitMs: number): SearchResult {
  try {
    const m = boundedExec(re, text, [limitMs]);
    return m === 'timeout' ? m : fromExec(m);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

// ---- searches that never block: the runner's ----
//
// The searches above make this thread wait (up to the limit) for an answer. The runner cannot:
// keys, spinners and other nodes' output go on while a search runs. So it hands its searches to
// a second worker and awaits the answer; one search at a time, each with its own limit from the
// moment the worker gets it; a worker past the limit is terminated and the next search starts a
// new one. A pattern with nothing to backtrack on is still searched here, at once.

interface Pending {
  source: string;
  flags: string;
  text: string;
  limitMs: number;
  resolve: (r: SearchResult) => void;
}

// CommonJS, evaluated in the worker: answers each search with its id.
const ASYNC_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', ({ source, flags, text }) => {
  let answer;
  try {
    const m = new RegExp(source, flags).exec(text);
    answer = m === null ? null : { index: m.index, groups: [...m] };
  } catch (error) {
    answer = { error: String(error && error.message ? error.message : error) };
  }
  parentPort.postMessage(answer);
});
`;

const queue: Pending[] = [];
let asyncWorker: Worker | undefined;
let busy = false;

/** re.exec(text) in a worker, answered within limitMs (or 'timeout') without blocking this thread. */
export function searchAsync(re: RegExp, text: string, limitMs: number = SEARCH_LIMIT_MS): Promise<SearchResult> {
  if (text.length * re.source.length <= DIRECT_MAX_STEPS && cannotBacktrack(re.source)) return Promise.resolve(fromExec(re.exec(text)));
  return new Promise((resolve) => {
    queue.push({ source: re.source, flags: re.flags, text, limitMs, resolve });
    next();
  });
}

function next(): void {
  if (busy) return;
  const job = queue.shift();
  if (!job) return;
  let worker: Worker;
  try {
    asyncWorker ??= newAsyncWorker();
    worker = asyncWorker;
  } catch (error) {
    job.resolve({ error: `no worker to search in: ${(error as Error).message}` });
    next();
    return;
  }
  busy = true;
  const finish = (answer: SearchResult): void => {
    clearTimeout(timer);
    worker.off('message', onMessage);
    worker.off('exit', onExit);
    // An idle worker does not keep the process alive.
    worker.unref();
    busy = false;
    job.resolve(answer);
    next();
  };
  const onMessage = (answer: OutputMatch | null | { error: string }): void => finish(answer);
  const onExit = (): void => {
    if (asyncWorker === worker) asyncWorker = undefined;
    finish({ error: 'the search worker stopped' });
  };
  const timer = setTimeout(() => {
    if (asyncWorker === worker) asyncWorker = undefined;
    worker.off('exit', onExit);
    void worker.terminate();
    // The same pattern waiting on other nodes' output would take the whole limit each time:
    // it backtracks, and is answered so at once (as the reducer answers it once it knows).
    for (let i = queue.length - 1; i >= 0; i--) {
      const waiting = queue[i]!;
      if (waiting.source === job.source && waiting.flags === job.flags) {
        queue.splice(i, 1);
        waiting.resolve('timeout');
      }
    }
    finish('timeout');
  }, job.limitMs);
  worker.on('message', onMessage);
  worker.on('exit', onExit);
  worker.ref();
  worker.postMessage({ source: job.source, flags: job.flags, text: job.text });
}

function newAsyncWorker(): Worker {
  const worker = new Worker(ASYNC_WORKER_SOURCE, { eval: true });
  worker.on('error', () => undefined);
  return worker;
}
