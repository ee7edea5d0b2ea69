// A node's files: only the ones the procedure touches, with owners, modes and the immutable
// attribute (chattr +i), because permission errors are part of what an operator meets.

export type SimUser = 'root' | 'dcos';

export interface SimFile {
  kind: 'file';
  /** Text, or a function for files whose content follows the model (/proc, version files). */
  content: string | (() => string);
  mode: number;
  owner: SimUser;
  mtime: number;
  /** chattr +i: nobody, root included, may remove or change it. */
  immutable?: boolean;
  /** The built-in program this file runs as (e.g. "curl"), when it is an executable. */
  program?: string;
  /** A symbolic link's target, shown by ls -l. */
  link?: string;
}

export interface SimDir {
  kind: 'dir';
  mode: number;
  owner: SimUser;
  mtime: number;
}

export type SimEntry = SimFile | SimDir;

/** Why a file operation failed, worded as coreutils word it (after "cannot ...: "). */
export type FsError =
  | 'No such file or directory'
  | 'Permission denied'
  | 'Is a directory'
  | 'Not a directory'
  | 'Operation not permitted'
  | 'Directory not empty'
  | 'File exists';

export class FsFailure extends Error {
  constructor(
    readonly reason: FsError,
    readonly path: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

/** Normalises a path against a working directory and a home directory. */
export function resolvePath(cwd: string, path: string, home: string): string {
  let p = path;
  if (p === '~' || p.startsWith('~/')) p = home + p.slice(1);
  if (!p.startsWith('/')) p = `${cwd}/${p}`;
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function basename(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Places an unprivileged user may write: their home and /tmp. */
function userWritable(path: string, user: SimUser, entry: SimEntry | undefined): boolean {
  if (user === 'root') return true;
  if (entry && entry.owner === user) return true;
  return path === '/tmp' || path.startsWith('/tmp/') || path.startsWith('/home/dcos/') || path === '/home/dcos';
}

/** Entries keyed by path; a shared base layer holds what every node has (programs, /etc). */
class Layered {
  private readonly upper = new Map<string, SimEntry>();
  private readonly removed = new Set<string>();

  constructor(private readonly base: ReadonlyMap<string, SimEntry> | undefined) {}

  get(path: string): SimEntry | undefined {
    return this.upper.get(path) ?? (this.removed.has(path) ? undefined : this.base?.get(path));
  }

  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  set(path: string, entry: SimEntry): void {
    this.upper.set(path, entry);
    this.removed.delete(path);
  }

  delete(path: string): void {
    this.upper.delete(path);
    // Kept even for a file of this layer only: a snapshot must remove what the model builds again.
    this.removed.add(path);
  }

  /** The entry, copied into this node's layer first so changing it leaves the base alone. */
  own(path: string): SimEntry | undefined {
    const mine = this.upper.get(path);
    if (mine) return mine;
    const shared = this.get(path);
    if (!shared) return undefined;
    const copy = { ...shared };
    this.upper.set(path, copy);
    return copy;
  }

  /** This layer's own entries and removals (a snapshot; function contents are the model's and are left out). */
  dump(): { upper: [string, SimEntry][]; removed: string[] } {
    return { upper: [...this.upper].filter(([, e]) => e.kind === 'dir' || typeof e.content === 'string'), removed: [...this.removed] };
  }

  /** Lays a dump over the layer as built: its entries replace, its removals remove. */
  load(dump: { upper: [string, SimEntry][]; removed: string[] }): void {
    for (const [k, e] of dump.upper) this.set(k, e);
    for (const k of dump.removed) this.delete(k);
  }

  *keys(): Generator<string> {
    yield* this.upper.keys();
    if (this.base) for (const k of this.base.keys()) if (!this.upper.has(k) && !this.removed.has(k)) yield k;
  }
}

export class SimFs {
  private readonly entries: Layered;
  private readonly readHooks = new Map<string, () => void>();

  constructor(
    private readonly now: () => number,
    base?: ReadonlyMap<string, SimEntry>,
  ) {
    this.entries = new Layered(base);
    if (!this.entries.has('/')) this.entries.set('/', { kind: 'dir', mode: 0o755, owner: 'root', mtime: now() });
  }

  /** What differs from the shared base, for a snapshot of the cluster (src/sim/snapshot.ts). */
  dump(): ReturnType<Layered['dump']> {
    return this.entries.dump();
  }

  load(dump: ReturnType<Layered['dump']>): void {
    this.entries.load(dump);
  }

  /** This node's own entries, to serve as the shared base layer of other nodes. */
  layer(): Map<string, SimEntry> {
    const out = new Map<string, SimEntry>();
    for (const k of this.entries.keys()) out.set(k, this.entries.get(k) as SimEntry);
    return out;
  }

  /** Read-only view of an entry; use mutable() to change one. */
  get(path: string): Readonly<SimEntry> | undefined {
    return this.entries.get(path);
  }

  /** The entry, for changing its mode, owner, attributes or time. */
  mutable(path: string): SimEntry | undefined {
    return this.entries.own(path);
  }

  exists(path: string): boolean {
    return this.entries.has(path);
  }

  isDir(path: string): boolean {
    return this.entries.get(path)?.kind === 'dir';
  }

  isFile(path: string): boolean {
    return this.entries.get(path)?.kind === 'file';
  }

  /** Creates the directory and its parents, as setup does (no permission checks). */
  mkdirp(path: string, owner: SimUser = 'root', mode = 0o755): void {
    if (path === '/' || this.entries.has(path)) return;
    this.mkdirp(dirname(path), owner === 'dcos' && !path.startsWith('/home/') ? 'root' : owner, 0o755);
    this.entries.set(path, { kind: 'dir', mode, owner, mtime: this.now() });
  }

  /** Puts a file in place, as setup does (no permission checks). */
  put(path: string, content: string | (() => string), options: Partial<Omit<SimFile, 'kind' | 'content'>> = {}): SimFile {
    this.mkdirp(dirname(path), path.startsWith('/home/dcos/') ? 'dcos' : 'root');
    const file: SimFile = {
      kind: 'file',
      content,
      mode: options.mode ?? 0o644,
      owner: options.owner ?? 'root',
      mtime: options.mtime ?? this.now(),
      ...(options.immutable ? { immutable: true } : {}),
      ...(options.program ? { program: options.program } : {}),
      ...(options.link ? { link: options.link } : {}),
    };
    this.entries.set(path, file);
    return file;
  }

  /** Runs `then` once, just after the first read of `path` (someone who acts once a file was read). */
  afterFirstRead(path: string, then: () => void): void {
    this.readHooks.set(path, then);
  }

  /** A file's content for its size (ls, stat): not a read, so no read hook runs. */
  peek(path: string): string {
    const entry = this.entries.get(path);
    if (!entry || entry.kind === 'dir') return '';
    return typeof entry.content === 'function' ? entry.content() : entry.content;
  }

  /** Reads a file as `user`; throws FsFailure as cat would report it. */
  read(path: string, user: SimUser): string {
    const entry = this.entries.get(path);
    if (!entry) throw new FsFailure(this.missingReason(path), path);
    if (entry.kind === 'dir') throw new FsFailure('Is a directory', path);
    if (user !== 'root' && entry.owner !== user && (entry.mode & 0o004) === 0) throw new FsFailure('Permission denied', path);
    if (user !== 'root' && !this.traversable(path)) throw new FsFailure('Permission denied', path);
    const hook = this.readHooks.get(path);
    if (hook) {
      this.readHooks.delete(path);
      setImmediate(hook);
    }
    return typeof entry.content === 'function' ? entry.content() : entry.content;
  }

  /** Writes (or appends to) a file as `user`. */
  write(path: string, content: string, user: SimUser, append = false, program?: string): void {
    const current = this.entries.get(path);
    const parent = this.entries.get(dirname(path));
    if (!parent) throw new FsFailure('No such file or directory', path);
    if (parent.kind !== 'dir') throw new FsFailure('Not a directory', path);
    if (current?.kind === 'dir') throw new FsFailure('Is a directory', path);
    const entry = current ? (this.entries.own(path) as SimFile) : undefined;
    if (entry?.immutable) throw new FsFailure('Operation not permitted', path);
    if (!userWritable(path, user, entry)) throw new FsFailure('Permission denied', path);
    if (entry && typeof entry.content === 'function') {
      // Kernel files (sysctl under /proc) take a write as a new value.
      const previous = entry.content;
      const value = append ? previous() + content : content;
      entry.content = value;
      entry.mtime = this.now();
      return;
    }
    if (entry) {
      entry.content = append ? (entry.content as string) + content : content;
      entry.mtime = this.now();
      if (program) entry.program = program;
      else if (!append) delete entry.program;
      return;
    }
    this.entries.set(path, { kind: 'file', content, mode: 0o644, owner: user, mtime: this.now(), ...(program ? { program } : {}) });
  }

  mkdir(path: string, user: SimUser, parents: boolean): void {
    if (this.entries.has(path)) {
      if (parents && this.isDir(path)) return;
      throw new FsFailure('File exists', path);
    }
    const parent = dirname(path);
    if (!this.entries.has(parent)) {
      if (!parents) throw new FsFailure('No such file or directory', path);
      this.mkdir(parent, user, true);
    }
    if (!userWritable(path, user, undefined)) throw new FsFailure('Permission denied', path);
    this.entries.set(path, { kind: 'dir', mode: 0o755, owner: user, mtime: this.now() });
  }

  remove(path: string, user: SimUser, recursive: boolean): void {
    const entry = this.entries.get(path);
    if (!entry) throw new FsFailure('No such file or directory', path);
    if (entry.kind === 'dir') {
      if (!recursive) throw new FsFailure('Is a directory', path);
      for (const child of this.list(path)) this.remove(`${path === '/' ? '' : path}/${child}`, user, true);
    }
    if (entry.kind === 'file' && entry.immutable) throw new FsFailure('Operation not permitted', path);
    if (!userWritable(dirname(path), user, this.entries.get(dirname(path)))) throw new FsFailure('Permission denied', path);
    this.entries.delete(path);
  }

  /** Names directly inside a directory, sorted as ls sorts them. */
  list(dir: string): string[] {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const names: string[] = [];
    for (const key of this.entries.keys()) {
      if (key !== dir && key.startsWith(prefix) && !key.slice(prefix.length).includes('/')) names.push(key.slice(prefix.length));
    }
    return names.sort((a, b) => a.replace(/^\./, '').localeCompare(b.replace(/^\./, '')));
  }

  /** Whether every directory on the way is open to an unprivileged user. */
  private traversable(path: string): boolean {
    let dir = dirname(path);
    while (dir !== '/') {
      const entry = this.entries.get(dir);
      if (entry && entry.owner === 'root' && (entry.mode & 0o001) === 0) return false;
      dir = dirname(dir);
    }
    return true;
  }

  private missingReason(path: string): FsError {
    let dir = dirname(path);
    while (dir !== '/') {
      const entry = this.entries.get(dir);
      if (entry?.kind === 'file') return 'Not a directory';
      dir = dirname(dir);
    }
    return 'No such file or directory';
  }
}
