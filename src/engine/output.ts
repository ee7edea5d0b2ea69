// Output lines do not go through the reducer (there are too many): the runner keeps the last
// lines of each node here, bounded in count and in bytes, and the journal gets a digest per step
// instead. A node that prints gigabytes, with or without newlines, costs a bounded amount.
import { createHash, type Hash } from 'node:crypto';
import { DEFAULT_MAX_SHOWN_LINE_CHARS, headOf } from '../transport/sanitize.js';
import type { OutputLine } from '../transport/types.js';
import type { OutputDigest } from './events.js';

/** A line of a node's output, with the step it came from. */
export interface StoredLine extends OutputLine {
  /** The task key: `${section}/${step}@${node}` (a troubleshooting command: `troubleshoot:<id>@${node}`). */
  task: string;
  /** Which attempt of the step printed it (see Attempt in state.ts); absent for troubleshooting commands. */
  attempt?: number;
}

export const DEFAULT_LINES_PER_NODE = 2000;
/** What the kept lines of one node may take, counting two bytes a character (UTF-16, V8's widest). */
export const DEFAULT_BYTES_PER_NODE = 2 * 1024 * 1024;

/** The memory a line's text takes at most: V8 keeps a string in one or two bytes a character. */
export const lineBytes = (line: { text: string; segments?: readonly { text: string }[] }): number =>
  2 * line.text.length * (line.segments ? 2 : 1);

export interface LineRingOptions<T> {
  /** The most bytes the kept items may take (by `sizeOf`); the oldest go first. The newest is always kept. */
  maxBytes?: number;
  sizeOf?: (item: T) => number;
}

/**
 * A bounded list of lines: the oldest go when it is full, in count or in bytes. Memory stays the
 * same whatever passes through (a journalctl -f that runs all night, a node printing gigabytes).
 */
export class LineRing<T> {
  private items: T[] = [];
  private sizes: number[] = [];
  private start = 0;
  private bytesKept = 0;
  private readonly maxBytes: number;
  private readonly sizeOf: ((item: T) => number) | undefined;
  /** Lines that went through, kept or not. */
  total = 0;

  constructor(
    readonly limit: number,
    options: LineRingOptions<T> = {},
  ) {
    if (!(limit >= 1)) throw new TypeError(`LineRing limit must be at least 1, got ${limit}`);
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
    this.sizeOf = options.sizeOf;
  }

  get length(): number {
    return this.items.length - this.start;
  }

  /** What the kept items take, by `sizeOf` (0 without it). */
  get bytes(): number {
    return this.bytesKept;
  }

  push(item: T): void {
    this.total += 1;
    const size = this.sizeOf ? this.sizeOf(item) : 0;
    this.items.push(item);
    this.sizes.push(size);
    this.bytesKept += size;
    while (this.length > this.limit || (this.bytesKept > this.maxBytes && this.length > 1)) {
      this.bytesKept -= this.sizes[this.start]!;
      this.start++;
    }
    // Drop what was let go of once it is half the array: amortised constant time a push.
    if (this.start > 64 && this.start * 2 > this.items.length) {
      this.items = this.items.slice(this.start);
      this.sizes = this.sizes.slice(this.start);
      this.start = 0;
    }
  }

  /** Lines `from` to `to` (exclusive), oldest first, counting from the oldest kept. */
  slice(from: number, to: number = this.length): T[] {
    return this.items.slice(this.start + Math.max(0, from), this.start + Math.max(0, Math.min(this.length, to)));
  }
}

/**
 * A line as kept: at most `max` characters and a marker. Transports already cut long lines
 * (OutputStream); this holds for any transport.
 */
export function boundedLine<L extends OutputLine>(line: L, max: number = DEFAULT_MAX_SHOWN_LINE_CHARS): L {
  // A transport's cut line is its head and a marker: left as it is.
  if (line.text.length <= max + 100) return line;
  const rest = line.text.length - max;
  return {
    ...headOf(line, max, ` … [${rest.toLocaleString('en-US')} more characters of this line not kept]`),
    dropped: (line.dropped ?? 0) + rest,
  };
}

/** The last lines of every node's output; `version` grows with every line. */
export class OutputStore {
  private readonly rings = new Map<string, LineRing<StoredLine>>();
  version = 0;

  constructor(
    readonly linesPerNode: number = DEFAULT_LINES_PER_NODE,
    readonly bytesPerNode: number = DEFAULT_BYTES_PER_NODE,
  ) {}

  append(node: string, line: StoredLine): void {
    let ring = this.rings.get(node);
    if (!ring)
      this.rings.set(node, (ring = new LineRing<StoredLine>(this.linesPerNode, { maxBytes: this.bytesPerNode, sizeOf: lineBytes })));
    ring.push(boundedLine(line));
    this.version += 1;
  }

  /** The node's kept lines, oldest first; only those of one task when given. */
  lines(node: string, task?: string): StoredLine[] {
    const all = this.rings.get(node)?.slice(0) ?? [];
    return task === undefined ? all : all.filter((l) => l.task === task);
  }

  /** What the kept lines of a node take, in bytes (see lineBytes). */
  bytes(node: string): number {
    return this.rings.get(node)?.bytes ?? 0;
  }
}

export const DIGEST_TAIL = 20;
/** The most characters a line of the digest's tail keeps: a journal record stays small. */
export const DIGEST_LINE_CHARS = 500;

/** Counts, hashes and keeps the tail of one command's output. */
export class DigestBuilder {
  private readonly hash: Hash = createHash('sha256');
  private lines = 0;
  private bytes = 0;
  private readonly tail: string[] = [];

  /** A line as handed on; `dropped` characters of it were not (they count in bytes, not in the hash). */
  add(text: string, dropped = 0): void {
    const line = `${text}\n`;
    this.hash.update(line);
    this.lines += 1;
    this.bytes += Buffer.byteLength(line) + dropped;
    this.tail.push(text.length > DIGEST_LINE_CHARS ? `${text.slice(0, DIGEST_LINE_CHARS)} …` : text);
    if (this.tail.length > DIGEST_TAIL) this.tail.shift();
  }

  get count(): number {
    return this.lines;
  }

  digest(truncated?: boolean): OutputDigest {
    return {
      lines: this.lines,
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
      tail: [...this.tail],
      ...(truncated ? { truncated: true } : {}),
    };
  }
}
