// An author's regular expression can backtrack for ages on a short text ('^(a+)+$' on
// 'aaaa...!'), and runbooks are input like any other: these run one with a time limit, so a
// pattern, a capture or a regex check cannot hang whoever applies it (validation, the prompt for
// a param, the check of a command's output).
import { createContext, runInContext } from 'node:vm';

/** How long one match may take by default. */
export const MATCH_LIMIT_MS = 250;

let sandbox: ReturnType<typeof createContext> | undefined;

function bounded<T>(code: string, re: RegExp, text: string, limitMs: number): T | 'timeout' {
  sandbox ??= createContext(Object.create(null) as object);
  sandbox.re = re;
  sandbox.text = text;
  try {
    return runInContext(code, sandbox, { timeout: limitMs }) as T;
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timeout';
    throw e;
  } finally {
    sandbox.re = undefined;
    sandbox.text = undefined;
  }
}

/** re.test(text), or 'timeout' when it takes longer than limitMs. */
export function boundedTest(re: RegExp, text: string, limitMs = MATCH_LIMIT_MS): boolean | 'timeout' {
  const r = bounded<boolean>('re.test(text)', re, text, limitMs);
  return r === 'timeout' ? r : r === true;
}

/** re.exec(text) (the match, or null), or 'timeout' when it takes longer than limitMs. */
export function boundedExec(re: RegExp, text: string, limitMs = MATCH_LIMIT_MS): RegExpExecArray | null | 'timeout' {
  return bounded<RegExpExecArray | null>('re.exec(text)', re, text, limitMs);
}
