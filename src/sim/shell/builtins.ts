// The shell's builtins: cd, echo, printf, test/[, read, export and friends.
import type { Program, ProgramContext } from './interpreter.js';
import { readLines } from './streams.js';

function echo({ argv, io }: ProgramContext): Promise<number> {
  let args = argv.slice(1);
  let newline = true;
  let escapes = false;
  while (args.length > 0 && /^-[neE]+$/.test(args[0] as string)) {
    const flag = args[0] as string;
    if (flag.includes('n')) newline = false;
    if (flag.includes('e')) escapes = true;
    if (flag.includes('E')) escapes = false;
    args = args.slice(1);
  }
  let text = args.join(' ');
  if (escapes) {
    const r = unescape(text);
    text = r.text;
    if (r.stop) newline = false;
  }
  io.stdout.write(newline ? `${text}\n` : text);
  return Promise.resolve(0);
}

/** Backslash escapes as echo -e and printf %b read them; \c stops output. */
function unescape(text: string): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      continue;
    }
    const n = text[++i] as string;
    const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v' };
    if (n === 'c') return { text: out, stop: true };
    if (n in map) out += map[n];
    else if (n === '0') {
      const m = /^[0-7]{0,3}/.exec(text.slice(i + 1))?.[0] ?? '';
      out += String.fromCharCode(Number.parseInt(m || '0', 8));
      i += m.length;
    } else out += `\\${n}`;
  }
  return { text: out, stop: false };
}

function printf({ argv, io, sh }: ProgramContext): Promise<number> {
  const format = argv[1];
  if (format === undefined) {
    sh.error(io, 'printf: usage: printf [-v var] format [arguments]');
    return Promise.resolve(2);
  }
  const args = argv.slice(2);
  let out = '';
  let status = 0;
  // The format is reused while arguments remain, as printf(1) does.
  do {
    let used = 0;
    out += format.replace(
      /%([-+ 0#]*)(\d*)(?:\.(\d+))?([sdbqxXoiuc%])|\\(.)/g,
      (m, flags: string, width: string, prec: string, conv: string, esc: string) => {
        if (esc !== undefined) return unescape(`\\${esc}`).text;
        if (conv === '%') return '%';
        const arg = args.shift();
        used++;
        let v: string;
        switch (conv) {
          case 'd':
          case 'i':
          case 'u': {
            const n = Number.parseInt(arg ?? '0', 10);
            if (arg !== undefined && Number.isNaN(n)) {
              sh.error(io, `printf: ${arg}: invalid number`);
              status = 1;
            }
            v = String(Number.isNaN(n) ? 0 : n);
            break;
          }
          case 'x':
            v = Number.parseInt(arg ?? '0', 10).toString(16);
            break;
          case 'X':
            v = Number.parseInt(arg ?? '0', 10)
              .toString(16)
              .toUpperCase();
            break;
          case 'o':
            v = Number.parseInt(arg ?? '0', 10).toString(8);
            break;
          case 'c':
            v = (arg ?? '').slice(0, 1);
            break;
          case 'b':
            v = unescape(arg ?? '').text;
            break;
          case 'q':
            v = /^[A-Za-z0-9_./=:,@%+-]+$/.test(arg ?? '') ? (arg as string) : `'${(arg ?? '').replace(/'/g, "'\\''")}'`;
            break;
          default:
            v = arg ?? '';
        }
        if (prec !== undefined && conv === 's') v = v.slice(0, Number(prec));
        const w = Number(width || 0);
        if (v.length < w) v = flags.includes('-') ? v.padEnd(w) : v.padStart(w, flags.includes('0') && conv !== 's' ? '0' : ' ');
        void m;
        return v;
      },
    );
    if (used === 0) break;
  } while (args.length > 0);
  io.stdout.write(out);
  return Promise.resolve(status);
}

const UNARY = new Set(['-e', '-f', '-d', '-s', '-r', '-w', '-x', '-z', '-n', '-L', '-h', '-b', '-c', '-p', '-S', '-t']);
const BINARY = new Set(['=', '==', '!=', '-eq', '-ne', '-gt', '-ge', '-lt', '-le', '<', '>', '-nt', '-ot']);

/** test / [ : exit 0 true, 1 false, 2 error. */
function test(ctx: ProgramContext): Promise<number> {
  const { argv, io, sh } = ctx;
  let args = argv.slice(1);
  if (argv[0] === '[') {
    if (args[args.length - 1] !== ']') {
      sh.error(io, "[: missing `]'");
      return Promise.resolve(2);
    }
    args = args.slice(0, -1);
  }
  const fs = sh.host.fs;
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(msg);
  };
  const int = (s: string): number => {
    if (!/^\s*-?\d+\s*$/.test(s)) fail(`${s}: integer expression expected`);
    return Number.parseInt(s, 10);
  };
  const unary = (op: string, arg: string): boolean => {
    const path = sh.resolve(arg);
    const entry = fs.get(path);
    switch (op) {
      case '-z':
        return arg === '';
      case '-n':
        return arg !== '';
      case '-e':
        return entry !== undefined;
      case '-f':
        return entry?.kind === 'file';
      case '-d':
        return entry?.kind === 'dir';
      case '-s':
        if (entry?.kind !== 'file') return entry?.kind === 'dir';
        try {
          return fs.read(path, 'root').length > 0;
        } catch {
          return false;
        }
      case '-r':
        if (!entry) return false;
        if (sh.user === 'root') return true;
        return entry.owner === sh.user || (entry.mode & 0o004) !== 0;
      case '-w':
        if (!entry) return false;
        return sh.user === 'root' || entry.owner === sh.user;
      case '-x':
        return entry !== undefined && (entry.mode & 0o111) !== 0;
      case '-L':
      case '-h':
        return entry?.kind === 'file' && entry.link !== undefined;
      default:
        return false;
    }
  };
  const binary = (a: string, op: string, b: string): boolean => {
    switch (op) {
      case '=':
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '>':
        return a > b;
      case '-eq':
        return int(a) === int(b);
      case '-ne':
        return int(a) !== int(b);
      case '-gt':
        return int(a) > int(b);
      case '-ge':
        return int(a) >= int(b);
      case '-lt':
        return int(a) < int(b);
      case '-le':
        return int(a) <= int(b);
      default:
        return false;
    }
  };
  const primary = (): boolean => {
    const a = args[i];
    if (a === undefined) return fail('argument expected');
    if (a === '(') {
      i++;
      const v = or();
      if (args[i] !== ')') fail("`)' expected");
      i++;
      return v;
    }
    if (args[i + 1] !== undefined && BINARY.has(args[i + 1] as string) && args[i + 2] !== undefined) {
      const r = binary(a, args[i + 1] as string, args[i + 2] as string);
      i += 3;
      return r;
    }
    if (UNARY.has(a) && args[i + 1] !== undefined) {
      const r = unary(a, args[i + 1] as string);
      i += 2;
      return r;
    }
    if (UNARY.has(a) && args.length > 1) fail(`${a}: unary operator expected`);
    i++;
    return a !== '';
  };
  const not = (): boolean => {
    if (args[i] === '!' && args.length - i > 1) {
      i++;
      return !not();
    }
    return primary();
  };
  const and = (): boolean => {
    let v = not();
    while (args[i] === '-a') {
      i++;
      const r = not();
      v = v && r;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (args[i] === '-o') {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  try {
    if (args.length === 0) return Promise.resolve(1);
    const result = or();
    if (i < args.length) fail(`${args[i]}: binary operator expected`);
    return Promise.resolve(result ? 0 : 1);
  } catch (e) {
    sh.error(io, `${argv[0]}: ${(e as Error).message}`);
    return Promise.resolve(2);
  }
}

async function cd({ argv, io, sh }: ProgramContext): Promise<number> {
  let target = argv[1];
  if (target === undefined || target === '~') target = sh.home;
  if (target === '-') {
    target = sh.vars.get('OLDPWD') ?? sh.cwd;
    io.stdout.write(`${target}\n`);
  }
  const path = sh.resolve(target);
  const entry = sh.host.fs.get(path);
  if (!entry) {
    sh.error(io, `cd: ${argv[1]}: No such file or directory`);
    return 1;
  }
  if (entry.kind !== 'dir') {
    sh.error(io, `cd: ${argv[1]}: Not a directory`);
    return 1;
  }
  if (sh.user !== 'root' && entry.owner === 'root' && (entry.mode & 0o001) === 0) {
    sh.error(io, `cd: ${argv[1]}: Permission denied`);
    return 1;
  }
  sh.vars.set('OLDPWD', sh.cwd);
  sh.cwd = path;
  sh.vars.set('PWD', path);
  return 0;
}

async function exportBuiltin({ argv, io, sh }: ProgramContext): Promise<number> {
  const args = argv.slice(1).filter((a) => a !== '-n');
  if (args.length === 0 || args[0] === '-p') {
    for (const name of [...sh.exported].sort()) io.stdout.write(`declare -x ${name}="${sh.vars.get(name) ?? ''}"\n`);
    return 0;
  }
  for (const a of args) {
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      sh.error(io, `export: \`${a}': not a valid identifier`);
      return 1;
    }
    if (eq >= 0) sh.vars.set(name, a.slice(eq + 1));
    sh.exported.add(name);
  }
  return 0;
}

async function unset({ argv, sh }: ProgramContext): Promise<number> {
  for (const name of argv.slice(1)) {
    if (name.startsWith('-')) continue;
    sh.vars.delete(name);
    sh.exported.delete(name);
  }
  return 0;
}

async function read({ argv, io, sh }: ProgramContext): Promise<number> {
  const names = argv.slice(1).filter((a, i, all) => !a.startsWith('-') && all[i - 1] !== '-p' && all[i - 1] !== '-t');
  const lines = readLines(io.stdin);
  const first = await lines.next();
  if (first.done) {
    for (const n of names) sh.vars.set(n, '');
    return 1;
  }
  const line = first.value;
  const vars = names.length > 0 ? names : ['REPLY'];
  const fields = line.trim().split(/\s+/);
  vars.forEach((n, i) => {
    sh.vars.set(n, i === vars.length - 1 ? fields.slice(i).join(' ') : (fields[i] ?? ''));
  });
  return 0;
}

const ok: Program = async () => 0;

export const builtins: ReadonlyMap<string, Program> = new Map<string, Program>([
  ['echo', echo],
  ['printf', printf],
  ['test', test],
  ['[', test],
  ['true', ok],
  [':', ok],
  ['false', async () => 1],
  ['cd', cd],
  ['pwd', async ({ io, sh }) => (io.stdout.write(`${sh.cwd}\n`), 0)],
  ['export', exportBuiltin],
  ['unset', unset],
  ['read', read],
  ['local', exportBuiltin],
  ['wait', ok],
  ['trap', ok],
  ['umask', ok],
  ['hash', ok],
  ['ulimit', async ({ io }) => (io.stdout.write('unlimited\n'), 0)],
]);
