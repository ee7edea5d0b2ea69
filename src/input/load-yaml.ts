// YAML with places. Every value keeps the line and column it was written at, so a problem
// found later (by validation, by the inventory loader) can point at it. Input is treated as
// hostile: sizes, depth, aliases and tags are bounded, and every failure is an InputError.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import * as jsYaml from 'js-yaml';
import { CORE_SCHEMA, YAMLException, loadAll, type LoadOptions, type State, type Type } from 'js-yaml';
import { InputError, type Problem } from './problem.js';

/** A place in a file, 1-based. */
export interface Place {
  line: number;
  column: number;
}

export type YamlPath = readonly (string | number)[];

export interface YamlDocument {
  file: string;
  text: string;
  value: unknown;
  /** Where the value at path starts; falls back to the nearest ancestor that has a place. */
  locate(path: YamlPath): Place;
  /** Where the key of the last path element is written (for "unknown key" errors). */
  locateKey(path: YamlPath): Place;
}

export interface YamlLimits {
  /** Largest file readYamlFile accepts, in bytes (default 4 MiB). */
  maxBytes?: number;
  /** Most values the document may hold once aliases are expanded (default 500,000). */
  maxValues?: number;
  /** Deepest nesting, in the text and once aliases are expanded (default 100). */
  maxDepth?: number;
}

export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_VALUES = 500_000;
export const DEFAULT_MAX_DEPTH = 100;

// YAML 1.2 core types (so `on`, `yes`, dates stay strings) plus merge keys (`<<: *defaults`),
// which authors use to share settings. No JavaScript types: js-yaml 4 has none, and tags such
// as !!js/function are unknown tags, refused with a place.
// (@types/js-yaml does not declare `types`; js-yaml 4 exports it.)
const { merge } = (jsYaml as unknown as { types: { merge: Type } }).types;
const SCHEMA = CORE_SCHEMA.extend({ implicit: [merge] });

/** A value Ansible Vault encrypted (`!vault |`): kept opaque, never decrypted or shown. */
export class VaultValue {
  toString(): string {
    return '<vault-encrypted>';
  }
}

// Ansible inventories may carry `!vault` (encrypted values) and `!unsafe` (text Jinja must not
// expand); an inventory that uses them is still an inventory, so those two tags are accepted there.
const ANSIBLE_SCHEMA = SCHEMA.extend([
  new jsYaml.Type('!vault', { kind: 'scalar', construct: () => new VaultValue() }),
  new jsYaml.Type('!unsafe', { kind: 'scalar', construct: (data: unknown) => (data === null ? '' : String(data)) }),
]);

/** Which tags beyond YAML's core a document may use. */
export type YamlDialect = 'runbook' | 'ansible';

// Control characters YAML 1.2 does not allow in a stream (js-yaml's list, less surrogates).
const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F]/;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** A path as authors read it: sections[2].steps[4].until */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** What a value is, in words, for messages such as "expected a mapping, found a list". */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

/** The document's top-level mapping, or an InputError saying what was found instead. */
export function expectMapping(doc: YamlDocument, what: string): Record<string, unknown> {
  const v = doc.value;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  const place = doc.locate([]);
  throw new InputError([
    {
      file: doc.file,
      line: place.line,
      column: place.column,
      message: `expected ${what} (a mapping of keys to values) at the top of the file, found ${describeValue(v)}`,
      severity: 'error',
    },
  ]);
}

// --- places -------------------------------------------------------------------------------

class LineIndex {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) this.starts.push(i + 1);
      else if (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a) this.starts.push(i + 1);
    }
  }
  place(offset: number): Place {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

/** One composeNode of js-yaml, as its listener reported it. */
interface RawNode {
  open: number;
  close: number;
  kind: string | null;
  tag: string | null;
  result: unknown;
  children: RawNode[];
}

/** The located tree that locate() walks. */
interface LocNode {
  place: Place;
  keyPlace?: Place;
  children?: Map<string | number, LocNode>;
}

class Failure {
  constructor(
    readonly message: string,
    readonly offset?: number,
  ) {}
}

function skipBlank(text: string, from: number, limit: number): number {
  let i = from;
  while (i < limit) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
    else if (c === 0x23 /* # */) {
      while (i < limit && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i++;
    } else break;
  }
  return i;
}

function isObject(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

// --- parsing ------------------------------------------------------------------------------

/** Parse one YAML document; throws InputError naming file and line:column. */
export function parseYaml(text: string, file: string, limits: YamlLimits = {}, dialect: YamlDialect = 'runbook'): YamlDocument {
  const maxValues = limits.maxValues ?? DEFAULT_MAX_VALUES;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = new LineIndex(text);
  const fail = (message: string, offset?: number): never => {
    const place = offset === undefined ? undefined : lines.place(Math.min(offset, text.length));
    throw new InputError([{ file, ...(place ?? {}), message, severity: 'error' }]);
  };

  // A linear scan: a regular expression for "only blanks and comments" backtracks exponentially
  // on a banner line of #####.
  if (skipBlank(text, 0, text.length) === text.length) fail('the file is empty: it holds no YAML, only blank lines or comments');
  const nul = text.indexOf('\0');
  if (nul !== -1) fail('the file contains a NUL byte; is it a binary file? Runbooks and inventories are UTF-8 text', nul);
  // js-yaml refuses these too, but at the end of the scalar, and not in comments. Raw control
  // characters also could reach a terminal through a title or an error message.
  const control = NON_PRINTABLE.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    fail(
      `the file contains the control character U+${code}, which YAML does not allow; inside double quotes write it as an escape such as \\x1b`,
      control.index,
    );
  }

  // Build a tree of nodes from the listener: 'open' and 'close' nest like the parser's calls.
  const roots: RawNode[] = [];
  const stack: RawNode[] = [];
  const listener = (event: 'open' | 'close', state: State): void => {
    if (event === 'open') {
      stack.push({ open: state.position, close: state.position, kind: null, tag: null, result: undefined, children: [] });
      return;
    }
    const node = stack.pop();
    if (!node) return;
    const s = state as State & { tag: string | null };
    node.close = state.position;
    node.kind = s.kind ?? null;
    node.tag = s.tag ?? null;
    node.result = state.result;
    (stack.at(-1)?.children ?? roots).push(node);
  };

  let documents: unknown[];
  try {
    documents = loadAll(text, null, { schema: dialect === 'ansible' ? ANSIBLE_SCHEMA : SCHEMA, listener, maxDepth } as LoadOptions);
  } catch (e) {
    if (e instanceof YAMLException) {
      const { message, offset } = explainYamlError(e, text, stack, maxDepth);
      fail(message, offset);
    }
    // js-yaml bounds its recursion by maxDepth; this is a second line of defence.
    if (e instanceof RangeError) fail(`the YAML is nested too deeply to read (more than ${maxDepth} levels)`);
    throw e;
  }

  if (documents.length > 1) {
    const second = roots[1];
    const at = second ? text.lastIndexOf('---', second.open) : -1;
    fail(
      'the file holds more than one YAML document (separated by ---); put one runbook or inventory in each file',
      at === -1 ? undefined : at,
    );
  }
  const value = documents[0] ?? null;
  const root = roots[0];

  // Objects as the parser built them, to name the place of one that breaks a limit.
  const placeOf = new Map<object, number>();
  const collect = (node: RawNode): void => {
    if (isObject(node.result) && (node.kind === 'mapping' || node.kind === 'sequence') && !placeOf.has(node.result)) {
      placeOf.set(node.result, skipBlank(text, node.open, node.close));
    }
    for (const c of node.children) collect(c);
  };
  if (root) collect(root);

  try {
    checkExpansion(value, maxValues, maxDepth);
  } catch (e) {
    if (e instanceof ExpansionFailure) fail(e.message, placeOf.get(e.at));
    throw e;
  }

  let loc: LocNode;
  try {
    loc = root ? locateTree(root, text, lines) : { place: { line: 1, column: 1 } };
  } catch (e) {
    if (e instanceof Failure) fail(e.message, e.offset);
    throw e;
  }

  const walk = (path: YamlPath): { node: LocNode; complete: boolean } => {
    let node = loc;
    for (const part of path) {
      const next = node.children?.get(part);
      if (!next) return { node, complete: false };
      node = next;
    }
    return { node, complete: true };
  };
  return {
    file,
    text,
    value,
    locate: (path) => walk(path).node.place,
    locateKey: (path) => {
      const { node, complete } = walk(path);
      return complete ? (node.keyPlace ?? node.place) : node.place;
    },
  };
}

class ExpansionFailure {
  constructor(
    readonly message: string,
    readonly at: object,
  ) {}
}

// js-yaml shares one object for every alias of an anchor, so ten aliases of ten aliases of ...
// stay small in memory but explode for anything that walks the value (validation, JSON, a
// journal). Count the values as a walk would see them, once per object (memoized), without
// recursion, and refuse cycles (an alias inside the node it names).
function checkExpansion(value: unknown, maxValues: number, maxDepth: number): void {
  if (!isObject(value)) return;
  const size = new Map<object, number>();
  const depth = new Map<object, number>();
  const visiting = new Set<object>();
  const children = (o: object): unknown[] => (Array.isArray(o) ? o : Object.values(o));
  const work: { obj: object; exit: boolean }[] = [{ obj: value, exit: false }];
  while (work.length > 0) {
    const { obj, exit } = work.pop()!;
    if (exit) {
      let n = 1;
      let d = 1;
      for (const c of children(obj)) {
        if (isObject(c)) {
          n += size.get(c) ?? 0;
          d = Math.max(d, 1 + (depth.get(c) ?? 0));
        } else n += 1;
      }
      visiting.delete(obj);
      size.set(obj, n);
      depth.set(obj, d);
      if (n > maxValues) {
        throw new ExpansionFailure(
          `the document expands to more than ${maxValues} values through its aliases (*name); refusing it (is it an alias bomb?)`,
          obj,
        );
      }
      if (d > maxDepth) {
        throw new ExpansionFailure(`the document is nested more than ${maxDepth} levels deep once its aliases (*name) are expanded`, obj);
      }
      continue;
    }
    if (size.has(obj)) continue;
    visiting.add(obj);
    work.push({ obj, exit: true });
    for (const c of children(obj)) {
      if (!isObject(c) || size.has(c)) continue;
      if (visiting.has(c)) {
        throw new ExpansionFailure('an alias (*name) refers to a node that contains it; recursive YAML is refused', obj);
      }
      work.push({ obj: c, exit: false });
    }
  }
}

// Pair the listener's nodes with the keys and items they produced.
function locateTree(rawRoot: RawNode, text: string, lines: LineIndex): LocNode {
  const startOf = (n: RawNode): number => skipBlank(text, n.open, n.close);
  const isEmpty = (n: RawNode): boolean => n.result === null && startOf(n) >= n.close;

  const build = (raw: RawNode, keyPlace?: Place): LocNode => {
    // A block sequence item or a mapping's first key can wrap the node that read it.
    while (raw.children.length === 1 && raw.children[0] && Object.is(raw.children[0].result, raw.result) && isObject(raw.result)) {
      raw = raw.children[0];
    }
    const place = isEmpty(raw) && keyPlace ? keyPlace : lines.place(startOf(raw));
    const node: LocNode = keyPlace ? { place, keyPlace } : { place };
    if (raw.kind === 'mapping' && isObject(raw.result) && !Array.isArray(raw.result)) {
      node.children = mappingChildren(raw);
    } else if (raw.kind === 'sequence' && Array.isArray(raw.result)) {
      node.children = sequenceChildren(raw, raw.result);
    }
    return node;
  };

  const mappingChildren = (raw: RawNode): Map<string | number, LocNode> => {
    const out = new Map<string | number, LocNode>();
    const kids = raw.children;
    for (let i = 0; i < kids.length; i++) {
      const key = kids[i]!;
      const next = kids[i + 1];
      // A value follows its key after a ':' (and blanks or comments); a key alone is followed
      // by ',' or the next line.
      const hasValue = next !== undefined && /^\s*:\s*$/.test(text.slice(key.close, next.open).replace(/#[^\n\r]*/g, ''));
      // The parser tries to read a key where a mapping may go on; when nothing is there
      // (the end, or a `...`), that attempt leaves an empty node behind.
      if (!hasValue && isEmpty(key)) continue;
      const keyStart = startOf(key);
      const keyPlace = lines.place(keyStart);
      if (key.tag !== 'tag:yaml.org,2002:merge') {
        if (typeof key.result !== 'string') {
          const found = isObject(key.result)
            ? 'a list or mapping'
            : key.result === null
              ? 'null'
              : `the ${typeof key.result} ${String(key.result)}`;
          throw new Failure(`keys must be strings, found ${found}; quote the key if it is meant as text`, keyStart);
        }
        if (key.result === '__proto__') throw new Failure('the key "__proto__" is not allowed', keyStart);
        out.set(key.result, next && hasValue ? build(next, keyPlace) : { place: keyPlace, keyPlace });
      }
      if (hasValue) i++;
    }
    return out;
  };

  const sequenceChildren = (raw: RawNode, items: unknown[]): Map<string | number, LocNode> => {
    const out = new Map<string | number, LocNode>();
    const kids = raw.children;
    // Usually one child per item; an empty item (`-` alone) has none, so match in order.
    let j = 0;
    for (let i = 0; i < items.length && j < kids.length; i++) {
      const kid = kids[j]!;
      if (Object.is(kid.result, items[i])) {
        out.set(i, build(kid));
        j++;
      }
    }
    return out;
  };

  return build(rawRoot);
}

function explainYamlError(
  e: YAMLException,
  text: string,
  open: readonly RawNode[],
  maxDepth: number,
): { message: string; offset: number | undefined } {
  const reason = e.reason ?? 'the YAML cannot be read';
  const mark = (e as YAMLException & { mark?: { position?: number } }).mark;
  const offset = mark?.position;
  const innermost = open.at(-1);
  const nodeStart = innermost ? skipBlank(text, innermost.open, text.length) : offset;

  const tag = /^unknown tag !<(.*)>$/.exec(reason);
  if (tag) {
    const name = (tag[1] ?? '').replace(/^tag:yaml\.org,2002:/, '!!');
    return {
      message: `the YAML tag ${name} is not supported; runbook files hold plain data (strings, numbers, booleans, lists, mappings), and tags that build JavaScript values are refused`,
      offset: nodeStart,
    };
  }
  if (reason === 'duplicated mapping key') {
    const key = offset === undefined ? undefined : keyAt(text, offset);
    return {
      message:
        key === undefined ? 'a key appears twice in the same mapping' : `duplicate key "${key}": it appears earlier in the same mapping`,
      offset,
    };
  }
  if (reason === 'tab characters must not be used in indentation') {
    return { message: 'a tab is used for indentation; YAML indents with spaces only', offset };
  }
  if (reason.startsWith('nesting exceeded maxDepth')) {
    return { message: `the YAML is nested more than ${maxDepth} levels deep; refusing it`, offset };
  }
  const alias = /^unidentified alias "(.*)"$/.exec(reason);
  if (alias) return { message: `the alias *${alias[1]} names no anchor &${alias[1]} defined before it`, offset };
  if (reason === 'null byte is not allowed in input') {
    return { message: 'the file contains a NUL byte; is it a binary file? Runbooks and inventories are UTF-8 text', offset };
  }
  if (reason.startsWith('merge keys exceeded') || reason === 'abnormal merge sequence size') {
    return { message: `too many merge keys (<<); refusing the document (${reason})`, offset };
  }
  return { message: `invalid YAML: ${reason}`, offset };
}

/** The key written at offset, for "duplicate key" messages. */
function keyAt(text: string, offset: number): string | undefined {
  const rest = text.slice(offset, offset + 200);
  const quoted = /^(["'])((?:(?!\1)[^\n\r])*)\1/.exec(rest);
  if (quoted) return quoted[2];
  const plain = /^([^\n\r:#]*?)\s*:(\s|$)/.exec(rest);
  return plain?.[1] || undefined;
}

// --- files --------------------------------------------------------------------------------

/** Read and parse a YAML file; throws InputError naming the file (and line:column). `what` names the kind of file in messages. */
export async function readYamlFile(file: string, limits: YamlLimits = {}, what = 'a YAML file'): Promise<YamlDocument> {
  return parseYaml(await readTextFile(file, what, limits.maxBytes ?? DEFAULT_MAX_BYTES), file, limits);
}

/**
 * The text of a file a person gave us (a runbook, an inventory, an ssh config), read as hostile:
 * bounded in size, a regular file only (a FIFO must not make us wait), UTF-8 text only; without a
 * byte order mark. Every failure is an InputError naming the file; `what` names its kind
 * ("an inventory").
 */
export async function readTextFile(file: string, what: string, maxBytes = DEFAULT_MAX_BYTES): Promise<string> {
  const fail = (message: string, place?: Place): never => {
    const p: Problem = { file, ...(place ?? {}), message, severity: 'error' };
    throw new InputError([p]);
  };

  let handle;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below as not a file.
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return fail(describeFsError(e, what));
  }
  let bytes: Buffer;
  try {
    const info = await handle.stat();
    if (info.isDirectory()) fail(`is a directory, not ${what}`);
    if (!info.isFile()) fail(`is not a regular file (a device, a pipe or a socket); give the path of ${what}`);
    if (info.size > maxBytes) {
      fail(`is ${formatBytes(info.size)}; files larger than ${formatBytes(maxBytes)} are refused (${what} is far smaller)`);
    }
    // Read at most one byte past the limit, in case the file grew after stat.
    const buffer = Buffer.alloc(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > maxBytes) fail(`is larger than ${formatBytes(maxBytes)}; files that large are refused`);
    bytes = buffer.subarray(0, length);
  } catch (e) {
    if (e instanceof InputError) throw e;
    return fail(describeFsError(e, what));
  } finally {
    await handle.close().catch(() => undefined);
  }

  const text = decodeUtf8(bytes, file, what);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function describeFsError(e: unknown, what: string): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'EISDIR':
      return `is a directory, not ${what}`;
    case 'ENOTDIR':
      return 'no such file (a part of the path is not a directory)';
    case 'ELOOP':
      return 'cannot be read: too many symbolic links';
    default:
      return `cannot be read: ${(e as Error | undefined)?.message ?? String(e)}`;
  }
}

function formatBytes(n: number): string {
  const one = (x: number): string => x.toFixed(1).replace(/\.0$/, '');
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${one(n / 1024)} KB`;
  return `${one(n / (1024 * 1024))} MB`;
}

/** UTF-8 text, or an InputError naming where the bytes stop being text. */
function decodeUtf8(bytes: Buffer, file: string, what: string): string {
  const fail = (message: string, at: number): never => {
    const before = bytes.subarray(0, at).toString('utf8');
    const line = before.split(/\r\n|\r|\n/).length;
    const column = before.length - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
    throw new InputError([{ file, line, column, message, severity: 'error' }]);
  };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    fail('the file is UTF-16 text; save it as UTF-8', 0);
  }
  const nul = bytes.indexOf(0);
  const kind = `${what.charAt(0).toUpperCase()}${what.slice(1)}`;
  if (nul !== -1) fail(`the file contains a NUL byte; is it a binary file? ${kind} must be UTF-8 text`, nul);
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1)
    fail(
      `the file is not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at offset ${bad}); is it a binary file? Save it as UTF-8`,
      bad,
    );
  return bytes.toString('utf8');
}

/** The offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [n, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [n, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [n, min] = [3, 0x10000];
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}
