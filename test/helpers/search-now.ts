// The engine's checks never search: the runner searches a step's patterns off the event loop and
// hands the answers to the reducer. Tests that call the checks (or drive the reducer) without a
// runner get the same answers here, searched synchronously with the same time limit (node:vm's
// timeout blocks this thread, which a test may afford and the product must not).
import * as checks from '../../src/engine/checks.js';
import { cannotBacktrack } from '../../src/engine/regex-worker.js';
import { boundedExec } from '../../src/runbook/bounded-regex.js';
import type { Capture, Check, Checks } from '../../src/runbook/schema.js';

type Output = { stdout: string; stderr: string };

/** The runner's answers for these patterns in this output: skipped as the runner skips them. */
export function searchNow(patterns: readonly string[], output: Output): Record<string, checks.SearchResult> {
  const text = checks.outputText(output);
  const searches: Record<string, checks.SearchResult> = {};
  for (const source of patterns) {
    const re = checks.compilePattern(source);
    if (typeof re === 'string' || checks.knownToBacktrack(source)) continue;
    if (cannotBacktrack(source)) {
      searches[source] = fromExec(re.exec(text));
      continue;
    }
    try {
      const m = boundedExec(re, text, [checks.SEARCH_LIMIT_MS]);
      searches[source] = m === 'timeout' ? m : fromExec(m);
    } catch (error) {
      searches[source] = { error: (error as Error).message };
    }
  }
  return searches;
}

const fromExec = (m: RegExpExecArray | null): checks.OutputMatch | null => (m === null ? null : { index: m.index, groups: [...m] });

/** A check input with the answers the runner would have given. */
export function searched<T extends Output>(
  input: T,
  gate?: Checks,
  captures?: Readonly<Record<string, Capture>>,
): T & { searches: Record<string, checks.SearchResult> } {
  return { ...input, searches: searchNow(checks.patternsOf(gate, captures), input) };
}

export const evaluateChecks = (gate: Checks | undefined, input: checks.CheckInput): checks.CheckOutcome =>
  checks.evaluateChecks(gate, searched(input, gate));
export const evaluateCheck = (check: Check, input: checks.CheckInput): checks.CheckOutcome =>
  checks.evaluateCheck(check, searched(input, check));
export const capture = (source: string, input: Output): ReturnType<typeof checks.capture> =>
  checks.capture(source, { ...input, searches: searchNow([source], input) });
