// getopt-style parsing for the simulated programs: combined short flags (-fsS), values
// (-n 20, -n20), long options (--no-pager, --since=..., --since ...) and "--".
import { FsFailure } from '../fs.js';
import type { ProgramContext } from '../shell/interpreter.js';
import { readAll } from '../shell/streams.js';

export interface ArgSpec {
  /** Short flags without a value, e.g. "fsSOk". */
  flags?: string;
  /** Short options that take a value, e.g. "oHn". */
  values?: string;
  /** Long options: name -> 'flag' | 'value' | 'optional' (value only after "=") | a short letter it stands for. */
  long?: Record<string, 'flag' | 'value' | 'optional' | string>;
  /** Stop at the first operand (sudo, timeout): the rest belongs to another command. */
  stopAtOperand?: boolean;
  /** Accept -<number> (head -20). */
  numeric?: boolean;
}

export interface ParsedArgs {
  /** Options by short letter or long name; repeated values are kept in order. */
  opts: Map<string, string[]>;
  rest: string[];
  error?: string;
}

export function parseArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const opts = new Map<string, string[]>();
  const rest: string[] = [];
  const add = (k: string, v: string): void => {
    const list = opts.get(k) ?? [];
    list.push(v);
    opts.set(k, list);
  };
  const flags = spec.flags ?? '';
  const values = spec.values ?? '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const kind = spec.long?.[name];
      if (kind === undefined) return { opts, rest, error: `unrecognized option '${a}'` };
      const key = kind.length === 1 ? kind : name;
      const takesValue = kind === 'value' || (kind.length === 1 && values.includes(kind));
      if (kind === 'optional') {
        add(key, eq >= 0 ? a.slice(eq + 1) : '');
      } else if (takesValue) {
        const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) return { opts, rest, error: `option '--${name}' requires an argument` };
        add(key, v);
      } else add(key, '');
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      if (spec.numeric && /^-\d+$/.test(a)) {
        add('#', a.slice(1));
        continue;
      }
      for (let j = 1; j < a.length; j++) {
        const c = a[j] as string;
        if (values.includes(c)) {
          const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (v === undefined) return { opts, rest, error: `option requires an argument -- '${c}'` };
          add(c, v);
          break;
        }
        if (!flags.includes(c)) return { opts, rest, error: `invalid option -- '${c}'` };
        add(c, '');
      }
      continue;
    }
    rest.push(a);
    if (spec.stopAtOperand) {
      rest.push(...argv.slice(i + 1));
      break;
    }
  }
  return { opts, rest };
}

export function has(p: ParsedArgs, ...keys: string[]): boolean {
  return keys.some((k) => p.opts.has(k));
}

export function value(p: ParsedArgs, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = p.opts.get(k);
    if (v && v.length > 0) return v[v.length - 1];
  }
  return undefined;
}

export function values(p: ParsedArgs, ...keys: string[]): string[] {
  return keys.flatMap((k) => p.opts.get(k) ?? []);
}

/** GNU quoting of a file name in messages (CentOS 7 coreutils, UTF-8 locale). */
export function q(name: string): string {
  return `\u2018${name}\u2019`;
}

/** Reads the named files (or stdin for none or "-"); reports missing ones as `prog: name: reason`. */
export async function readInputs(
  ctx: ProgramContext,
  files: string[],
  prog: string,
): Promise<{ inputs: { name: string; text: string }[]; failed: boolean }> {
  const inputs: { name: string; text: string }[] = [];
  let failed = false;
  if (files.length === 0) files = ['-'];
  for (const f of files) {
    if (f === '-') {
      inputs.push({ name: '(standard input)', text: await readAll(ctx.io.stdin) });
      continue;
    }
    try {
      inputs.push({ name: f, text: ctx.sh.host.fs.read(ctx.sh.resolve(f), ctx.sh.user) });
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      ctx.io.stderr.write(`${prog}: ${f}: ${e.reason}\n`);
      failed = true;
    }
  }
  return { inputs, failed };
}

export function usageError(ctx: ProgramContext, prog: string, error: string): number {
  ctx.io.stderr.write(`${prog}: ${error}\nTry '${prog} --help' for more information.\n`);
  return prog === 'grep' || prog === 'diff' ? 2 : 1;
}

/** Splits text into lines, without a final empty line for a trailing newline. */
export function lines(text: string): string[] {
  if (text === '') return [];
  const out = text.split('\n');
  if (out[out.length - 1] === '') out.pop();
  return out;
}
