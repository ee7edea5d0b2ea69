// File tools: cat, ls, rm, mkdir, cp, mv, touch, chmod, chown, ln, lsattr, chattr, md5sum,
// sha256sum, tar. Errors are worded as CentOS 7's coreutils word them, curly quotes included.
import { createHash } from 'node:crypto';
import { basename, dirname, FsFailure, type SimEntry } from '../fs.js';
import type { Program, ProgramContext } from '../shell/interpreter.js';
import { LIBLTDL_PATH } from '../model/image.js';
import { has, parseArgs, q, readInputs, usageError, value } from './args.js';
import { simHost } from './host.js';

const cat: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'nAevtsbE', long: { number: 'n' } });
  if (p.error) return usageError(ctx, 'cat', p.error);
  const { inputs, failed } = await readInputs(ctx, p.rest, 'cat');
  let n = 0;
  for (const input of inputs) {
    if (has(p, 'n')) {
      const ls = input.text.split('\n');
      const last = ls.pop();
      ctx.io.stdout.write(
        ls.map((l) => `${String(++n).padStart(6)}\t${l}\n`).join('') + (last ? `${String(++n).padStart(6)}\t${last}` : ''),
      );
    } else ctx.io.stdout.write(input.text);
  }
  return failed ? 1 : 0;
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function modeString(entry: SimEntry): string {
  const kind = entry.kind === 'dir' ? 'd' : entry.link ? 'l' : '-';
  const bits = entry.kind === 'file' && entry.link ? 0o777 : entry.mode;
  let out = kind;
  for (let shift = 6; shift >= 0; shift -= 3) {
    const b = (bits >> shift) & 7;
    out += `${b & 4 ? 'r' : '-'}${b & 2 ? 'w' : '-'}${b & 1 ? 'x' : '-'}`;
  }
  return out;
}

function lsDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

function human(n: number): string {
  if (n < 1024) return String(n);
  const units = ['K', 'M', 'G'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[u]}`;
}

/** A file's size as ls shows it: its text length, or the size it stands for (libraries, installer). */
export function sizeOf(ctx: ProgramContext, path: string, entry: SimEntry): number {
  if (entry.kind === 'dir') return 4096;
  if (entry.link) return entry.link.length;
  const sizes: Record<string, number> = { 'dcos-installer': 851_537_920, 'libltdl.so.7.3.0': 41_024 };
  const known = entry.program ? sizes[entry.program] : sizes[basename(path)];
  if (known) return known;
  try {
    return Buffer.byteLength(ctx.sh.host.fs.peek(path));
  } catch {
    return 0;
  }
}

const ls: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'laA1hdtrRFS', long: { all: 'a', color: 'optional', 'human-readable': 'h' } });
  if (p.error) return usageError(ctx, 'ls', p.error);
  const fs = ctx.sh.host.fs;
  const targets = p.rest.length > 0 ? p.rest : ['.'];
  let status = 0;
  const long = has(p, 'l');
  const line = (path: string, name: string, entry: SimEntry): string => {
    if (!long) return name;
    const size = sizeOf(ctx, path, entry);
    const target = entry.kind === 'file' && entry.link ? ` -> ${entry.link}` : '';
    return `${modeString(entry)} ${entry.kind === 'dir' ? 2 : 1} ${entry.owner} ${entry.owner} ${has(p, 'h') ? human(size).padStart(5) : String(size).padStart(9)} ${lsDate(entry.mtime)} ${name}${target}`;
  };
  const files: string[] = [];
  const dirs: string[] = [];
  for (const t of targets) {
    const path = ctx.sh.resolve(t);
    const entry = fs.get(path);
    if (!entry) {
      ctx.io.stderr.write(`ls: cannot access ${t}: No such file or directory\n`);
      status = 2;
      continue;
    }
    if (entry.kind === 'dir' && !has(p, 'd')) dirs.push(t);
    else files.push(line(path, t, entry));
  }
  if (files.length > 0) ctx.io.stdout.write(`${files.join('\n')}\n`);
  const recursive = has(p, 'R');
  // ls -R lists a directory, then each subdirectory depth-first, each under a "path:" header.
  const queue: string[] = [...dirs];
  let first = files.length === 0;
  while (queue.length > 0) {
    const t = queue.shift() as string;
    const path = ctx.sh.resolve(t);
    const entry = fs.get(path) as SimEntry;
    if (ctx.sh.user !== 'root' && entry.owner === 'root' && (entry.mode & 0o004) === 0) {
      ctx.io.stderr.write(`ls: cannot open directory ${t}: Permission denied\n`);
      status = 2;
      continue;
    }
    if (targets.length > 1 || recursive) ctx.io.stdout.write(`${first ? '' : '\n'}${t}:\n`);
    first = false;
    const names = fs.list(path).filter((n) => has(p, 'a', 'A') || !n.startsWith('.'));
    const child = (n: string): string => `${path === '/' ? '' : path}/${n}`;
    const rows = names.map((n) => line(child(n), n, fs.get(child(n)) as SimEntry));
    if (long) {
      const total = names.reduce((sum, n) => sum + Math.ceil(sizeOf(ctx, child(n), fs.get(child(n)) as SimEntry) / 1024), 0);
      ctx.io.stdout.write(`total ${total}\n`);
    }
    if (rows.length > 0) ctx.io.stdout.write(`${rows.join('\n')}\n`);
    if (recursive) queue.unshift(...names.filter((n) => fs.isDir(child(n))).map((n) => `${t.replace(/\/$/, '')}/${n}`));
  }
  return status;
};

const rm: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'frRiv', long: { force: 'f', recursive: 'r', verbose: 'v' } });
  if (p.error) return usageError(ctx, 'rm', p.error);
  if (p.rest.length === 0) {
    if (has(p, 'f')) return 0;
    ctx.io.stderr.write("rm: missing operand\nTry 'rm --help' for more information.\n");
    return 1;
  }
  let status = 0;
  for (const f of p.rest) {
    const path = ctx.sh.resolve(f);
    try {
      ctx.sh.host.fs.remove(path, ctx.sh.user, has(p, 'r', 'R'));
      if (has(p, 'v')) ctx.io.stdout.write(`removed ${q(f)}\n`);
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      if (e.reason === 'No such file or directory' && has(p, 'f')) continue;
      // The libltdl scenario's fault shows here first, long before the patch script would trip on it.
      if (e.reason === 'Operation not permitted' && path === LIBLTDL_PATH) {
        const host: Partial<ReturnType<typeof simHost>> = simHost(ctx);
        if (host.model && host.node)
          host.model.recordFault(
            'libltdl-immutable',
            host.node.info.name,
            `${LIBLTDL_PATH} carried the immutable attribute: rm could not remove it`,
          );
      }
      ctx.io.stderr.write(`rm: cannot remove ${q(f)}: ${e.reason}\n`);
      status = 1;
    }
  }
  return status;
};

const mkdir: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'pv', values: 'm', long: { parents: 'p' } });
  if (p.error) return usageError(ctx, 'mkdir', p.error);
  let status = 0;
  for (const d of p.rest) {
    try {
      ctx.sh.host.fs.mkdir(ctx.sh.resolve(d), ctx.sh.user, has(p, 'p'));
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      ctx.io.stderr.write(`mkdir: cannot create directory ${q(d)}: ${e.reason}\n`);
      status = 1;
    }
  }
  return status;
};

function copyOrMove(kind: 'cp' | 'mv'): Program {
  return async (ctx) => {
    const p = parseArgs(ctx.argv.slice(1), {
      flags: 'rRpafvnTi',
      long: { recursive: 'r', preserve: 'optional', archive: 'a', force: 'f' },
    });
    if (p.error) return usageError(ctx, kind, p.error);
    if (p.rest.length < 2) {
      ctx.io.stderr.write(
        `${kind}: missing ${p.rest.length === 0 ? 'file operand' : `destination file operand after ${q(p.rest[0] as string)}`}\nTry '${kind} --help' for more information.\n`,
      );
      return 1;
    }
    const fs = ctx.sh.host.fs;
    const dest = p.rest[p.rest.length - 1] as string;
    const destPath = ctx.sh.resolve(dest);
    let status = 0;
    for (const src of p.rest.slice(0, -1)) {
      const srcPath = ctx.sh.resolve(src);
      const entry = fs.get(srcPath);
      if (!entry) {
        ctx.io.stderr.write(`${kind}: cannot stat ${q(src)}: No such file or directory\n`);
        status = 1;
        continue;
      }
      const target = fs.isDir(destPath) ? `${destPath}/${basename(srcPath)}` : destPath;
      try {
        if (entry.kind === 'dir') {
          if (kind === 'cp' && !has(p, 'r', 'R', 'a')) {
            ctx.io.stderr.write(`cp: omitting directory ${q(src)}\n`);
            status = 1;
            continue;
          }
          copyTree(ctx, srcPath, target);
        } else {
          const text = fs.read(srcPath, ctx.sh.user);
          fs.write(target, text, ctx.sh.user);
          const copied = fs.mutable(target);
          if (copied?.kind === 'file') {
            if (entry.program) copied.program = entry.program;
            copied.mode = entry.mode;
          }
        }
        if (kind === 'mv') fs.remove(srcPath, ctx.sh.user, true);
      } catch (e) {
        if (!(e instanceof FsFailure)) throw e;
        const verb = kind === 'mv' ? 'cannot move' : e.path === srcPath ? 'cannot open' : 'cannot create regular file';
        ctx.io.stderr.write(`${kind}: ${verb} ${q(e.path === srcPath ? src : dest)}: ${e.reason}\n`);
        status = 1;
      }
    }
    return status;
  };
}

function copyTree(ctx: ProgramContext, from: string, to: string): void {
  const fs = ctx.sh.host.fs;
  fs.mkdir(to, ctx.sh.user, true);
  for (const name of fs.list(from)) {
    const child = `${from}/${name}`;
    if (fs.isDir(child)) copyTree(ctx, child, `${to}/${name}`);
    else fs.write(`${to}/${name}`, fs.read(child, ctx.sh.user), ctx.sh.user);
  }
}

const touch: Program = async (ctx) => {
  let status = 0;
  for (const f of ctx.argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const path = ctx.sh.resolve(f);
    try {
      if (ctx.sh.host.fs.exists(path)) {
        const e = ctx.sh.host.fs.mutable(path) as SimEntry;
        if (ctx.sh.user !== 'root' && e.owner !== ctx.sh.user) throw new FsFailure('Permission denied', path);
        e.mtime = ctx.sh.host.clock.now();
      } else ctx.sh.host.fs.write(path, '', ctx.sh.user);
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      ctx.io.stderr.write(`touch: cannot touch ${q(f)}: ${e.reason}\n`);
      status = 1;
    }
  }
  return status;
};

const chmod: Program = async (ctx) => {
  const args = ctx.argv.slice(1).filter((a) => a !== '-R');
  const mode = args[0];
  if (mode === undefined || args.length < 2) {
    ctx.io.stderr.write("chmod: missing operand\nTry 'chmod --help' for more information.\n");
    return 1;
  }
  let status = 0;
  for (const f of args.slice(1)) {
    const path = ctx.sh.resolve(f);
    const entry = ctx.sh.host.fs.mutable(path);
    if (!entry) {
      ctx.io.stderr.write(`chmod: cannot access ${q(f)}: No such file or directory\n`);
      status = 1;
      continue;
    }
    if (ctx.sh.user !== 'root' && entry.owner !== ctx.sh.user) {
      ctx.io.stderr.write(`chmod: changing permissions of ${q(f)}: Operation not permitted\n`);
      status = 1;
      continue;
    }
    if (/^[0-7]{3,4}$/.test(mode)) entry.mode = Number.parseInt(mode, 8);
    else {
      const m = /^([ugoa]*)([+-=])([rwx]+)$/.exec(mode);
      if (!m) {
        ctx.io.stderr.write(`chmod: invalid mode: ${q(mode)}\n`);
        return 1;
      }
      const who = m[1] || 'a';
      let bits = 0;
      for (const c of m[3] as string) bits |= c === 'r' ? 4 : c === 'w' ? 2 : 1;
      let mask = 0;
      if (who.includes('u') || who.includes('a')) mask |= bits << 6;
      if (who.includes('g') || who.includes('a')) mask |= bits << 3;
      if (who.includes('o') || who.includes('a')) mask |= bits;
      entry.mode = m[2] === '+' ? entry.mode | mask : m[2] === '-' ? entry.mode & ~mask : mask;
    }
  }
  return status;
};

const chown: Program = async (ctx) => {
  const args = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  if (ctx.sh.user !== 'root') {
    for (const f of args.slice(1)) ctx.io.stderr.write(`chown: changing ownership of ${q(f)}: Operation not permitted\n`);
    return 1;
  }
  const owner = (args[0] ?? '').split(/[:.]/)[0];
  for (const f of args.slice(1)) {
    const entry = ctx.sh.host.fs.mutable(ctx.sh.resolve(f));
    if (!entry) {
      ctx.io.stderr.write(`chown: cannot access ${q(f)}: No such file or directory\n`);
      return 1;
    }
    if (owner === 'root' || owner === 'dcos') entry.owner = owner;
  }
  return 0;
};

const ln: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'sfnv' });
  const [target, name] = p.rest;
  if (!target || !name) {
    ctx.io.stderr.write("ln: missing file operand\nTry 'ln --help' for more information.\n");
    return 1;
  }
  const path = ctx.sh.resolve(name);
  const fs = ctx.sh.host.fs;
  if (fs.exists(path) && !has(p, 'f')) {
    ctx.io.stderr.write(`ln: failed to create symbolic link ${q(name)}: File exists\n`);
    return 1;
  }
  try {
    const resolved = ctx.sh.resolve(target.startsWith('/') ? target : `${dirname(path)}/${target}`);
    const text = fs.exists(resolved) ? fs.read(resolved, 'root') : '';
    fs.write(path, text, ctx.sh.user);
    const e = fs.mutable(path);
    if (e?.kind === 'file') e.link = target;
  } catch (e) {
    if (!(e instanceof FsFailure)) throw e;
    ctx.io.stderr.write(`ln: failed to create symbolic link ${q(name)}: ${e.reason}\n`);
    return 1;
  }
  return 0;
};

const lsattr: Program = async (ctx) => {
  let status = 0;
  for (const f of ctx.argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const entry = ctx.sh.host.fs.get(ctx.sh.resolve(f));
    if (!entry) {
      ctx.io.stderr.write(`lsattr: No such file or directory while trying to stat ${f}\n`);
      status = 1;
      continue;
    }
    const immutable = entry.kind === 'file' && entry.immutable;
    ctx.io.stdout.write(`${immutable ? '----i-----------' : '----------------'} ${f}\n`);
  }
  return status;
};

const chattr: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  const mode = args.find((a) => /^[+-=][a-zA-Z]+$/.test(a));
  const files = args.filter((a) => a !== mode && !a.startsWith('-'));
  if (!mode || files.length === 0) {
    ctx.io.stderr.write('Usage: chattr [-RVf] [-+=aAcCdDeijsStTu] [-v version] files...\n');
    return 1;
  }
  let status = 0;
  for (const f of files) {
    const path = ctx.sh.resolve(f);
    const entry = ctx.sh.host.fs.mutable(path);
    if (!entry) {
      ctx.io.stderr.write(`chattr: No such file or directory while trying to stat ${f}\n`);
      status = 1;
      continue;
    }
    if (ctx.sh.user !== 'root') {
      ctx.io.stderr.write(`chattr: Operation not permitted while setting flags on ${f}\n`);
      status = 1;
      continue;
    }
    if (entry.kind === 'file' && mode.includes('i')) {
      if (mode.startsWith('-')) delete entry.immutable;
      else entry.immutable = true;
    }
  }
  return status;
};

function digest(algo: 'md5' | 'sha256'): Program {
  return async (ctx) => {
    const flags = ctx.argv.slice(1).filter((a) => a.startsWith('-') && a !== '-');
    if (flags.includes('-c') || flags.includes('--check'))
      return checkDigests(ctx, algo, flags.includes('--quiet') || flags.includes('--status'), flags.includes('--status'));
    const files = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
    const { inputs, failed } = await readInputs(ctx, files, `${algo}sum`);
    for (const i of inputs) ctx.io.stdout.write(`${createHash(algo).update(i.text).digest('hex')}  ${files.length ? i.name : '-'}\n`);
    return failed ? 1 : 0;
  };
}

/** md5sum/sha256sum -c: verifies "<digest>  <file>" lines, worded as coreutils 8.22 words it. */
async function checkDigests(ctx: ProgramContext, algo: 'md5' | 'sha256', quiet: boolean, status: boolean): Promise<number> {
  const prog = `${algo}sum`;
  const lists = ctx.argv.slice(1).filter((a) => !a.startsWith('-') || a === '-');
  const { inputs, failed } = await readInputs(ctx, lists, prog);
  const size = algo === 'md5' ? 32 : 64;
  let mismatched = 0;
  let unreadable = 0;
  let checked = 0;
  for (const list of inputs) {
    for (const line of list.text.split('\n')) {
      const m = new RegExp(`^([0-9a-fA-F]{${size}}) [ *](.+)$`).exec(line);
      if (!m) continue;
      checked++;
      const file = m[2]!;
      let text: string;
      try {
        text = ctx.sh.host.fs.read(ctx.sh.resolve(file), ctx.sh.user);
      } catch (e) {
        if (!(e instanceof FsFailure)) throw e;
        ctx.io.stderr.write(`${prog}: ${file}: ${e.reason}\n`);
        if (!status) ctx.io.stdout.write(`${file}: FAILED open or read\n`);
        unreadable++;
        continue;
      }
      const ok = createHash(algo).update(text).digest('hex') === m[1]!.toLowerCase();
      if (!ok) mismatched++;
      if (!status && (!ok || !quiet)) ctx.io.stdout.write(`${file}: ${ok ? 'OK' : 'FAILED'}\n`);
    }
    if (checked === 0) {
      ctx.io.stderr.write(
        `${prog}: ${list.name === '(standard input)' ? 'standard input' : list.name}: no properly formatted ${algo.toUpperCase()} checksum lines found\n`,
      );
      return 1;
    }
  }
  if (!status && unreadable > 0)
    ctx.io.stderr.write(`${prog}: WARNING: ${unreadable} listed file${unreadable === 1 ? '' : 's'} could not be read\n`);
  if (!status && mismatched > 0)
    ctx.io.stderr.write(`${prog}: WARNING: ${mismatched} computed checksum${mismatched === 1 ? '' : 's'} did NOT match\n`);
  return failed || mismatched > 0 || unreadable > 0 ? 1 : 0;
}

/** tar: archives are JSON inside the simulation, but -c/-x/-t and -v behave as tar does. */
const tar: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  const first = args[0] ?? '';
  const flagsWord = first.startsWith('-') ? first.slice(1) : first;
  const flags = new Set(flagsWord);
  let rest = args.slice(1);
  let archive: string | undefined;
  if (flags.has('f')) {
    archive = rest[0];
    rest = rest.slice(1);
  }
  if (!archive) {
    ctx.io.stderr.write(
      'tar: Refusing to read archive contents from terminal (missing -f option?)\ntar: Error is not recoverable: exiting now\n',
    );
    return 2;
  }
  const fs = ctx.sh.host.fs;
  const archivePath = ctx.sh.resolve(archive);
  const list = (dir: string, shown: string): string[] => {
    if (!fs.isDir(dir)) return [shown];
    return [`${shown.replace(/\/?$/, '/')}`, ...fs.list(dir).flatMap((n) => list(`${dir}/${n}`, `${shown.replace(/\/?$/, '/')}${n}`))];
  };
  if (flags.has('c')) {
    const files: Record<string, string> = {};
    const names: string[] = [];
    for (const r of rest) {
      const path = ctx.sh.resolve(r);
      if (!fs.exists(path)) {
        ctx.io.stderr.write(`tar: ${r}: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n`);
        return 2;
      }
      const shown = r.replace(/^\/+/, '');
      if (r.startsWith('/') && names.length === 0) ctx.io.stderr.write("tar: Removing leading `/' from member names\n");
      for (const n of list(path, shown)) {
        names.push(n);
        const abs = `/${n}`.replace(/^\/+/, '/');
        const real = r.startsWith('/') ? abs : ctx.sh.resolve(n);
        if (fs.isFile(real)) files[n] = fs.read(real, ctx.sh.user);
      }
    }
    try {
      fs.write(archivePath, JSON.stringify({ tar: names, files }), ctx.sh.user);
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      ctx.io.stderr.write(`tar: ${archive}: Cannot open: ${e.reason}\ntar: Error is not recoverable: exiting now\n`);
      return 2;
    }
    if (flags.has('v')) ctx.io.stdout.write(names.map((n) => `${n}\n`).join(''));
    return 0;
  }
  let parsed: { tar: string[]; files: Record<string, string> };
  try {
    parsed = JSON.parse(fs.read(archivePath, ctx.sh.user)) as typeof parsed;
  } catch (e) {
    ctx.io.stderr.write(
      e instanceof FsFailure
        ? `tar: ${archive}: Cannot open: ${e.reason}\ntar: Error is not recoverable: exiting now\n`
        : 'tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors\n',
    );
    return 2;
  }
  if (flags.has('t') || flags.has('v')) ctx.io.stdout.write(parsed.tar.map((n) => `${n}\n`).join(''));
  if (flags.has('x')) {
    for (const [n, text] of Object.entries(parsed.files)) {
      const path = ctx.sh.resolve(n);
      fs.mkdir(dirname(path), ctx.sh.user, true);
      fs.write(path, text, ctx.sh.user);
    }
  }
  return 0;
};

const stat: Program = async (ctx) => {
  let status = 0;
  for (const f of ctx.argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const path = ctx.sh.resolve(f);
    const entry = ctx.sh.host.fs.get(path);
    if (!entry) {
      ctx.io.stderr.write(`stat: cannot stat ${q(f)}: No such file or directory\n`);
      status = 1;
      continue;
    }
    const when = new Date(entry.mtime).toISOString().replace('T', ' ').replace('Z', '000000 +0000');
    ctx.io.stdout.write(
      `  File: ${q(f)}\n  Size: ${sizeOf(ctx, path, entry)}\tBlocks: 8          IO Block: 4096   ${entry.kind === 'dir' ? 'directory' : 'regular file'}\n` +
        `Access: (0${entry.mode.toString(8)}/${modeString(entry)})  Uid: (${entry.owner === 'root' ? '    0/    root' : ' 1000/    dcos'})   Gid: (${entry.owner === 'root' ? '    0/    root' : ' 1000/    dcos'})\n` +
        `Modify: ${when}\n`,
    );
  }
  return status;
};

const find: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  const start = args[0] && !args[0].startsWith('-') ? args[0] : '.';
  const nameIdx = args.indexOf('-name');
  const pattern = nameIdx >= 0 ? args[nameIdx + 1] : undefined;
  const typeIdx = args.indexOf('-type');
  const type = typeIdx >= 0 ? args[typeIdx + 1] : undefined;
  const fs = ctx.sh.host.fs;
  const root = ctx.sh.resolve(start);
  if (!fs.exists(root)) {
    ctx.io.stderr.write(`find: ${q(start)}: No such file or directory\n`);
    return 1;
  }
  const re = pattern
    ? new RegExp(
        `^${pattern
          .replace(/[.+^${}()|\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      )
    : undefined;
  const walk = (path: string, shown: string): void => {
    const isDir = fs.isDir(path);
    const okType = !type || (type === 'd' ? isDir : !isDir);
    if (okType && (!re || re.test(basename(path)))) ctx.io.stdout.write(`${shown}\n`);
    if (isDir) for (const n of fs.list(path)) walk(`${path === '/' ? '' : path}/${n}`, `${shown.replace(/\/$/, '')}/${n}`);
  };
  walk(root, start);
  return 0;
};

export const filePrograms: [string, Program][] = [
  ['cat', cat],
  ['ls', ls],
  ['rm', rm],
  ['mkdir', mkdir],
  ['cp', copyOrMove('cp')],
  ['mv', copyOrMove('mv')],
  ['touch', touch],
  ['chmod', chmod],
  ['chown', chown],
  ['ln', ln],
  ['lsattr', lsattr],
  ['chattr', chattr],
  ['md5sum', digest('md5')],
  ['sha256sum', digest('sha256')],
  ['tar', tar],
  ['stat', stat],
  ['find', find],
];

export { value };
