// Gates: pure evaluation of `expect` and `until` checks on a command's result. Every failure
// explains itself in one line, naming what was found and what was expected, because the
// operator reads it at night and the journal keeps it.
import { captureSpec } from '../runbook/capture-shape.js';
import type { Capture, Check, Checks, Scalar } from '../runbook/schema.js';

/** A match: where it starts, and the whole match then each group (undefined when a group took no part). */
export interface OutputMatch {
  index: number;
  groups: (string | undefined)[];
}

/** A search that did not answer: 'timeout' past the limit, else what the regex engine threw. */
export type SearchResult = OutputMatch | null | 'timeout' | { error: string };

/** How long a search of output may take (the runner's, regex-worker.ts): the last limit of bounded-regex. */
export const SEARCH_LIMIT_MS = 3000;

/** What a check looks at: the parts of an ExecResult that matter, already sanitised. */
export interface CheckInput {
  exit: number | null;
  stdout: string;
  stderr: string;
  /**
   * Patterns already searched for in outputText() of this input, by source: the runner searches
   * them off the event loop (patternsOf) before anything is decided. Nothing here searches: a
   * pattern with no answer is a check that cannot be decided.
   */
  searches?: Readonly<Record<string, SearchResult>>;
}

/** The patterns a step's gate and captures search its output with (what the runner searches ahead). */
export function patternsOf(gate: Checks | undefined, captures: Readonly<Record<string, Capture>> | undefined): string[] {
  const sources = checkList(gate).flatMap((c) => ('regex' in c ? [c.regex] : []));
  for (const written of Object.values(captures ?? {})) sources.push(captureSpec(written).regex);
  return [...new Set(sources)];
}

/** The verdict of one check or of a list of them. */
export interface CheckOutcome {
  ok: boolean;
  /** One line: why it failed, or what held. */
  message: string;
  /** The check could not be decided (its pattern backtracks): asking again would not help. */
  undecided?: true;
}

/** A list of checks, whatever form the author used. */
export function checkList(checks: Checks | undefined): Check[] {
  if (checks === undefined) return [];
  return Array.isArray(checks) ? checks : [checks];
}

/**
 * Evaluates every check in order and stops at the first that fails. Unless one of the checks
 * is about the exit status, the command must also have exited 0: a gate on the output of a
 * command that failed proves nothing.
 */
export function evaluateChecks(checks: Checks | undefined, input: CheckInput): CheckOutcome {
  const list = checkList(checks);
  const held: string[] = [];
  if (!list.some((c) => 'exit' in c)) {
    const outcome = checkExit(0, input);
    if (!outcome.ok) return outcome;
  }
  for (const check of list) {
    const outcome = evaluateCheck(check, input);
    if (!outcome.ok) return outcome;
    held.push(outcome.message);
  }
  return { ok: true, message: held.length > 0 ? held.join('; ') : exitText(input.exit) };
}

/** One check against one result. */
export function evaluateCheck(check: Check, input: CheckInput): CheckOutcome {
  if ('exit' in check) return checkExit(check.exit, input);
  if ('regex' in check) return checkRegex(check.regex, check.not === true, input);
  if ('json' in check) return checkJson(check.json, check.equals, input);
  return checkColumn(check.column, check.all, input);
}

const exitText = (exit: number | null): string => (exit === null ? 'no exit status' : `exit ${exit}`);

function checkExit(expected: number, input: CheckInput): CheckOutcome {
  if (input.exit === expected) return { ok: true, message: `exit ${expected}` };
  if (input.exit === null) return { ok: false, message: `the command did not finish (no exit status), expected exit ${expected}` };
  const said = lastWords(input.stderr) ?? lastWords(input.stdout);
  return { ok: false, message: `exit ${input.exit}, expected ${expected}${said ? `: ${clip(said)}` : ''}` };
}

/** The text checks and captures search: stdout, then stderr (installers log on stderr). */
export function outputText(input: Pick<CheckInput, 'stdout' | 'stderr'>): string {
  if (!input.stderr) return input.stdout;
  if (!input.stdout) return input.stderr;
  return `${input.stdout}${input.stdout.endsWith('\n') ? '' : '\n'}${input.stderr}`;
}

/** Compiles an author's pattern with the multiline flag; a bad pattern is a failed check, not a crash. */
export function compilePattern(source: string): RegExp | string {
  try {
    return new RegExp(source, 'm');
  } catch (error) {
    return `invalid regular expression /${source}/: ${(error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`;
  }
}

/** Patterns that ran out of time on some output: each try would stall the engine for seconds. */
const backtracking = new Set<string>();

/** Whether a pattern already ran out of time: it is not searched again (the verdict says why). */
export const knownToBacktrack = (source: string): boolean => backtracking.has(source);

type Search = OutputMatch | null | { undecided: string };

/**
 * The answer the runner found for an author's pattern in output (megabytes, maybe hostile): the
 * match, or, when there was no answer in time, why. A pattern that ran out of time once is not
 * searched again (the runner asks knownToBacktrack), so it has no answer here.
 */
function searchOutput(source: string, text: string, searched?: Readonly<Record<string, SearchResult>>): Search {
  const limit = `${SEARCH_LIMIT_MS / 1000} s`;
  const match = searched !== undefined && Object.hasOwn(searched, source) ? searched[source] : undefined;
  if (match === undefined) {
    if (backtracking.has(source))
      return { undecided: `/${source}/ backtracks (no answer within ${limit} on earlier output, so it is not tried again)` };
    return { undecided: `/${source}/ was not searched for in this output` };
  }
  if (match === 'timeout') {
    backtracking.add(source);
    return { undecided: `/${source}/ backtracks (no answer within ${limit} on this output of ${text.length} characters)` };
  }
  if (match !== null && 'error' in match) return { undecided: `/${source}/ could not be searched for in this output (${match.error})` };
  return match;
}

const found = (m: Search): m is OutputMatch | null => m === null || 'groups' in m;

function checkRegex(source: string, not: boolean, input: CheckInput): CheckOutcome {
  const re = compilePattern(source);
  if (typeof re === 'string') return { ok: false, message: re };
  const text = outputText(input);
  const match = searchOutput(source, text, input.searches);
  if (!found(match))
    return { ok: false, message: `${match.undecided}: the check cannot be decided; simplify the pattern`, undecided: true };
  if (not) {
    return match
      ? { ok: false, message: `/${source}/ matched "${clip(lineAround(text, match.index))}", expected no match` }
      : { ok: true, message: `/${source}/ not in the output` };
  }
  return match
    ? { ok: true, message: `/${source}/ matched "${clip(match.groups[0] ?? '')}"` }
    : { ok: false, message: `/${source}/ not found in the output${describeOutput(text)}` };
}

// ---- json ----

/** Finds the JSON document in the output: all of it, else the last line that parses. */
export function parseJsonOutput(stdout: string): { ok: true; value: unknown } | { ok: false } {
  const whole = stdout.trim();
  if (whole === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(whole) };
  } catch {
    // curl -v or a wrapper may print more than the document; take the last line that is JSON.
  }
  const lines = whole.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trim();
    if (!line.startsWith('{') && !line.startsWith('[')) continue;
    try {
      return { ok: true, value: JSON.parse(line) };
    } catch {
      continue;
    }
  }
  return { ok: false };
}

type Lookup = { found: true; values: { path: string; value: unknown }[] } | { found: false; missing: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Looks a key up: the whole key as written first (Mesos metrics are flat, with "/" inside the
 * key: `registrar/log/recovered`), then a walk by "/" through objects and arrays, trying at each
 * level the longest run of segments that is a key. `*` visits every element.
 */
export function lookupJson(document: unknown, key: string): Lookup {
  const values: { path: string; value: unknown }[] = [];
  let missing = key;
  const walk = (value: unknown, segments: string[], at: string): void => {
    if (segments.length === 0) {
      values.push({ path: at, value });
      return;
    }
    const join = (a: string, b: string) => (a ? `${a}/${b}` : b);
    if (segments[0] === '*') {
      const children = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : isObject(value) ? Object.entries(value) : [];
      if (children.length === 0) missing = at ? `${at}/*` : '*';
      for (const [k, v] of children) walk(v, segments.slice(1), join(at, k));
      return;
    }
    if (Array.isArray(value)) {
      const index = Number(segments[0]);
      if (Number.isInteger(index) && index >= 0 && index < value.length)
        return walk(value[index], segments.slice(1), join(at, String(index)));
      missing = join(at, segments[0] ?? '');
      return;
    }
    if (isObject(value)) {
      for (let n = segments.length; n >= 1; n--) {
        const candidate = segments.slice(0, n).join('/');
        if (Object.hasOwn(value, candidate)) return walk(value[candidate], segments.slice(n), join(at, candidate));
      }
    }
    missing = join(at, segments[0] ?? '');
  };
  walk(document, key.split('/'), '');
  return values.length > 0 ? { found: true, values } : { found: false, missing };
}

/** Equality as an operator means it: 1 equals 1.0 and "1"; true equals "true". */
export function sameValue(actual: unknown, expected: Scalar): boolean {
  if (actual === null || typeof actual === 'object' || actual === undefined) return false;
  const a = typeof actual === 'string' ? actual.trim() : actual;
  const e = typeof expected === 'string' ? expected.trim() : expected;
  const an = typeof a === 'number' ? a : typeof a === 'string' && a !== '' ? Number(a) : NaN;
  const en = typeof e === 'number' ? e : typeof e === 'string' && e !== '' ? Number(e) : NaN;
  if (Number.isFinite(an) && Number.isFinite(en)) return an === en;
  return String(a) === String(e);
}

const showValue = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
};

function checkJson(key: string, expected: Scalar, input: CheckInput): CheckOutcome {
  const parsed = parseJsonOutput(input.stdout);
  if (!parsed.ok) return { ok: false, message: `${key}: the output is not JSON${describeOutput(input.stdout)}` };
  const found = lookupJson(parsed.value, key);
  if (!found.found) {
    return {
      ok: false,
      message:
        found.missing === key || !found.missing.includes('/')
          ? `${key}: not in the output`
          : `${key}: not in the output (no ${found.missing})`,
    };
  }
  const many = found.values.length > 1;
  for (const { path, value } of found.values) {
    if (!sameValue(value, expected)) {
      return { ok: false, message: `${many ? path : key}: ${showValue(value)}, expected ${showValue(expected)}` };
    }
  }
  return { ok: true, message: `${key} = ${showValue(expected)}${many ? ` (${found.values.length} values)` : ''}` };
}

// ---- column ----

/** A text table found in output: its header cells and data rows. */
export interface TextTable {
  header: string[];
  rows: string[][];
}

const RULE = /^\s*\+[-+=]+\+?\s*$|^\s*[-=]{3,}[-=+\s|]*$/;
const ROW_COUNT = /^\s*\(?\d+ rows?\)?\s*$/;

function pipeCells(line: string): string[] {
  let body = line.trim();
  if (body.startsWith('|')) body = body.slice(1);
  if (body.endsWith('|')) body = body.slice(0, -1);
  return body.split('|').map((c) => c.trim());
}

/** Column start offsets of a whitespace-aligned header. */
function headerOffsets(line: string): { name: string; start: number }[] {
  return [...line.matchAll(/\S+/g)].map((m) => ({ name: m[0], start: m.index }));
}

function alignedCells(line: string, offsets: { start: number }[]): string[] {
  return offsets.map((o, i) => {
    const end = offsets[i + 1]?.start ?? line.length;
    return line.slice(o.start, end).trim();
  });
}

/**
 * Finds the table whose header row has the column: `|`-separated (cockroach's pretty output,
 * with `+----+` rules), tab-separated (its output without a terminal), or aligned with spaces.
 */
export function findTable(text: string, column: string): TextTable | undefined {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.includes('|')) {
      const header = pipeCells(line);
      if (!header.includes(column)) continue;
      const rows: string[][] = [];
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j] ?? '';
        if (RULE.test(l)) continue;
        if (!l.includes('|')) break;
        rows.push(pipeCells(l));
      }
      return { header, rows };
    }
    if (line.includes('\t')) {
      const header = line.split('\t').map((c) => c.trim());
      if (!header.includes(column)) continue;
      const rows: string[][] = [];
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j] ?? '';
        if (l.trim() === '' || ROW_COUNT.test(l)) break;
        rows.push(l.split('\t').map((c) => c.trim()));
      }
      return { header, rows };
    }
    const offsets = headerOffsets(line);
    if (!offsets.some((o) => o.name === column)) continue;
    const header = offsets.map((o) => o.name);
    const rows: string[][] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] ?? '';
      if (RULE.test(l)) continue;
      if (l.trim() === '' || ROW_COUNT.test(l)) break;
      const words = l.trim().split(/\s+/);
      rows.push(words.length === header.length ? words : alignedCells(l, offsets));
    }
    return { header, rows };
  }
  return undefined;
}

/** How a failing row is named: by its address when the table has one, else by its first column. */
function rowName(table: TextTable, row: string[]): string {
  const address = table.header.indexOf('address');
  if (address >= 0 && row[address]) return `node ${row[address]}`;
  return `${table.header[0] ?? 'first column'} ${row[0] ?? '?'}`;
}

function checkColumn(column: string, expected: Scalar, input: CheckInput): CheckOutcome {
  const text = outputText(input);
  const table = findTable(text, column);
  if (!table) return { ok: false, message: `${column}: no table with that column in the output${describeOutput(text)}` };
  if (table.rows.length === 0)
    return { ok: false, message: `${column}: the table has no data rows, so nothing proves the column is ${showValue(expected)}` };
  const index = table.header.indexOf(column);
  for (const [n, row] of table.rows.entries()) {
    const cell = row[index];
    if (cell === undefined) return { ok: false, message: `${column}: row ${n + 1} (${rowName(table, row)}) has no such cell` };
    if (!sameValue(cell, expected)) {
      return { ok: false, message: `${column}: ${cell} on row ${n + 1} (${rowName(table, row)}), expected ${showValue(expected)}` };
    }
  }
  return { ok: true, message: `${column} is ${showValue(expected)} on all ${table.rows.length} rows` };
}

// ---- capture ----

/** A capture's value: the first group of the pattern (or the whole match without groups). */
export function capture(
  source: string,
  input: Pick<CheckInput, 'stdout' | 'stderr' | 'searches'>,
): { ok: true; value: string } | { ok: false; message: string } {
  const re = compilePattern(source);
  if (typeof re === 'string') return { ok: false, message: re };
  const text = outputText(input);
  const match = searchOutput(source, text, input.searches);
  if (!found(match)) return { ok: false, message: `${match.undecided}: nothing is captured; simplify the pattern` };
  if (!match) return { ok: false, message: `/${source}/ not found in the output${describeOutput(text)}` };
  return { ok: true, value: (match.groups.length > 1 ? match.groups[1] : match.groups[0]) ?? '' };
}

// ---- helpers ----

function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines[lines.length - 1];
}

/**
 * The last line that says something in words: not a rule of dashes, and not a line of a JSON
 * dump a script printed after its message (dcos_node_upgrade.sh prints its checks' JSON last).
 */
function lastWords(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  const worded = lines.filter((l) => /[\p{L}\p{N}]/u.test(l) && !/^[{}[\]"]/.test(l));
  return worded[worded.length - 1] ?? lastLine(text);
}

function lineAround(text: string, index: number): string {
  const start = text.lastIndexOf('\n', index - 1) + 1;
  const end = text.indexOf('\n', index);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Keeps a message to one readable line. */
export function clip(text: string, max = 120): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

function describeOutput(text: string): string {
  const last = lastLine(text);
  return last === undefined ? ' (the output is empty)' : ` (last line: "${clip(last, 80)}")`;
}
