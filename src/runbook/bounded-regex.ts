// An author's regular expression can backtrack for ages on a short text ('^(a+)+$' on
// 'aaaa...!'), and runbooks are input like any other: these run one with a time limit, so a
// pattern, a capture or a regex check cannot hang whoever applies it (validation, the prompt for
// a param, the check of a command's output).
//
// The limit is wall time: on a loaded machine (CI running tests in parallel) even a trivial
// match can be descheduled past a short limit, so a first timeout is confirmed with a long one.
import { createContext, runInContext } from 'node:vm';

/** The first limit, and the longer one that confirms a timeout. */
export const MATCH_LIMITS_MS: readonly number[] = [250, 3000];

let sandbox: ReturnType<typeof createContext> | undefined;
/** Patterns already found to backtrack: boundedTest does not try them again on the next value. */
const backtracking = new Set<string>();

function bounded<T>(code: string, re: RegExp, text: string, limitsMs: readonly number[]): T | 'timeout' {
  sandbox ??= createContext(Object.create(null) as object);
  sandbox.re = re;
  sandbox.text = text;
  try {
    for (const timeout of limitsMs) {
      try {
        return runInContext(code, sandbox, { timeout }) as T;
      } catch (e) {
        if ((e as { code?: string }).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
      }
    }
    return 'timeout';
  } finally {
    sandbox.re = undefined;
    sandbox.text = undefined;
  }
}

/** re.test(text), or 'timeout' when it takes longer than the limits allow. */
export function boundedTest(re: RegExp, text: string, limitsMs: readonly number[] = MATCH_LIMITS_MS): boolean | 'timeout' {
  if (backtracking.has(re.source)) return 'timeout';
  const r = bounded<boolean>('re.test(text)', re, text, limitsMs);
  if (r === 'timeout') {
    backtracking.add(re.source);
    return r;
  }
  return r === true;
}

/** re.exec(text) (the match, or null), or 'timeout' when it takes longer than the limits allow. */
export function boundedExec(re: RegExp, text: string, limitsMs: readonly number[] = MATCH_LIMITS_MS): RegExpExecArray | null | 'timeout' {
  return bounded<RegExpExecArray | null>('re.exec(text)', re, text, limitsMs);
}
