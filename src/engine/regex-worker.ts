// Checks and captures search a command's output with an author's pattern on every poll of every
// node. The runner searches before the reducer decides, and never waits: a pattern with nothing to
// backtrack on runs here at once (bounded by its length times the text's); any other runs in a
// worker thread that is terminated past the time limit, while keys, spinners and other nodes'
// output go on. The reducer only reads the answers (events.ts: exec-done's searches).
import { Worker } from 'node:worker_threads';
import { SEARCH_LIMIT_MS, type OutputMatch, type SearchResult } from './checks.js';

export { SEARCH_LIMIT_MS, type OutputMatch, type SearchResult };

/** Steps a pattern that cannot backtrack may take here (its length times the text's): milliseconds. */
const DIRECT_MAX_STEPS = 2 ** 24;

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

const fromExec = (m: RegExpExecArray | null): OutputMatch | null => (m === null ? null : { index: m.index, groups: [...m] });

// One search at a time, each with its own limit from the moment the worker gets it; a worker past
// the limit is terminated and the next search starts a new one.

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
