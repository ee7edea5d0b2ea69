// ~/.ssh/config, read the way OpenSSH reads it, for the few keys a node needs: HostName, User,
// Port, IdentityFile, ProxyJump (or a relaying ProxyCommand) and HostKeyAlias. For each key the
// first value that applies wins; Host takes patterns with * ? and !negation; Include takes
// globs (relative to ~/.ssh) and may sit inside a Host block; Match blocks are not evaluated.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError, type Problem } from '../input/problem.js';
import { problemAt, type Located, type Where } from './draft.js';
import { readTextFile } from '../input/load-yaml.js';
import { splitWords } from './ssh-args.js';

/** The keys we read, lower case as OpenSSH compares them. */
const KEYS = ['hostname', 'user', 'port', 'identityfile', 'proxyjump', 'proxycommand', 'hostkeyalias'] as const;
type Key = (typeof KEYS)[number];

type Entry =
  | { kind: 'host'; patterns: string[]; at: Where }
  | { kind: 'match'; at: Where }
  | { kind: 'include'; files: ParsedFile[]; at: Where }
  | { kind: 'option'; key: Key; name: string; value: string; at: Where };

interface ParsedFile {
  file: string;
  entries: Entry[];
}

/** What the config says about one host; values are raw (tokens such as %h not expanded yet). */
export interface SshHostConfig {
  hostName?: Located<string>;
  user?: Located<string>;
  port?: Located<string>;
  identityFile?: Located<string>;
  /** ProxyJump, or a ProxyCommand (key tells which); "none" turns a jump off. */
  proxy?: Located<string>;
  hostKeyAlias?: Located<string>;
}

/** OpenSSH's limit on nested Include (READCONF_MAX_DEPTH). */
const MAX_DEPTH = 16;
const MAX_FILES = 256;

export interface SshConfigOptions {
  /** The home directory: ~ and relative Include paths (~/.ssh/...) are taken from it. */
  home: string;
}

export class SshConfig {
  private constructor(
    readonly file: string,
    private readonly root: ParsedFile,
    /** Problems found while reading (syntax, Match blocks skipped). */
    readonly problems: Problem[],
  ) {}

  /** Reads a config file and what it includes. A missing file is an InputError (check first). */
  static async load(file: string, options: SshConfigOptions): Promise<SshConfig> {
    const problems: Problem[] = [];
    const budget = { files: 0 };
    const root = await parseFile(file, options, problems, 0, budget);
    if (!root) throw new InputError(problems);
    return new SshConfig(file, root, problems);
  }

  /** Parses text directly (for tests and tools); Include still reads files. */
  static async fromText(text: string, file: string, options: SshConfigOptions): Promise<SshConfig> {
    const problems: Problem[] = [];
    const root = await parseText(text, file, options, problems, 0, { files: 1 });
    return new SshConfig(file, root, problems);
  }

  /** The settings for a host as `ssh HOST` would see them: first value wins per key. */
  lookup(host: string): SshHostConfig {
    const out: SshHostConfig = {};
    const name = host.toLowerCase(); // ssh lowercases the host before matching Host lines
    const state = { active: true };
    const set = (e: Extract<Entry, { kind: 'option' }>): void => {
      const value: Located<string> = { value: e.value, at: e.at, key: e.name };
      switch (e.key) {
        case 'hostname':
          out.hostName ??= value;
          break;
        case 'user':
          out.user ??= value;
          break;
        case 'port':
          out.port ??= value;
          break;
        case 'identityfile':
          out.identityFile ??= value;
          break;
        case 'proxyjump':
        case 'proxycommand':
          out.proxy ??= value; // ssh keeps whichever of the two comes first
          break;
        case 'hostkeyalias':
          out.hostKeyAlias ??= value;
          break;
      }
    };
    const walk = (entries: Entry[], neverMatch: boolean): void => {
      for (const e of entries) {
        if (e.kind === 'host') state.active = !neverMatch && matchHost(name, e.patterns);
        else if (e.kind === 'match') state.active = false;
        else if (e.kind === 'include') {
          // As OpenSSH: an Include in a block that does not apply includes nothing that applies,
          // and the block's state is restored after it.
          const before = state.active;
          for (const f of e.files) walk(f.entries, neverMatch || !before);
          state.active = before;
        } else if (state.active) set(e);
      }
    };
    walk(this.root.entries, false);
    return out;
  }
}

/** Does one Host line apply? A negated pattern that matches rules it out. */
export function matchHost(host: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (matchPattern(host, pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** OpenSSH's match_pattern: * any run of characters, ? one character, everything else literal. */
export function matchPattern(text: string, pattern: string): boolean {
  // Iterative wildcard match with one backtrack point: linear enough for hostile patterns.
  let t = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      t++;
      p++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

async function parseFile(
  file: string,
  options: SshConfigOptions,
  problems: Problem[],
  depth: number,
  budget: { files: number },
): Promise<ParsedFile | undefined> {
  budget.files++;
  let text: string;
  try {
    text = await readTextFile(file, 'an ssh config', 1024 * 1024);
  } catch (error) {
    if (error instanceof InputError) problems.push(...error.problems);
    else throw error;
    return undefined;
  }
  return parseText(text, file, options, problems, depth, budget);
}

async function parseText(
  text: string,
  file: string,
  options: SshConfigOptions,
  problems: Problem[],
  depth: number,
  budget: { files: number },
): Promise<ParsedFile> {
  const entries: Entry[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const start = line.search(/\S/);
    if (start === -1 || line[start] === '#') continue;
    // Keyword, then whitespace and/or one "=", then the arguments.
    const m = /^([A-Za-z][A-Za-z0-9]*)(\s*=\s*|\s+|$)/.exec(line.slice(start));
    const at: Where = { file, line: index + 1, column: start + 1 };
    if (!m) {
      problems.push(problemAt(at, 'expected "Keyword value" (e.g. "HostName 10.0.0.1")'));
      continue;
    }
    const name = m[1]!;
    const keyword = name.toLowerCase();
    const rest = line.slice(start + m[0].length);
    const restColumn = start + m[0].length + 1;
    if (keyword === 'proxycommand') {
      // ssh passes the rest of the line to the shell as written.
      const value = rest.trim();
      if (value === '') problems.push(problemAt(at, `${name} needs a value`));
      else entries.push({ kind: 'option', key: keyword, name, value, at });
      continue;
    }
    const { words, error } = splitWords(rest, true);
    if (error) {
      problems.push(problemAt(at, `${name}: ${error}`));
      continue;
    }
    const args = words.map((w) => w.text);
    if (keyword === 'host') {
      if (args.length === 0) problems.push(problemAt(at, 'Host needs at least one pattern'));
      else entries.push({ kind: 'host', patterns: args, at });
    } else if (keyword === 'match') {
      problems.push(
        problemAt(
          at,
          'Match blocks are not evaluated: the settings in this block are ignored for every node (use Host blocks for inventory nodes)',
          'warning',
        ),
      );
      entries.push({ kind: 'match', at });
    } else if (keyword === 'include') {
      if (args.length === 0) {
        problems.push(problemAt(at, 'Include needs a file name or pattern'));
        continue;
      }
      if (depth + 1 > MAX_DEPTH) {
        problems.push(problemAt(at, `Include is nested more than ${MAX_DEPTH} files deep; does a file include itself?`));
        continue;
      }
      const files: ParsedFile[] = [];
      for (const word of words) {
        for (const found of await glob(includePath(word.text, options.home))) {
          if (budget.files >= MAX_FILES) {
            problems.push(
              problemAt({ ...at, column: restColumn + word.offset }, `Include reaches more than ${MAX_FILES} files; refusing the rest`),
            );
            break;
          }
          const parsed = await parseFile(found, options, problems, depth + 1, budget);
          if (parsed) files.push(parsed);
        }
      }
      entries.push({ kind: 'include', files, at });
    } else if ((KEYS as readonly string[]).includes(keyword)) {
      if (args.length === 0) {
        problems.push(problemAt(at, `${name} needs a value`));
        continue;
      }
      // ProxyJump hops are one comma-separated argument; every key we read takes one argument.
      entries.push({ kind: 'option', key: keyword as Key, name, value: args[0]!, at });
    }
  }
  return { file, entries };
}

/** Include paths: ~ is home; relative ones are relative to ~/.ssh, as for the user's config. */
function includePath(arg: string, home: string): string {
  if (arg === '~' || arg.startsWith('~/')) return path.join(home, arg.slice(1));
  if (path.isAbsolute(arg)) return arg;
  return path.join(home, '.ssh', arg);
}

const WILD = /[*?[]/;

/** Files matching a glob(3)-style absolute pattern, sorted; no match is no file (as ssh). */
export async function glob(pattern: string): Promise<string[]> {
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let current = [parts[0] === '' ? '/' : parts[0]!];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const dir of current) {
      if (!WILD.test(part)) {
        next.push(path.join(dir, part));
        continue;
      }
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      const re = globRegExp(part);
      for (const n of names.sort()) if (re.test(n)) next.push(path.join(dir, n));
    }
    current = next;
    if (current.length === 0) return [];
  }
  const files: string[] = [];
  for (const f of current) {
    const info = await stat(f).catch(() => undefined);
    if (info?.isFile()) files.push(f);
  }
  return files;
}

/** One path segment of a glob as a regular expression; like glob(3), * skips dotfiles. */
function globRegExp(segment: string): RegExp {
  let out = segment.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) out += '\\[';
      else {
        let body = segment.slice(i + 1, end);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

/**
 * Values of the tokens ssh expands: %h host, %p port, %r remote user, %n original name, %d home,
 * %u local user, %i local uid, %l local host name, %L its first label, %k host key alias.
 */
export type Tokens = Partial<Record<'h' | 'p' | 'r' | 'n' | 'd' | 'u' | 'i' | 'l' | 'L' | 'k', string>>;

/**
 * Expands %-tokens as OpenSSH does for a key that accepts them. `allowed` lists the letters
 * this key accepts; any other is an error, as in ssh.
 */
export function expandTokens(value: string, tokens: Tokens, allowed: string): string | { problem: string } {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const t = value[++i];
    if (t === '%') out += '%';
    else if (t !== undefined && allowed.includes(t) && tokens[t as keyof Tokens] !== undefined) out += tokens[t as keyof Tokens];
    else return { problem: t === undefined ? 'ends with a lone %' : `the token %${t} is not supported here (use %% for a literal %)` };
  }
  return out;
}

/** ~ and ~/ at the start of a path, as ssh expands them. */
export const expandTilde = (file: string, home: string): string =>
  file === '~' || file.startsWith('~/') ? path.join(home, file.slice(1)) : file;
