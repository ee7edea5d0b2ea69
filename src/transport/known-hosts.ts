// known_hosts, read the way OpenSSH reads it: host patterns with `*`, `?` and `!`, hashed names
// (`|1|salt|hash`), `[host]:port` for ports other than 22, `@revoked` and `@cert-authority`
// markers, several keys per host. ssh2 trusts any host key unless it is given a verifier; this is
// what the SSH transport verifies with.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { matchPattern } from '../inventory/ssh-config.js';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** The file it came from, or a label such as "the simulator's known hosts". */
  source: string;
  /** 1-based line number. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written (patterns, or a hashed name). */
  hosts: string;
  /** The key type inside the key blob, e.g. ssh-ed25519. */
  keyType: string;
  key: Buffer;
}

/** How a presented host key compares with what is known. */
export type HostKeyCheck =
  | { status: 'trusted'; entry: KnownHostEntry }
  | { status: 'unknown' }
  /** Only `@cert-authority` lines name this host: it would need a certificate, which we cannot check. */
  | { status: 'cert-authority'; entry: KnownHostEntry }
  /** Keys are known for this host and the presented one is none of them. */
  | { status: 'changed'; known: KnownHostEntry[]; sameType: boolean }
  | { status: 'revoked'; entry: KnownHostEntry };

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise; an alias is used as is. */
export function knownHostsName(host: string, port: number, hostKeyAlias?: string): string {
  if (hostKeyAlias) return hostKeyAlias.toLowerCase();
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** OpenSSH's fingerprint form: SHA256: then unpadded base64. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The type name at the start of an SSH public key blob (an SSH string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const len = blob.readUInt32BE(0);
  if (len > 64 || 4 + len > blob.length) return '';
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** ED25519, RSA, ECDSA...: how ssh-keygen -l names a key type. */
export function keyTypeLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519';
  if (keyType === 'ssh-rsa') return 'RSA';
  if (keyType.startsWith('ecdsa-sha2-')) return 'ECDSA';
  if (keyType === 'ssh-dss') return 'DSA';
  if (keyType.startsWith('sk-ssh-ed25519')) return 'ED25519-SK';
  if (keyType.startsWith('sk-ecdsa')) return 'ECDSA-SK';
  return keyType;
}

/** Parses a known_hosts text; lines it cannot use are skipped, as OpenSSH skips them. */
export function parseKnownHosts(text: string, source: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw || raw.startsWith('#')) continue;
    const fields = raw.split(/[ \t]+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue;
    }
    const [hosts, type, b64] = fields;
    if (!hosts || !type || !b64 || !/^[A-Za-z0-9+/]+=*$/.test(b64)) continue;
    const key = Buffer.from(b64, 'base64');
    const keyType = keyTypeOf(key);
    if (!keyType || keyType !== type) continue;
    entries.push({ source, line: i + 1, ...(marker ? { marker } : {}), hosts, keyType, key });
  }
  return entries;
}

/** `*` and `?` wildcards, case-insensitive, whole string: OpenSSH's match_pattern, as ssh_config uses it. */
const wildcard = (pattern: string, name: string): boolean => matchPattern(name, pattern.toLowerCase());

/** Whether a host field names `name` (already in known_hosts form, lower case). */
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const want = Buffer.from(hash, 'base64');
    const got = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    return want.length === got.length && timingSafeEqual(want, got);
  }
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern.startsWith('!')) {
      // A negated match rules the line out, whatever else matches.
      if (wildcard(pattern.slice(1), name)) return false;
    } else if (wildcard(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** Compares a presented key with the entries that name `name`. */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyCheck {
  const keyType = keyTypeOf(key);
  const forHost = entriesNaming(entries, name);
  // A revoked key is refused for every host, whatever its line's host field says.
  const revoked = indexOf(entries).revoked.find((e) => e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === undefined);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { status: 'trusted', entry: same };
  const sameType = plain.filter((e) => e.keyType === keyType);
  if (sameType.length) return { status: 'changed', known: sameType, sameType: true };
  if (plain.length) return { status: 'changed', known: plain, sameType: false };
  const ca = forHost.find((e) => e.marker === 'cert-authority');
  if (ca) return { status: 'cert-authority', entry: ca };
  return { status: 'unknown' };
}

/** The key types known for `name`, so the client can ask the server for one of those first. */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types: string[] = [];
  for (const e of entriesNaming(entries, name)) if (e.marker === undefined && !types.includes(e.keyType)) types.push(e.keyType);
  return types;
}

/**
 * The lines of a list, by the plain names they hold; lines with a hashed name, a wildcard or a
 * negation are tried one by one. A cluster of 2,000 nodes has 2,000 lines and checks 2,000
 * connections: looking each up instead of trying every line is what keeps that linear.
 */
interface KnownHostsIndex {
  /** Positions in the list of the lines naming each plain name, in order. */
  byName: Map<string, number[]>;
  /** Positions of the lines that must be tried against any name. */
  tried: number[];
  revoked: KnownHostEntry[];
}

const indexes = new WeakMap<readonly KnownHostEntry[], KnownHostsIndex>();

function indexOf(entries: readonly KnownHostEntry[]): KnownHostsIndex {
  let index = indexes.get(entries);
  if (index) return index;
  index = { byName: new Map(), tried: [], revoked: [] };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.marker === 'revoked') index.revoked.push(e);
    if (e.hosts.startsWith('|') || /[*?!]/.test(e.hosts)) {
      index.tried.push(i);
      continue;
    }
    for (const name of new Set(e.hosts.toLowerCase().split(','))) {
      const at = index.byName.get(name);
      if (at) at.push(i);
      else index.byName.set(name, [i]);
    }
  }
  indexes.set(entries, index);
  return index;
}

/** The lines whose host field names `name`, in the list's order. */
function entriesNaming(entries: readonly KnownHostEntry[], name: string): KnownHostEntry[] {
  const { byName, tried } = indexOf(entries);
  const named = byName.get(name) ?? [];
  const out: KnownHostEntry[] = [];
  // Two ordered lists of positions, merged; every candidate is still matched the long way.
  for (let a = 0, b = 0; a < named.length || b < tried.length;) {
    const i = b >= tried.length || (a < named.length && named[a]! < tried[b]!) ? named[a++]! : tried[b++]!;
    const e = entries[i]!;
    if (hostsFieldMatches(e.hosts, name)) out.push(e);
  }
  return out;
}

// The host key algorithms ssh2 offers by default, in its order.
const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * Host key algorithms with those of the known key types first, as OpenSSH orders them: a server
 * that has the known key then shows that one, and any other key means the known one is gone.
 */
export function hostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const first: string[] = [];
  for (const t of knownTypes) {
    const algos = t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t];
    for (const a of algos) if (DEFAULT_HOST_KEY_ALGORITHMS.includes(a) && !first.includes(a)) first.push(a);
  }
  return [...first, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

/** Reads known_hosts files (a missing one is simply empty), caching each until it changes. */
/** What a file that cannot be read holds: always the same list, so that an answer can be reused. */
const NO_ENTRIES: KnownHostEntry[] = [];

export class KnownHostsStore {
  private cache = new Map<string, { mtimeMs: number; size: number; entries: KnownHostEntry[] }>();
  private readonly extra: KnownHostEntry[];
  private appending: Promise<void> = Promise.resolve();
  /** The look at the files under way, shared by everyone who asks meanwhile; `generation` as it began. */
  private looking: { entries: Promise<KnownHostEntry[]>; generation: number } | undefined;
  /** Bumped by every key we add: a look begun before it may miss the key. */
  private generation = 0;
  /** The last answer and the per-file lists it was made of: unchanged files give the same list back. */
  private last: { parts: KnownHostEntry[][]; all: KnownHostEntry[] } | undefined;

  constructor(
    readonly files: readonly string[],
    extraLines: readonly string[] = [],
    extraSource = 'the known hosts supplied with the inventory',
  ) {
    this.extra = parseKnownHosts(extraLines.join('\n'), extraSource);
  }

  /**
   * Every entry of the files (read again when one changed) and the supplied lines. Connections
   * opened together (a pre-flight of hundreds) share one look at the files instead of each
   * making its own, and get the same list back while nothing changed, not a new copy each.
   */
  entries(): Promise<KnownHostEntry[]> {
    const current = this.looking;
    if (current && current.generation === this.generation) return current.entries;
    const look = { entries: this.readAll(), generation: this.generation };
    this.looking = look;
    const done = (): void => {
      if (this.looking === look) this.looking = undefined;
    };
    look.entries.then(done, done);
    return look.entries;
  }

  private async readAll(): Promise<KnownHostEntry[]> {
    const parts: KnownHostEntry[][] = [];
    for (const file of this.files) parts.push(await this.read(file));
    const last = this.last;
    if (last && parts.every((p, i) => p === last.parts[i])) return last.all;
    const all = [...parts.flat(), ...this.extra];
    this.last = { parts, all };
    return all;
  }

  private async read(file: string): Promise<KnownHostEntry[]> {
    let st;
    try {
      st = await stat(file);
    } catch {
      return NO_ENTRIES;
    }
    const cached = this.cache.get(file);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return cached.entries;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return [];
    }
    const entries = parseKnownHosts(text, file);
    this.cache.set(file, { mtimeMs: st.mtimeMs, size: st.size, entries });
    return entries;
  }

  /** Appends `name keytype base64` to the first file, as `ssh -o StrictHostKeyChecking=accept-new` does. */
  async add(name: string, key: Buffer): Promise<string> {
    const file = this.firstFile();
    await this.locked(() => this.append(file, name, key));
    return file;
  }

  /**
   * accept-new for one connection: adds the key only if the host is still unknown. The check and
   * the write happen under one lock, so connections that meet a new host at the same moment
   * cannot each write their own key: the first key wins and a different one is a change.
   */
  async addIfUnknown(name: string, key: Buffer): Promise<{ added: true; file: string } | { added: false; check: HostKeyCheck }> {
    const file = this.firstFile();
    return this.locked(async () => {
      const check = checkHostKey(await this.entries(), name, key);
      if (check.status !== 'unknown') return { added: false, check };
      await this.append(file, name, key);
      return { added: true, file };
    });
  }

  private firstFile(): string {
    const file = this.files[0];
    if (!file) throw new Error('no known_hosts file to add the key to');
    return file;
  }

  /** Runs writes one after another. */
  private locked<T>(work: () => Promise<T>): Promise<T> {
    const next = this.appending.then(work);
    this.appending = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  private async append(file: string, name: string, key: Buffer): Promise<void> {
    const line = `${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    let prefix = '';
    try {
      const text = await readFile(file, 'utf8');
      if (text.length && !text.endsWith('\n')) prefix = '\n';
    } catch {
      // A new file.
    }
    await appendFile(file, prefix + line, { mode: 0o644 });
    this.cache.delete(file);
    this.generation++;
  }
}
