// Runs the syntax tree against a simulated node: expansion, redirects, pipes, control flow and
// program lookup through PATH in the node's files. Programs are async functions; everything
// long-running waits on the simulated clock and stops when the signal aborts.
import type { SimClock } from '../clock.js';
import { AbortedError } from '../clock.js';
import { FsFailure, resolvePath, type SimFs, type SimUser } from '../fs.js';
import { evalArith } from './arith.js';
import type { AndOr, Command, List, Pipeline, Redirect, Simple, Word } from './ast.js';
import { globPaths, hasGlob, matchPattern, patternSource, type Segment } from './glob.js';
import { ShellSyntaxError, parseScript } from './parse.js';
import { type InStream, type Io, nullOutput, type OutStream, Pipe, StringOutput, stringInput } from './streams.js';

/** What a program gets when it runs. */
export interface ProgramContext {
  /** argv[0] is the name as typed. */
  argv: string[];
  io: Io;
  sh: Shell;
  signal: AbortSignal;
}

export type Program = (ctx: ProgramContext) => Promise<number>;

/** The node a shell runs on. */
export interface ShellHost {
  fs: SimFs;
  hostname: string;
  clock: SimClock;
  /** Implementations by program name (the `program` of an executable file). */
  programs: ReadonlyMap<string, Program>;
  /** Builtins of the shell itself (cd, echo, test, ...). */
  builtins: ReadonlyMap<string, Program>;
}

class ExitSignal {
  constructor(readonly status: number) {}
}
class LoopSignal {
  constructor(
    readonly kind: 'break' | 'continue',
    readonly levels: number,
  ) {}
}

export interface ShellOptions {
  user?: SimUser;
  cwd?: string;
  vars?: Record<string, string>;
  /** The name in error messages: "bash" for commands, the script path for a script. */
  name?: string;
  positional?: string[];
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/opt/mesosphere/bin';

export class Shell {
  readonly vars: Map<string, string>;
  readonly exported: Set<string>;
  cwd: string;
  user: SimUser;
  lastStatus = 0;
  positional: string[];
  name: string;
  errexit = false;
  nounset = false;
  pipefail = false;
  private conditionDepth = 0;

  constructor(
    readonly host: ShellHost,
    options: ShellOptions = {},
  ) {
    this.user = options.user ?? 'dcos';
    const home = this.user === 'root' ? '/root' : '/home/dcos';
    this.vars = new Map(
      Object.entries({
        HOME: home,
        USER: this.user,
        LOGNAME: this.user,
        SHELL: '/bin/bash',
        PATH: DEFAULT_PATH,
        HOSTNAME: host.hostname,
        LANG: 'en_US.UTF-8',
        IFS: ' \t\n',
        ...options.vars,
      }),
    );
    this.exported = new Set(['HOME', 'USER', 'LOGNAME', 'SHELL', 'PATH', 'HOSTNAME', 'LANG', ...Object.keys(options.vars ?? {})]);
    this.cwd = options.cwd ?? home;
    this.vars.set('PWD', this.cwd);
    this.name = options.name ?? 'bash';
    this.positional = options.positional ?? [];
  }

  /** A copy for a subshell, $(...), or a program that runs a script. */
  clone(overrides: ShellOptions = {}): Shell {
    const child = new Shell(this.host, {
      user: overrides.user ?? this.user,
      cwd: overrides.cwd ?? this.cwd,
      name: overrides.name ?? this.name,
      positional: overrides.positional ?? [...this.positional],
    });
    child.vars.clear();
    for (const [k, v] of this.vars) child.vars.set(k, v);
    for (const k of this.exported) child.exported.add(k);
    for (const [k, v] of Object.entries(overrides.vars ?? {})) child.vars.set(k, v);
    child.lastStatus = this.lastStatus;
    child.errexit = this.errexit;
    child.nounset = this.nounset;
    child.pipefail = this.pipefail;
    return child;
  }

  get home(): string {
    return this.vars.get('HOME') ?? '/home/dcos';
  }

  /** A path as the programs see it, resolved against the working directory. */
  resolve(path: string): string {
    return resolvePath(this.cwd, path, this.home);
  }

  /** Writes "<name>: <message>" on stderr, the way bash reports its own errors. */
  error(io: Io, message: string): void {
    io.stderr.write(`${this.name}: ${message}\n`);
  }

  /** Parses and runs a script; a syntax error is reported as bash reports it, status 2. */
  async run(src: string, io: Io, signal: AbortSignal): Promise<number> {
    let list: List;
    try {
      list = parseScript(src);
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        const where = this.name === 'bash' ? 'bash: -c: line 0' : `${this.name}: line 1`;
        io.stderr.write(`${where}: ${e.message}\n`);
        if (this.name === 'bash') io.stderr.write(`${where}: \`${src.split('\n')[0]}'\n`);
        this.lastStatus = 2;
        return 2;
      }
      throw e;
    }
    try {
      return await this.execList(list, io, signal);
    } catch (e) {
      if (e instanceof ExitSignal) {
        this.lastStatus = e.status;
        return e.status;
      }
      if (e instanceof LoopSignal) return this.lastStatus;
      throw e;
    }
  }

  // ---- execution ----

  async execList(list: List, io: Io, signal: AbortSignal): Promise<number> {
    let status = 0;
    for (const item of list.items) {
      if (signal.aborted) throw new AbortedError();
      if (item.bg) {
        // Background jobs run on; their output still reaches the same streams.
        const job = this.clone();
        void job.execAndOr(item.cmd, io, signal).catch(() => {});
        status = 0;
        this.lastStatus = 0;
        continue;
      }
      status = await this.execAndOr(item.cmd, io, signal);
    }
    return status;
  }

  private async execAndOr(node: AndOr, io: Io, signal: AbortSignal): Promise<number> {
    const guarded = node.rest.length > 0;
    if (guarded) this.conditionDepth++;
    let status: number;
    try {
      status = await this.execPipeline(node.first, io, signal);
      for (let i = 0; i < node.rest.length; i++) {
        const step = node.rest[i] as AndOr['rest'][number];
        if ((step.op === '&&' && status !== 0) || (step.op === '||' && status === 0)) continue;
        // The last pipeline of an and-or list is not a condition: errexit applies to it.
        if (i === node.rest.length - 1) this.conditionDepth--;
        try {
          status = await this.execPipeline(step.p, io, signal);
        } finally {
          if (i === node.rest.length - 1) this.conditionDepth++;
        }
        if (i === node.rest.length - 1 && status !== 0 && !step.p.neg) this.checkErrexit(status);
      }
    } finally {
      if (guarded) this.conditionDepth--;
    }
    if (!guarded && status !== 0 && !node.first.neg) this.checkErrexit(status);
    return status;
  }

  private checkErrexit(status: number): void {
    if (this.errexit && this.conditionDepth === 0) throw new ExitSignal(status);
  }

  private async execPipeline(p: Pipeline, io: Io, signal: AbortSignal): Promise<number> {
    let status: number;
    if (p.cmds.length === 1) {
      status = await this.execCommand(p.cmds[0] as Command, io, signal);
    } else {
      const pipes = p.cmds.slice(1).map(() => new Pipe());
      const runs = p.cmds.map(async (cmd, i) => {
        const stdin = i === 0 ? io.stdin : (pipes[i - 1] as Pipe);
        const stdout = i === p.cmds.length - 1 ? io.stdout : (pipes[i] as Pipe);
        // Each part of a pipeline runs in a subshell, as in bash.
        const sh = this.clone();
        try {
          return await sh.execCommand(cmd, { stdin, stdout, stderr: io.stderr }, signal);
        } catch (e) {
          if (e instanceof ExitSignal) return e.status;
          throw e;
        } finally {
          if (i < pipes.length) (pipes[i] as Pipe).end();
          if (i > 0) (pipes[i - 1] as Pipe).close();
        }
      });
      const statuses = await Promise.all(runs);
      status = statuses[statuses.length - 1] as number;
      if (this.pipefail) status = [...statuses].reverse().find((s) => s !== 0) ?? 0;
    }
    if (p.neg) status = status === 0 ? 1 : 0;
    this.lastStatus = status;
    return status;
  }

  async execCommand(cmd: Command, io: Io, signal: AbortSignal): Promise<number> {
    if (signal.aborted) throw new AbortedError();
    if (cmd.t === 'simple') return this.execSimple(cmd, io, signal);
    const redirected = await this.applyRedirects(cmd.redirs, io);
    if (redirected === null) return (this.lastStatus = 1);
    const cio = redirected;
    let status = 0;
    switch (cmd.t) {
      case 'group':
        if (cmd.sub) {
          const sh = this.clone();
          try {
            status = await sh.execList(cmd.body, cio, signal);
          } catch (e) {
            if (!(e instanceof ExitSignal)) throw e;
            status = e.status;
          }
        } else status = await this.execList(cmd.body, cio, signal);
        break;
      case 'if': {
        let done = false;
        for (const clause of cmd.clauses) {
          if ((await this.condition(clause.cond, cio, signal)) === 0) {
            status = await this.execList(clause.body, cio, signal);
            done = true;
            break;
          }
        }
        if (!done) status = cmd.otherwise ? await this.execList(cmd.otherwise, cio, signal) : 0;
        break;
      }
      case 'for': {
        const items = cmd.items ? await this.expandWords(cmd.items, cio, signal) : [...this.positional];
        for (const item of items) {
          this.vars.set(cmd.name, item);
          const r = await this.loopBody(cmd.body, cio, signal);
          status = r.status;
          if (r.stop) break;
        }
        break;
      }
      case 'while': {
        for (let guard = 0; ; guard++) {
          const c = await this.condition(cmd.cond, cio, signal);
          if ((c === 0) === cmd.until) break;
          const r = await this.loopBody(cmd.body, cio, signal);
          status = r.status;
          if (r.stop) break;
          // A loop that never waits on the clock would spin forever: yield to the event loop.
          if (guard % 100 === 99) await new Promise((r2) => setImmediate(r2));
        }
        break;
      }
      case 'case': {
        const subject = await this.expandOne(cmd.subject, cio, signal);
        for (const arm of cmd.arms) {
          let hit = false;
          for (const pat of arm.patterns) {
            if (matchPattern(await this.expandPattern(pat, cio, signal), subject)) hit = true;
          }
          if (hit) {
            status = await this.execList(arm.body, cio, signal);
            break;
          }
        }
        break;
      }
    }
    this.lastStatus = status;
    return status;
  }

  private async condition(list: List, io: Io, signal: AbortSignal): Promise<number> {
    this.conditionDepth++;
    try {
      return await this.execList(list, io, signal);
    } finally {
      this.conditionDepth--;
    }
  }

  private async loopBody(body: List, io: Io, signal: AbortSignal): Promise<{ status: number; stop: boolean }> {
    try {
      return { status: await this.execList(body, io, signal), stop: false };
    } catch (e) {
      if (!(e instanceof LoopSignal)) throw e;
      if (e.levels > 1) throw new LoopSignal(e.kind, e.levels - 1);
      return { status: 0, stop: e.kind === 'break' };
    }
  }

  private async execSimple(cmd: Simple, io: Io, signal: AbortSignal): Promise<number> {
    this.lastSubstStatus = null;
    const argv = await this.expandWords(cmd.words, io, signal);
    const assigns: [string, string][] = [];
    for (const a of cmd.assigns) assigns.push([a.name, await this.expandOne(a.value, io, signal)]);
    if (argv.length === 0) {
      for (const [k, v] of assigns) this.vars.set(k, v);
      const r = await this.applyRedirects(cmd.redirs, io);
      const status = r === null ? 1 : (this.lastSubstStatus ?? 0);
      this.lastStatus = status;
      return status;
    }
    const cio = await this.applyRedirects(cmd.redirs, io);
    if (cio === null) return (this.lastStatus = 1);
    let target: Shell = this;
    if (assigns.length > 0) {
      target = this.clone();
      for (const [k, v] of assigns) {
        target.vars.set(k, v);
        target.exported.add(k);
      }
    }
    const status = await target.invoke(argv, cio, signal);
    if (target !== this) {
      this.cwd = target.cwd;
    }
    this.lastStatus = status;
    return status;
  }

  /** Runs a command line already split into words: builtins, then programs found through PATH. */
  async invoke(argv: string[], io: Io, signal: AbortSignal, options: { builtins?: boolean } = {}): Promise<number> {
    const name = argv[0] as string;
    if (options.builtins !== false) {
      const special = this.special(name);
      if (special) return special(argv, io, signal);
      const builtin = this.host.builtins.get(name);
      if (builtin) return builtin({ argv, io, sh: this, signal });
    }
    const found = this.lookup(name);
    if (found.kind === 'missing') {
      this.error(io, `${name}: command not found`);
      return 127;
    }
    if (found.kind === 'error') {
      this.error(io, `${name}: ${found.reason}`);
      return found.reason === 'No such file or directory' ? 127 : 126;
    }
    return this.runFile(found.path, argv, io, signal);
  }

  /** Runs an executable file: its program, or its text as a script. */
  async runFile(path: string, argv: string[], io: Io, signal: AbortSignal): Promise<number> {
    const entry = this.host.fs.get(path);
    if (entry?.kind === 'file' && entry.program) {
      const program = this.host.programs.get(entry.program) ?? this.host.builtins.get(entry.program);
      if (program) return program({ argv, io, sh: this, signal });
      // An executable the simulation does not model: it exists, but does nothing useful here.
      io.stderr.write(`${argv[0]}: this program is not available on the simulated node\n`);
      return 126;
    }
    let text: string;
    try {
      text = this.host.fs.read(path, this.user);
    } catch (e) {
      if (e instanceof FsFailure) {
        this.error(io, `${argv[0]}: ${e.reason}`);
        return 126;
      }
      throw e;
    }
    return this.runScriptText(text, path, argv.slice(1), io, signal);
  }

  /** Runs script text in a child shell ("bash file args"). */
  async runScriptText(
    text: string,
    name: string,
    args: string[],
    io: Io,
    signal: AbortSignal,
    flags: { errexit?: boolean } = {},
  ): Promise<number> {
    const child = this.clone({ name, positional: args });
    child.vars.set('0', name);
    if (flags.errexit) child.errexit = true;
    const body = text.startsWith('#!') ? text.slice(text.indexOf('\n') + 1) : text;
    return child.run(body, io, signal);
  }

  /** Finds a program: a path when the name has a slash, else the first match in PATH. */
  lookup(name: string): { kind: 'found'; path: string } | { kind: 'missing' } | { kind: 'error'; reason: string } {
    const fs = this.host.fs;
    if (name.includes('/')) {
      const path = this.resolve(name);
      const entry = fs.get(path);
      if (!entry) return { kind: 'error', reason: 'No such file or directory' };
      if (entry.kind === 'dir') return { kind: 'error', reason: 'Is a directory' };
      if ((entry.mode & 0o111) === 0) return { kind: 'error', reason: 'Permission denied' };
      return { kind: 'found', path };
    }
    for (const dir of (this.vars.get('PATH') ?? '').split(':')) {
      if (!dir) continue;
      const path = `${dir}/${name}`;
      const entry = fs.get(path);
      if (entry?.kind === 'file' && (entry.mode & 0o111) !== 0) return { kind: 'found', path };
    }
    return { kind: 'missing' };
  }

  /** Builtins that change the shell's own control flow or state. */
  private special(name: string): ((argv: string[], io: Io, signal: AbortSignal) => Promise<number>) | undefined {
    switch (name) {
      case 'eval':
        // The players hand every command over as eval "$(cat)" with the script on standard input.
        return async (argv, io, signal) => {
          const src = argv.slice(1).join(' ');
          let list: List;
          try {
            list = parseScript(src);
          } catch (e) {
            if (!(e instanceof ShellSyntaxError)) throw e;
            const where = this.name === 'bash' ? 'bash: eval: line 1' : `${this.name}: eval: line 1`;
            io.stderr.write(`${where}: ${e.message}\n`);
            return (this.lastStatus = 2);
          }
          // exit, break and continue inside act on the shell around, as in bash.
          return this.execList(list, io, signal);
        };
      case 'exit':
        return async (argv) => {
          throw new ExitSignal(argv[1] === undefined ? this.lastStatus : Number.parseInt(argv[1], 10) & 255);
        };
      case 'break':
      case 'continue':
        return async (argv) => {
          throw new LoopSignal(name, Number.parseInt(argv[1] ?? '1', 10) || 1);
        };
      case 'set':
        return async (argv, io) => {
          for (let i = 1; i < argv.length; i++) {
            const a = argv[i] as string;
            if (a === '-o' || a === '+o') {
              const opt = argv[++i];
              const on = a === '-o';
              if (opt === 'errexit') this.errexit = on;
              else if (opt === 'nounset') this.nounset = on;
              else if (opt === 'pipefail') this.pipefail = on;
              else if (opt !== undefined && opt !== 'xtrace' && opt !== 'verbose') {
                this.error(io, `set: ${opt}: invalid option name`);
                return 2;
              }
            } else if (/^[-+][euxv]+$/.test(a)) {
              const on = a[0] === '-';
              if (a.includes('e')) this.errexit = on;
              if (a.includes('u')) this.nounset = on;
            } else if (a === '--') {
              this.positional = argv.slice(i + 1);
              break;
            }
          }
          return 0;
        };
      case 'shift':
        return async (argv) => {
          const n = Number.parseInt(argv[1] ?? '1', 10);
          if (n > this.positional.length) return 1;
          this.positional = this.positional.slice(n);
          return 0;
        };
      case '.':
      case 'source':
        return async (argv, io, signal) => {
          const file = argv[1];
          if (!file) {
            this.error(io, `${name}: filename argument required`);
            return 2;
          }
          let text: string;
          try {
            text = this.host.fs.read(this.resolve(file), this.user);
          } catch (e) {
            if (!(e instanceof FsFailure)) throw e;
            this.error(io, `${file}: ${e.reason}`);
            return 1;
          }
          const list = parseScript(text);
          return this.execList(list, io, signal);
        };
      case 'sudo':
        return async (argv, io, signal) => this.sudo(argv, io, signal);
      case 'command':
        return async (argv, io, signal) => {
          if (argv[1] === '-v' || argv[1] === '-V') {
            let status = 0;
            for (const n of argv.slice(2)) {
              if (this.host.builtins.has(n) || this.special(n)) io.stdout.write(`${n}\n`);
              else {
                const found = this.lookup(n);
                if (found.kind === 'found') io.stdout.write(`${found.path}\n`);
                else status = 1;
              }
            }
            return status;
          }
          if (argv.length < 2) return 0;
          return this.invoke(argv.slice(1), io, signal);
        };
      case 'type':
        return async (argv, io) => {
          let status = 0;
          for (const n of argv.slice(1)) {
            if (this.host.builtins.has(n) || this.special(n)) io.stdout.write(`${n} is a shell builtin\n`);
            else {
              const found = this.lookup(n);
              if (found.kind === 'found') io.stdout.write(`${n} is ${found.path}\n`);
              else {
                this.error(io, `type: ${n}: not found`);
                status = 1;
              }
            }
          }
          return status;
        };
      default:
        return undefined;
    }
  }

  /** sudo [-n] [-E] [-H] [-i] [-u root] command...: runs the command as root. */
  private async sudo(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
    let i = 1;
    let user: SimUser = 'root';
    while (i < argv.length && (argv[i] as string).startsWith('-')) {
      const a = argv[i] as string;
      if (a === '--') {
        i++;
        break;
      }
      if (a === '-u') {
        const u = argv[++i];
        if (u !== 'root' && u !== 'dcos') {
          io.stderr.write(`sudo: unknown user: ${u ?? ''}\n`);
          return 1;
        }
        user = u;
      } else if (!/^-[nEHiSs]+$/.test(a)) {
        io.stderr.write(`sudo: invalid option -- '${a.replace(/^-+/, '')[0] ?? ''}'\n`);
        return 1;
      }
      i++;
    }
    const rest = argv.slice(i);
    if (rest.length === 0) {
      io.stderr.write(
        'usage: sudo -h | -K | -k | -V\nusage: sudo [-AbEHknPS] [-C num] [-g group] [-h host] [-p prompt] [-u user] [command]\n',
      );
      return 1;
    }
    const sh = this.clone({ user });
    sh.vars.set('USER', user);
    sh.vars.set('SUDO_USER', this.user);
    const name = rest[0] as string;
    const found = sh.lookup(name);
    if (found.kind !== 'found') {
      io.stderr.write(`sudo: ${name}: command not found\n`);
      return 1;
    }
    return sh.runFile(found.path, rest, io, signal);
  }

  // ---- redirects ----

  private async applyRedirects(redirs: Redirect[], io: Io): Promise<Io | null> {
    if (redirs.length === 0) return io;
    const out: Io = { ...io };
    for (const r of redirs) {
      const target = await this.expandOne(r.target, io, new AbortController().signal);
      if (r.op === '>&' || r.op === '<&') {
        if (target === '1') out[r.fd === 2 ? 'stderr' : 'stdout'] = out.stdout;
        else if (target === '2') out[r.fd === 1 ? 'stdout' : 'stderr'] = out.stderr;
        else if (target === '-') out[r.fd === 2 ? 'stderr' : 'stdout'] = nullOutput;
        else if (r.op === '>&' && !/^\d+$/.test(target)) {
          const sink = this.openWrite(target, false, io);
          if (!sink) return null;
          out.stdout = sink;
          out.stderr = sink;
        }
        continue;
      }
      if (r.op === '<' || r.op === '<<<') {
        if (r.op === '<<<') {
          out.stdin = stringInput(`${target}\n`);
          continue;
        }
        const path = this.resolve(target);
        try {
          out.stdin = stringInput(path === '/dev/null' ? '' : this.host.fs.read(path, this.user));
        } catch (e) {
          if (!(e instanceof FsFailure)) throw e;
          this.error(io, `${target}: ${e.reason}`);
          return null;
        }
        continue;
      }
      const sink = this.openWrite(target, r.op === '>>' || r.op === '&>>', io);
      if (!sink) return null;
      if (r.op === '&>' || r.op === '&>>') {
        out.stdout = sink;
        out.stderr = sink;
      } else if (r.fd === 2) out.stderr = sink;
      else out.stdout = sink;
    }
    return out;
  }

  /** Opens a file for a redirect; reports the error as bash does and returns null on failure. */
  private openWrite(target: string, append: boolean, io: Io): OutStream | null {
    if (target === '/dev/null') return nullOutput;
    if (target === '/dev/stdout') return io.stdout;
    if (target === '/dev/stderr') return io.stderr;
    const path = this.resolve(target);
    const fs = this.host.fs;
    try {
      fs.write(path, '', this.user, append || false);
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      this.error(io, `${target}: ${e.reason}`);
      return null;
    }
    const user = this.user;
    return {
      closed: false,
      write: (text: string) => {
        try {
          fs.write(path, text, user, true);
        } catch {
          // The file vanished or became read-only while being written: drop the text, as a full disk would.
        }
      },
    };
  }

  // ---- expansion ----

  private lastSubstStatus: number | null = null;

  /** Expands one word without field splitting or globbing (assignments, redirect targets). */
  async expandOne(word: Word, io: Io, signal: AbortSignal): Promise<string> {
    const segs = await this.expandSegments(word, io, signal, false);
    return segs.map((s) => s.text).join('');
  }

  private async expandPattern(word: Word, io: Io, signal: AbortSignal): Promise<Segment[]> {
    const out: Segment[] = [];
    for (const part of word) {
      if (part.t === 'lit') out.push({ text: part.v, glob: !part.q });
      else out.push({ text: (await this.expandSegments([part], io, signal, false)).map((s) => s.text).join(''), glob: false });
    }
    return out;
  }

  /** Expands words into fields: parameter and command expansion, splitting, globbing. */
  async expandWords(words: Word[], io: Io, signal: AbortSignal): Promise<string[]> {
    const out: string[] = [];
    for (const word of words) {
      // "$@" gives one field per positional parameter.
      if (word.length === 1 && word[0]?.t === 'param' && word[0].q && word[0].name === '@' && !word[0].op) {
        out.push(...this.positional);
        continue;
      }
      const fields = await this.expandFields(word, io, signal);
      for (const field of fields) {
        if (hasGlob(field)) {
          const matches = globPaths(field, this.cwd, (dir) => (this.host.fs.isDir(dir) ? this.host.fs.list(dir) : null)).filter((p) =>
            this.host.fs.exists(this.resolve(p)),
          );
          if (matches.length > 0) {
            out.push(...matches);
            continue;
          }
        }
        out.push(field.map((s) => s.text).join(''));
      }
    }
    return out;
  }

  private async expandFields(word: Word, io: Io, signal: AbortSignal): Promise<Segment[][]> {
    const ifs = this.vars.get('IFS') ?? ' \t\n';
    const fields: Segment[][] = [];
    let current: Segment[] = [];
    let hasContent = false;
    for (const part of word) {
      if (part.t === 'lit') {
        current.push({ text: part.v, glob: !part.q });
        hasContent = true;
        continue;
      }
      const segs = await this.expandSegments([part], io, signal, false);
      const text = segs.map((s) => s.text).join('');
      const quoted = part.t !== 'tilde' && part.q;
      if (quoted || part.t === 'tilde') {
        current.push({ text, glob: false });
        hasContent = true;
        continue;
      }
      // Unquoted expansion: split on IFS.
      const pieces = splitIfs(text, ifs);
      if (pieces.leadingSep && (hasContent || current.length > 0)) {
        fields.push(current);
        current = [];
        hasContent = false;
      }
      pieces.fields.forEach((piece, i) => {
        if (i > 0) {
          fields.push(current);
          current = [];
        }
        current.push({ text: piece, glob: true });
        hasContent = true;
      });
      if (pieces.trailingSep && pieces.fields.length > 0) {
        fields.push(current);
        current = [];
        hasContent = false;
      }
    }
    if (hasContent) fields.push(current);
    return fields;
  }

  private async expandSegments(word: Word, io: Io, signal: AbortSignal, _split: boolean): Promise<Segment[]> {
    const out: Segment[] = [];
    for (const part of word) {
      switch (part.t) {
        case 'lit':
          out.push({ text: part.v, glob: !part.q });
          break;
        case 'tilde':
          out.push({ text: part.user === '' ? this.home : part.user === 'root' ? '/root' : `/home/${part.user}`, glob: false });
          break;
        case 'param':
          out.push({ text: await this.expandParam(part, io, signal), glob: false });
          break;
        case 'cmd': {
          const sub = this.clone();
          const capture = new StringOutput();
          let status: number;
          try {
            status = await sub.execList(part.list, { stdin: io.stdin, stdout: capture, stderr: io.stderr }, signal);
          } catch (e) {
            if (e instanceof ExitSignal) status = e.status;
            else if (e instanceof LoopSignal) status = sub.lastStatus;
            else throw e;
          }
          this.lastSubstStatus = status;
          this.lastStatus = status;
          out.push({ text: capture.text.replace(/\n+$/, ''), glob: false });
          break;
        }
        case 'arith': {
          const src = await this.expandArithSource(part.src, io, signal);
          out.push({ text: String(evalArith(src, (n) => this.getVar(n))), glob: false });
          break;
        }
      }
    }
    return out;
  }

  private async expandArithSource(src: string, _io: Io, _signal: AbortSignal): Promise<string> {
    // $name is read by the evaluator itself; ${name} is replaced here.
    return src.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, n: string) => this.getVar(n) ?? '0');
  }

  getVar(name: string): string | undefined {
    switch (name) {
      case '?':
        return String(this.lastStatus);
      case '$':
        return '4711';
      case '#':
        return String(this.positional.length);
      case '@':
      case '*':
        return this.positional.join(' ');
      case '0':
        return this.vars.get('0') ?? this.name;
      case '-':
        return `${this.errexit ? 'e' : ''}${this.nounset ? 'u' : ''}hB`;
      case '!':
        return '';
      default:
        if (/^[1-9]$/.test(name)) return this.positional[Number(name) - 1];
        return this.vars.get(name);
    }
  }

  private async expandParam(part: Extract<Word[number], { t: 'param' }>, io: Io, signal: AbortSignal): Promise<string> {
    const value = this.getVar(part.name);
    const op = part.op;
    const arg = async (): Promise<string> => (part.arg ? this.expandOne(part.arg, io, signal) : '');
    if (!op) {
      if (value === undefined && this.nounset && !/^[?$#@*0-]$/.test(part.name)) {
        this.error(io, `${part.name}: unbound variable`);
        throw new ExitSignal(1);
      }
      return value ?? '';
    }
    const unsetOrEmpty = value === undefined || value === '';
    switch (op) {
      case 'len':
        return String((value ?? '').length);
      case ':-':
        return unsetOrEmpty ? arg() : (value as string);
      case '-':
        return value === undefined ? arg() : value;
      case ':=':
      case '=':
        if (op === ':=' ? unsetOrEmpty : value === undefined) {
          const v = await arg();
          this.vars.set(part.name, v);
          return v;
        }
        return value as string;
      case ':+':
        return unsetOrEmpty ? '' : arg();
      case '+':
        return value === undefined ? '' : arg();
      case ':?':
      case '?':
        if (op === ':?' ? unsetOrEmpty : value === undefined) {
          const msg = (await arg()) || 'parameter null or not set';
          this.error(io, `${part.name}: ${msg}`);
          throw new ExitSignal(1);
        }
        return value as string;
      case '#':
      case '##':
      case '%':
      case '%%': {
        const v = value ?? '';
        const pat = part.arg ? patternSource(await this.expandPattern(part.arg, io, signal)) : '';
        const greedy = op === '##' || op === '%%';
        const lazy = greedy ? '' : '?';
        const src = pat.replace(/\*/g, `*${lazy}`);
        if (op === '#' || op === '##') {
          const m = new RegExp(`^${src}`).exec(v);
          return m ? v.slice(m[0].length) : v;
        }
        // Suffix removal: try each start position, shortest suffix first unless greedy.
        const starts = [...Array(v.length + 1).keys()];
        if (!greedy) starts.reverse();
        for (const s of starts) {
          if (new RegExp(`^${pat}$`).test(v.slice(s))) return v.slice(0, s);
        }
        return v;
      }
    }
  }
}

function splitIfs(text: string, ifs: string): { fields: string[]; leadingSep: boolean; trailingSep: boolean } {
  if (text === '') return { fields: [], leadingSep: false, trailingSep: false };
  const ws = [...ifs].filter((c) => ' \t\n'.includes(c));
  const isSep = (c: string): boolean => ifs.includes(c);
  const fields: string[] = [];
  let cur = '';
  let inField = false;
  for (const c of text) {
    if (isSep(c)) {
      if (inField) fields.push(cur);
      else if (!ws.includes(c)) fields.push('');
      cur = '';
      inField = false;
    } else {
      cur += c;
      inField = true;
    }
  }
  if (inField) fields.push(cur);
  return { fields, leadingSep: isSep(text[0] as string), trailingSep: isSep(text[text.length - 1] as string) };
}

/** Runs a command line on a shell with a fresh AbortSignal (tests and setup). */
export async function runCapture(
  sh: Shell,
  src: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const stdout = new StringOutput();
  const stderr = new StringOutput();
  const status = await sh.run(src, { stdin: stringInput(''), stdout, stderr }, signal);
  return { status, stdout: stdout.text, stderr: stderr.text };
}

export type { InStream };
