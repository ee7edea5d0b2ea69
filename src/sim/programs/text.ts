// Text tools operators pipe into: grep, sed, awk (print only), head, tail, wc, sort, uniq, cut,
// tr, diff, tee, less. Messages follow GNU coreutils 8.22 and grep 2.20 as on CentOS 7.
import { FsFailure } from '../fs.js';
import type { Program, ProgramContext } from '../shell/interpreter.js';
import { readLines } from '../shell/streams.js';
import { has, lines, parseArgs, readInputs, usageError, value, values } from './args.js';

const CLASSES: Record<string, string> = {
  digit: '0-9',
  alpha: 'A-Za-z',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  xdigit: '0-9A-Fa-f',
  punct: '!-\\/:-@\\[-`{-~',
};

/** POSIX regular expressions (basic or extended) as JavaScript sources. */
export function posixRegex(pattern: string, extended: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '[') {
      // Copy a bracket expression, translating [:class:].
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '[' && pattern[j + 1] === ':') {
          const end = pattern.indexOf(':]', j + 2);
          j = end < 0 ? j + 1 : end + 2;
        } else j++;
      }
      const body = pattern
        .slice(i + 1, j)
        .replace(/\[:([a-z]+):\]/g, (_m, n: string) => CLASSES[n] ?? '')
        .replace(/\\/g, '\\\\');
      out += `[${body}]`;
      i = j;
      continue;
    }
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[++i] as string;
      if (!extended && '(){}|+?'.includes(n)) out += n;
      else if ('wWsSbB<>'.includes(n)) out += n === '<' || n === '>' ? '\\b' : `\\${n}`;
      else if (/[0-9]/.test(n)) out += `\\${n}`;
      else out += `\\${n}`;
      continue;
    }
    if (!extended && '(){}|+?'.includes(c)) {
      out += `\\${c}`;
      continue;
    }
    if (c === '/') {
      out += '\\/';
      continue;
    }
    out += c;
  }
  return out;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const grep: Program = async (ctx) => {
  const { io } = ctx;
  const p = parseArgs(ctx.argv.slice(1), {
    flags: 'qsEFGvciInowxlLhHrRaPz',
    values: 'eABCmf',
    long: {
      quiet: 'q',
      silent: 'q',
      count: 'c',
      'invert-match': 'v',
      'extended-regexp': 'E',
      'fixed-strings': 'F',
      'basic-regexp': 'G',
      'ignore-case': 'i',
      'line-number': 'n',
      'only-matching': 'o',
      'word-regexp': 'w',
      'line-regexp': 'x',
      'files-with-matches': 'l',
      'no-filename': 'h',
      'with-filename': 'H',
      regexp: 'e',
      color: 'optional',
      colour: 'optional',
      'max-count': 'm',
      'no-messages': 's',
    },
  });
  if (p.error) return usageError(ctx, 'grep', p.error);
  let patterns = values(p, 'e');
  let files = p.rest;
  if (patterns.length === 0) {
    if (files.length === 0) {
      io.stderr.write("Usage: grep [OPTION]... PATTERN [FILE]...\nTry 'grep --help' for more information.\n");
      return 2;
    }
    patterns = (files[0] as string).split('\n');
    files = files.slice(1);
  }
  const extended = has(p, 'E') || ctx.argv[0]?.endsWith('egrep') === true;
  const fixed = has(p, 'F') || ctx.argv[0]?.endsWith('fgrep') === true;
  let sources = patterns.map((pat) => (fixed ? escapeRegex(pat) : posixRegex(pat, extended)));
  if (has(p, 'w')) sources = sources.map((s) => `(?<![A-Za-z0-9_])(?:${s})(?![A-Za-z0-9_])`);
  if (has(p, 'x')) sources = sources.map((s) => `^(?:${s})$`);
  let re: RegExp;
  try {
    re = new RegExp(sources.map((s) => `(?:${s})`).join('|'), has(p, 'i', 'y') ? 'gi' : 'g');
  } catch {
    io.stderr.write('grep: Unmatched ( or \\(\n');
    return 2;
  }
  const invert = has(p, 'v');
  const quiet = has(p, 'q');
  const count = has(p, 'c');
  const showNames = has(p, 'H') || (files.length > 1 && !has(p, 'h'));
  const max = value(p, 'm') !== undefined ? Number(value(p, 'm')) : Infinity;
  const after = Number(value(p, 'A', 'C') ?? 0);
  const before = Number(value(p, 'B', 'C') ?? 0);
  let matched = false;
  let failed = false;
  const inputs: { name: string; read: () => AsyncGenerator<string> }[] = [];
  if (files.length === 0) files = ['-'];
  for (const f of files) {
    if (f === '-') {
      inputs.push({ name: '(standard input)', read: () => readLines(io.stdin) });
      continue;
    }
    try {
      const text = ctx.sh.host.fs.read(ctx.sh.resolve(f), ctx.sh.user);
      inputs.push({
        name: f,
        read: async function* () {
          yield* lines(text);
        },
      });
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      if (!has(p, 's')) io.stderr.write(`grep: ${f}: ${e.reason}\n`);
      failed = true;
    }
  }
  for (const input of inputs) {
    let n = 0;
    let hits = 0;
    let afterLeft = 0;
    const history: string[] = [];
    for await (const line of input.read()) {
      n++;
      re.lastIndex = 0;
      const isMatch = re.test(line) !== invert;
      if (!isMatch) {
        if (afterLeft > 0 && !quiet && !count) {
          io.stdout.write(`${showNames ? `${input.name}-` : ''}${line}\n`);
          afterLeft--;
        } else if (before > 0) {
          history.push(line);
          if (history.length > before) history.shift();
        }
        continue;
      }
      matched = true;
      hits++;
      if (quiet) return 0;
      if (has(p, 'l')) {
        io.stdout.write(`${input.name}\n`);
        break;
      }
      if (!count) {
        for (const h of history) io.stdout.write(`${showNames ? `${input.name}-` : ''}${h}\n`);
        history.length = 0;
        const prefix = `${showNames ? `${input.name}:` : ''}${has(p, 'n') ? `${n}:` : ''}`;
        if (has(p, 'o') && !invert) {
          re.lastIndex = 0;
          for (const m of line.matchAll(re)) if (m[0]) io.stdout.write(`${prefix}${m[0]}\n`);
        } else io.stdout.write(`${prefix}${line}\n`);
        afterLeft = after;
      }
      if (hits >= max) break;
      if (io.stdout.closed) break;
    }
    if (count) io.stdout.write(`${showNames ? `${input.name}:` : ''}${hits}\n`);
  }
  if (failed && !(quiet && matched)) return 2;
  return matched ? 0 : 1;
};

/** head and tail: -n N, -N, -c N; tail -f follows a file as it grows on the simulated clock. */
function headTail(kind: 'head' | 'tail'): Program {
  return async (ctx) => {
    const p = parseArgs(ctx.argv.slice(1), {
      flags: 'fFqv',
      values: 'nc',
      numeric: true,
      long: { lines: 'n', bytes: 'c', follow: 'f', quiet: 'q', retry: 'flag' },
    });
    if (p.error) return usageError(ctx, kind, p.error);
    const nRaw = value(p, 'n', '#') ?? '10';
    const fromStart = kind === 'tail' && nRaw.startsWith('+');
    const n = Math.abs(Number.parseInt(nRaw, 10));
    const { inputs, failed } = await readInputs(ctx, p.rest, kind);
    for (const [i, input] of inputs.entries()) {
      if (inputs.length > 1) ctx.io.stdout.write(`${i > 0 ? '\n' : ''}==> ${input.name} <==\n`);
      if (has(p, 'c')) {
        const c = Number(value(p, 'c'));
        ctx.io.stdout.write(kind === 'head' ? input.text.slice(0, c) : input.text.slice(-c));
        continue;
      }
      const ls = lines(input.text);
      const pick = kind === 'head' ? ls.slice(0, n) : fromStart ? ls.slice(Math.max(0, n - 1)) : ls.slice(Math.max(0, ls.length - n));
      if (pick.length > 0) ctx.io.stdout.write(`${pick.join('\n')}\n`);
    }
    if (kind === 'tail' && has(p, 'f', 'F') && p.rest.length === 1 && !failed) {
      const path = ctx.sh.resolve(p.rest[0] as string);
      const fs = ctx.sh.host.fs;
      let seen = fs.read(path, ctx.sh.user).length;
      // Follow until the channel closes (the signal aborts the sleep).
      for (;;) {
        await ctx.sh.host.clock.sleep(1000, ctx.signal);
        let text: string;
        try {
          text = fs.read(path, ctx.sh.user);
        } catch {
          continue;
        }
        if (text.length > seen) ctx.io.stdout.write(text.slice(seen));
        seen = text.length;
      }
    }
    return failed ? 1 : 0;
  };
}

const wc: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'lwcm', long: { lines: 'l', words: 'w', bytes: 'c', chars: 'm' } });
  if (p.error) return usageError(ctx, 'wc', p.error);
  const { inputs, failed } = await readInputs(ctx, p.rest, 'wc');
  const all = !has(p, 'l', 'w', 'c', 'm');
  const rows = inputs.map((i) => {
    const counts: number[] = [];
    if (all || has(p, 'l')) counts.push((i.text.match(/\n/g) ?? []).length);
    if (all || has(p, 'w')) counts.push(i.text.split(/\s+/).filter(Boolean).length);
    if (all || has(p, 'c', 'm')) counts.push(Buffer.byteLength(i.text));
    return { counts, name: p.rest.length > 0 ? i.name : '' };
  });
  if (rows.length > 1) {
    const total = rows[0]?.counts.map((_, k) => rows.reduce((s, r) => s + (r.counts[k] ?? 0), 0)) ?? [];
    rows.push({ counts: total, name: 'total' });
  }
  const single = rows.length === 1 && rows[0]?.counts.length === 1 && p.rest.length === 0;
  const width = single ? 0 : Math.max(1, ...rows.flatMap((r) => r.counts.map((c) => String(c).length)));
  for (const r of rows) ctx.io.stdout.write(`${r.counts.map((c) => String(c).padStart(width)).join(' ')}${r.name ? ` ${r.name}` : ''}\n`);
  return failed ? 1 : 0;
};

const sort: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'nrufVh', values: 'kt', long: { 'numeric-sort': 'n', reverse: 'r', unique: 'u' } });
  if (p.error) return usageError(ctx, 'sort', p.error);
  const { inputs, failed } = await readInputs(ctx, p.rest, 'sort');
  let ls = inputs.flatMap((i) => lines(i.text));
  const sep = value(p, 't');
  const keyField = value(p, 'k') ? Number.parseInt(value(p, 'k') as string, 10) : 0;
  const key = (l: string): string => (keyField ? ((sep ? l.split(sep) : l.trim().split(/\s+/))[keyField - 1] ?? '') : l);
  const numeric = has(p, 'n', 'h', 'V');
  ls.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (numeric) return (Number.parseFloat(ka) || 0) - (Number.parseFloat(kb) || 0) || a.localeCompare(b);
    return has(p, 'f') ? ka.toLowerCase().localeCompare(kb.toLowerCase()) : ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  if (has(p, 'r')) ls.reverse();
  if (has(p, 'u')) ls = ls.filter((l, i) => i === 0 || l !== ls[i - 1]);
  if (ls.length > 0) ctx.io.stdout.write(`${ls.join('\n')}\n`);
  return failed ? 2 : 0;
};

const uniq: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'cdu', long: { count: 'c' } });
  if (p.error) return usageError(ctx, 'uniq', p.error);
  const { inputs, failed } = await readInputs(ctx, p.rest.slice(0, 1), 'uniq');
  const ls = inputs.flatMap((i) => lines(i.text));
  const groups: { line: string; n: number }[] = [];
  for (const l of ls) {
    const last = groups[groups.length - 1];
    if (last && last.line === l) last.n++;
    else groups.push({ line: l, n: 1 });
  }
  for (const g of groups) {
    if (has(p, 'd') && g.n < 2) continue;
    if (has(p, 'u') && g.n > 1) continue;
    ctx.io.stdout.write(has(p, 'c') ? `${String(g.n).padStart(7)} ${g.line}\n` : `${g.line}\n`);
  }
  return failed ? 1 : 0;
};

const cut: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 's', values: 'dfc', long: { delimiter: 'd', fields: 'f', characters: 'c' } });
  if (p.error) return usageError(ctx, 'cut', p.error);
  const spec = value(p, 'f') ?? value(p, 'c');
  if (!spec) {
    ctx.io.stderr.write("cut: you must specify a list of bytes, characters, or fields\nTry 'cut --help' for more information.\n");
    return 1;
  }
  const wanted = (i: number): boolean =>
    spec.split(',').some((r) => {
      const [a, b] = r.split('-');
      const lo = a ? Number(a) : 1;
      const hi = r.includes('-') ? (b ? Number(b) : Infinity) : lo;
      return i >= lo && i <= hi;
    });
  const { inputs, failed } = await readInputs(ctx, p.rest, 'cut');
  const delim = value(p, 'd') ?? '\t';
  for (const l of inputs.flatMap((i) => lines(i.text))) {
    if (value(p, 'c')) {
      ctx.io.stdout.write(`${[...l].filter((_, i) => wanted(i + 1)).join('')}\n`);
      continue;
    }
    if (!l.includes(delim)) {
      if (!has(p, 's')) ctx.io.stdout.write(`${l}\n`);
      continue;
    }
    ctx.io.stdout.write(
      `${l
        .split(delim)
        .filter((_, i) => wanted(i + 1))
        .join(delim)}\n`,
    );
  }
  return failed ? 1 : 0;
};

function expandSet(set: string): string {
  let out = '';
  const s = set.replace(
    /\[:([a-z]+):\]/g,
    (_m, n: string) => ({ upper: 'A-Z', lower: 'a-z', digit: '0-9', space: ' \t\n\r', alpha: 'A-Za-z', alnum: 'A-Za-z0-9' })[n] ?? '',
  );
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\' && i + 1 < s.length) {
      const n = s[++i] as string;
      out += ({ n: '\n', t: '\t', r: '\r', '\\': '\\' } as Record<string, string>)[n] ?? n;
    } else if (s[i + 1] === '-' && i + 2 < s.length) {
      const end = (s[i + 2] as string).charCodeAt(0);
      for (let k = c.charCodeAt(0); k <= end; k++) out += String.fromCharCode(k);
      i += 2;
    } else out += c;
  }
  return out;
}

const tr: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'dsc' });
  if (p.error) return usageError(ctx, 'tr', p.error);
  const a = expandSet(p.rest[0] ?? '');
  const b = expandSet(p.rest[1] ?? '');
  let text = '';
  for await (const chunk of (async function* () {
    for (;;) {
      const c = await ctx.io.stdin.read();
      if (c === null) return;
      yield c;
    }
  })())
    text += chunk;
  let out = '';
  for (const c of text) {
    const i = a.indexOf(c);
    if (has(p, 'd')) {
      if (i < 0) out += c;
    } else out += i >= 0 ? (b[Math.min(i, b.length - 1)] ?? '') : c;
  }
  if (has(p, 's')) {
    const squeeze = has(p, 'd') ? b : b || a;
    out = out.replace(/(.)\1+/g, (m, c: string) => (squeeze.includes(c) ? c : m));
  }
  ctx.io.stdout.write(out);
  return 0;
};

interface SedAddress {
  re?: RegExp;
  line?: number;
  last?: boolean;
}

interface SedCommand {
  addr?: SedAddress;
  /** The end of an address range (addr,addr2). */
  addr2?: SedAddress;
  /** Set while inside the range. */
  inRange?: boolean;
  op: 's' | 'd' | 'p' | 'q';
  re?: RegExp;
  replacement?: string;
  global?: boolean;
  print?: boolean;
}

function parseSed(script: string, extended: boolean): SedCommand[] {
  const cmds: SedCommand[] = [];
  let i = 0;
  const delimited = (delim: string): string => {
    let out = '';
    while (i < script.length && script[i] !== delim) {
      if (script[i] === '\\' && script[i + 1] === delim) {
        out += delim;
        i += 2;
        continue;
      }
      if (script[i] === '\\' && i + 1 < script.length) {
        out += script.slice(i, i + 2);
        i += 2;
        continue;
      }
      out += script[i];
      i++;
    }
    if (script[i] !== delim) throw new Error(`-e expression #1, char ${i}: unterminated \`s' command`);
    i++;
    return out;
  };
  while (i < script.length) {
    while (i < script.length && /[\s;]/.test(script[i] as string)) i++;
    if (i >= script.length) break;
    const cmd: Partial<SedCommand> = {};
    const address = (): SedAddress | undefined => {
      if (script[i] === '/') {
        i++;
        return { re: new RegExp(posixRegex(delimited('/'), extended)) };
      }
      if (/\d/.test(script[i] as string)) {
        const m = /^\d+/.exec(script.slice(i))?.[0] ?? '0';
        i += m.length;
        return { line: Number(m) };
      }
      if (script[i] === '$') {
        i++;
        return { last: true };
      }
      return undefined;
    };
    const a1 = address();
    if (a1) cmd.addr = a1;
    if (a1 && script[i] === ',') {
      i++;
      const a2 = address();
      if (!a2) throw new Error(`-e expression #1, char ${i}: unexpected \`,'`);
      cmd.addr2 = a2;
    }
    const op = script[i++];
    if (op === 's') {
      const delim = script[i++] as string;
      const pat = delimited(delim);
      const rep = delimited(delim);
      let flags = '';
      while (i < script.length && /[gpI0-9]/.test(script[i] as string)) flags += script[i++];
      cmd.op = 's';
      cmd.re = new RegExp(posixRegex(pat, extended), `${flags.includes('g') ? 'g' : ''}${flags.includes('I') ? 'i' : ''}`);
      cmd.replacement = rep;
      cmd.print = flags.includes('p');
    } else if (op === 'd' || op === 'p' || op === 'q') cmd.op = op;
    else throw new Error(`-e expression #1, char ${i}: unknown command: \`${op ?? ''}'`);
    cmds.push(cmd as SedCommand);
  }
  return cmds;
}

function sedReplacement(rep: string, m: RegExpExecArray | string[]): string {
  return rep.replace(/\\(\d)|&|\\n|\\&|\\\\/g, (t, d: string | undefined) => {
    if (t === '&') return m[0] ?? '';
    if (t === '\\&') return '&';
    if (t === '\\n') return '\n';
    if (t === '\\\\') return '\\';
    return m[Number(d)] ?? '';
  });
}

const sed: Program = async (ctx) => {
  // -i takes an optional suffix glued to it (-i.bak); a separate word is not its value.
  const argv = ctx.argv
    .slice(1)
    .map((a) => (a === '-i' ? '--in-place' : a.startsWith('-i') && !a.startsWith('-i-') ? `--in-place=${a.slice(2)}` : a));
  const parsed = parseArgs(argv, {
    flags: 'nErsu',
    values: 'e',
    long: { 'in-place': 'optional', quiet: 'n', silent: 'n', expression: 'e', 'regexp-extended': 'E' },
  });
  if (parsed.error) return usageError(ctx, 'sed', parsed.error);
  const scripts = values(parsed, 'e');
  const rest = [...parsed.rest];
  if (scripts.length === 0) {
    const s = rest.shift();
    if (s === undefined) {
      ctx.io.stderr.write('Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n');
      return 1;
    }
    scripts.push(s);
  }
  let cmds: SedCommand[];
  try {
    cmds = parseSed(scripts.join('\n'), has(parsed, 'E', 'r'));
  } catch (e) {
    ctx.io.stderr.write(`sed: ${(e as Error).message}\n`);
    return 1;
  }
  const quiet = has(parsed, 'n');
  const run = (text: string): string => {
    const ls = lines(text);
    let out = '';
    for (let n = 0; n < ls.length; n++) {
      let line = ls[n] as string;
      let deleted = false;
      let quit = false;
      const hits = (a: SedAddress): boolean =>
        (a.re === undefined || a.re.test(line)) && (a.line === undefined || a.line === n + 1) && (!a.last || n === ls.length - 1);
      for (const c of cmds) {
        if (c.addr && c.addr2) {
          if (!c.inRange) {
            if (!hits(c.addr)) continue;
            // A line-number end at or before the start makes a one-line range.
            c.inRange = !(c.addr2.line !== undefined && c.addr2.line <= n + 1);
          } else if (hits(c.addr2) || (c.addr2.line !== undefined && c.addr2.line <= n + 1)) c.inRange = false;
        } else if (c.addr && !hits(c.addr)) continue;
        if (c.op === 'd') {
          deleted = true;
          break;
        }
        if (c.op === 'p') out += `${line}\n`;
        if (c.op === 'q') {
          quit = true;
          break;
        }
        if (c.op === 's' && c.re) {
          const re = c.re;
          let changed = false;
          line = line.replace(re, (...m) => {
            changed = true;
            const groups = m.slice(0, -2).map((g) => (typeof g === 'string' ? g : ''));
            return sedReplacement(c.replacement ?? '', groups);
          });
          if (changed && c.print) out += `${line}\n`;
        }
      }
      if (!deleted && !quiet) out += `${line}\n`;
      if (quit) break;
    }
    return out;
  };
  if (has(parsed, 'in-place')) {
    if (rest.length === 0) {
      ctx.io.stderr.write('sed: no input files\n');
      return 1;
    }
    const suffix = value(parsed, 'in-place') ?? '';
    for (const f of rest) {
      const path = ctx.sh.resolve(f);
      try {
        const text = ctx.sh.host.fs.read(path, ctx.sh.user);
        if (suffix) ctx.sh.host.fs.write(`${path}${suffix}`, text, ctx.sh.user);
        ctx.sh.host.fs.write(path, run(text), ctx.sh.user);
      } catch (e) {
        if (!(e instanceof FsFailure)) throw e;
        ctx.io.stderr.write(
          e.reason === 'No such file or directory'
            ? `sed: can't read ${f}: ${e.reason}\n`
            : `sed: couldn't open temporary file ${f.replace(/[^/]*$/, '')}sedXXXXXX: ${e.reason}\n`,
        );
        return e.reason === 'No such file or directory' ? 2 : 4;
      }
    }
    return 0;
  }
  const { inputs, failed } = await readInputs(ctx, rest, 'sed');
  for (const input of inputs) ctx.io.stdout.write(run(input.text));
  return failed ? 2 : 0;
};

/** awk, enough for "{print $2}", -F, /re/ and NR==n patterns. */
const awk: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { values: 'Fv', stopAtOperand: true });
  if (p.error) return usageError(ctx, 'awk', p.error);
  const program = p.rest[0];
  if (program === undefined) {
    ctx.io.stderr.write('usage: awk [POSIX or GNU style options] -f progfile [--] file ...\n');
    return 2;
  }
  const m = /^\s*(?:\/((?:[^/\\]|\\.)*)\/|NR\s*==\s*(\d+)|(\$\d+)\s*==\s*"([^"]*)")?\s*(?:\{\s*print\s*([^}]*?)\s*;?\s*\})?\s*$/.exec(
    program,
  );
  if (!m) {
    ctx.io.stderr.write(`awk: cmd. line:1: ${program}\nawk: cmd. line:1: this node's awk only supports print with a pattern\n`);
    return 2;
  }
  const [, re, nr, fieldRef, fieldValue, printExpr] = m;
  const fs = value(p, 'F');
  const split = (l: string): string[] => (fs ? l.split(fs.length === 1 ? fs : new RegExp(fs)) : l.trim().split(/\s+/));
  const { inputs, failed } = await readInputs(ctx, p.rest.slice(1), 'awk');
  let n = 0;
  for (const l of inputs.flatMap((i) => lines(i.text))) {
    n++;
    const fields = split(l);
    const field = (k: number): string => (k === 0 ? l : (fields[k - 1] ?? ''));
    if (re !== undefined && !new RegExp(posixRegex(re, true)).test(l)) continue;
    if (nr !== undefined && Number(nr) !== n) continue;
    if (fieldRef !== undefined && field(Number(fieldRef.slice(1))) !== fieldValue) continue;
    if (printExpr === undefined || printExpr === '') {
      ctx.io.stdout.write(`${l}\n`);
      continue;
    }
    const parts = printExpr.split(/\s*,\s*/).map((e) => {
      if (e === '$NF') return fields[fields.length - 1] ?? '';
      if (e === 'NR') return String(n);
      if (e === 'NF') return String(fields.length);
      if (/^\$\d+$/.test(e)) return field(Number(e.slice(1)));
      if (/^"[^"]*"$/.test(e)) return e.slice(1, -1);
      return e
        .split(/\s+/)
        .map((t) =>
          /^\$\d+$/.test(t) ? field(Number(t.slice(1))) : t === '$NF' ? (fields[fields.length - 1] ?? '') : t.replace(/^"|"$/g, ''),
        )
        .join('');
    });
    ctx.io.stdout.write(`${parts.join(' ')}\n`);
  }
  return failed ? 2 : 0;
};

/** diff: normal and unified output, from a longest common subsequence of lines. */
export function diffLines(a: string[], b: string[]): { op: '=' | '-' | '+'; line: string; ai: number; bi: number }[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as number[])[j] = a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, lcs[i]?.[j + 1] ?? 0);
  const out: { op: '=' | '-' | '+'; line: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push({ op: '=', line: a[i] as string, ai: i++, bi: j++ });
    } else if (j < m && (i >= n || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      out.push({ op: '+', line: b[j] as string, ai: i, bi: j++ });
    } else {
      out.push({ op: '-', line: a[i] as string, ai: i++, bi: j });
    }
  }
  return out;
}

const diff: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'uqbwiBN', values: 'U', long: { unified: 'optional', brief: 'q', color: 'optional' } });
  if (p.error) return usageError(ctx, 'diff', p.error);
  if (p.rest.length !== 2) {
    ctx.io.stderr.write(
      `diff: ${p.rest.length < 2 ? 'missing' : 'extra'} operand after '${p.rest[p.rest.length - 1] ?? 'diff'}'\ndiff: Try 'diff --help' for more information.\n`,
    );
    return 2;
  }
  const [fa, fb] = p.rest as [string, string];
  const { inputs, failed } = await readInputs(ctx, [fa, fb], 'diff');
  if (failed || inputs.length < 2) return 2;
  const a = lines((inputs[0] as { text: string }).text);
  const b = lines((inputs[1] as { text: string }).text);
  const norm = has(p, 'w')
    ? (l: string) => l.replace(/\s+/g, '')
    : has(p, 'b')
      ? (l: string) => l.replace(/\s+/g, ' ').trimEnd()
      : (l: string) => l;
  const ops = diffLines(a.map(norm), b.map(norm)).map((o) => ({ ...o, line: o.op === '+' ? (b[o.bi] as string) : (a[o.ai] as string) }));
  if (ops.every((o) => o.op === '=')) return 0;
  if (has(p, 'q')) {
    ctx.io.stdout.write(`Files ${fa} and ${fb} differ\n`);
    return 1;
  }
  // Group the changes into hunks.
  const hunks: { start: number; end: number }[] = [];
  ops.forEach((o, k) => {
    if (o.op === '=') return;
    const last = hunks[hunks.length - 1];
    if (last && k - last.end <= 1) last.end = k;
    else hunks.push({ start: k, end: k });
  });
  const range = (lo: number, count: number): string => (count === 1 ? `${lo}` : `${lo},${lo + count - 1}`);
  if (has(p, 'u', 'U', 'unified')) {
    const ctxN = Number(value(p, 'U') ?? 3);
    ctx.io.stdout.write(`--- ${fa}\n+++ ${fb}\n`);
    const merged: { start: number; end: number }[] = [];
    for (const h of hunks) {
      const s = Math.max(0, h.start - ctxN);
      const e = Math.min(ops.length - 1, h.end + ctxN);
      const last = merged[merged.length - 1];
      if (last && s <= last.end + 1) last.end = e;
      else merged.push({ start: s, end: e });
    }
    for (const h of merged) {
      const slice = ops.slice(h.start, h.end + 1);
      const aCount = slice.filter((o) => o.op !== '+').length;
      const bCount = slice.filter((o) => o.op !== '-').length;
      const aStart = (slice[0]?.ai ?? 0) + (aCount ? 1 : 0);
      const bStart = (slice[0]?.bi ?? 0) + (bCount ? 1 : 0);
      ctx.io.stdout.write(`@@ -${aCount === 1 ? aStart : `${aStart},${aCount}`} +${bCount === 1 ? bStart : `${bStart},${bCount}`} @@\n`);
      for (const o of slice) ctx.io.stdout.write(`${o.op === '=' ? ' ' : o.op}${o.line}\n`);
    }
    return 1;
  }
  for (const h of hunks) {
    const slice = ops.slice(h.start, h.end + 1);
    const dels = slice.filter((o) => o.op === '-');
    const adds = slice.filter((o) => o.op === '+');
    const aLo = (slice[0]?.ai ?? 0) + 1;
    const bLo = (slice[0]?.bi ?? 0) + 1;
    const head =
      dels.length && adds.length
        ? `${range(aLo, dels.length)}c${range(bLo, adds.length)}`
        : dels.length
          ? `${range(aLo, dels.length)}d${bLo - 1}`
          : `${aLo - 1}a${range(bLo, adds.length)}`;
    ctx.io.stdout.write(`${head}\n`);
    for (const o of dels) ctx.io.stdout.write(`< ${o.line}\n`);
    if (dels.length && adds.length) ctx.io.stdout.write('---\n');
    for (const o of adds) ctx.io.stdout.write(`> ${o.line}\n`);
  }
  return 1;
};

const tee: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'ai', long: { append: 'a' } });
  if (p.error) return usageError(ctx, 'tee', p.error);
  const fs = ctx.sh.host.fs;
  let status = 0;
  const targets: string[] = [];
  for (const f of p.rest) {
    const path = ctx.sh.resolve(f);
    try {
      fs.write(path, '', ctx.sh.user, has(p, 'a'));
      targets.push(path);
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      ctx.io.stderr.write(`tee: ${f}: ${e.reason}\n`);
      status = 1;
    }
  }
  for (;;) {
    const chunk = await ctx.io.stdin.read();
    if (chunk === null) break;
    ctx.io.stdout.write(chunk);
    for (const t of targets) fs.write(t, chunk, ctx.sh.user, true);
  }
  return status;
};

/** less and more: with no terminal they copy their input, as the real ones do. */
const pager: Program = async (ctx) => {
  const files = ctx.argv.slice(1).filter((a) => !a.startsWith('-') && !a.startsWith('+'));
  const prog = ctx.argv[0]?.split('/').pop() ?? 'less';
  const { inputs, failed } = await readInputs(ctx, files, prog);
  for (const i of inputs) ctx.io.stdout.write(i.text);
  return failed ? 1 : 0;
};

export const textPrograms: [string, Program][] = [
  ['grep', grep],
  ['egrep', grep],
  ['fgrep', grep],
  ['head', headTail('head')],
  ['tail', headTail('tail')],
  ['wc', wc],
  ['sort', sort],
  ['uniq', uniq],
  ['cut', cut],
  ['tr', tr],
  ['sed', sed],
  ['awk', awk],
  ['diff', diff],
  ['tee', tee],
  ['less', pager],
  ['more', pager],
];

export type { ProgramContext };
