// Quoting for /bin/sh on the nodes: dash on Debian and Ubuntu, bash elsewhere. Only plain single
// quotes are used, because inside them no character is special to either shell. Bash's $'...'
// (what zx emits) is not POSIX: dash reads it as a literal $ followed by '...', so a value such as
// a'; echo INJECTED # would escape it.

/** Characters that no POSIX shell treats specially anywhere in a word. */
const SAFE_WORD = /^[A-Za-z0-9_./:@%+-]+$/;

/** Words the shell reads as syntax in command position (bash's list is a superset of POSIX). */
export const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'case',
  'esac',
  'for',
  'select',
  'while',
  'until',
  'do',
  'done',
  'in',
  'function',
  'time',
  'coproc',
]);

/** A value that cannot be a shell argument at all (a NUL byte). */
export class ShellQuoteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellQuoteError';
  }
}

/** True when the value is one shell word as it stands, with the same meaning in every position. */
export function isShellSafeWord(value: string): boolean {
  return SAFE_WORD.test(value) && !RESERVED_WORDS.has(value);
}

/** POSIX single-quote escaping: safe under dash and bash alike. */
export function shellQuote(value: string): string {
  // Bare when nothing in it is special, so commands stay readable: curl http://10.0.4.1:5050/...
  if (isShellSafeWord(value)) return value;
  return shellQuoteAlways(value);
}

/** Always in single quotes, each ' written as '\'' (close, escaped quote, reopen). */
export function shellQuoteAlways(value: string): string {
  // A C string ends at NUL: bash drops the byte and dash cuts the word there, so the value would change.
  if (value.includes('\0')) throw new ShellQuoteError('a shell argument cannot contain a NUL byte');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
