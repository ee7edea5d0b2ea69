// Output lines do not go through the reducer (there are too many): the runner keeps the last
// lines of each node here, bounded, and the journal gets a digest per step instead.
import { createHash, type Hash } from 'node:crypto';
import type { OutputLine } from '../transport/types.js';
import type { OutputDigest } from './events.js';

/** A line of a node's output, with the step it came from. */
export interface StoredLine extends OutputLine {
  /** The task key: `${section}/${step}@${node}` (a troubleshooting command: `troubleshoot:<id>@${node}`). */
  task: string;
}

export const DEFAULT_LINES_PER_NODE = 2000;

/** A ring buffer of lines per node. */
class Ring {
  private readonly items: StoredLine[] = [];
  private start = 0;

  constructor(private readonly limit: number) {}

  push(line: StoredLine): void {
    if (this.items.length < this.limit) this.items.push(line);
    else {
      this.items[this.start] = line;
      this.start = (this.start + 1) % this.limit;
    }
  }

  toArray(): StoredLine[] {
    return this.start === 0 ? [...this.items] : [...this.items.slice(this.start), ...this.items.slice(0, this.start)];
  }
}

/** The last lines of every node's output; `version` grows with every line. */
export class OutputStore {
  private readonly rings = new Map<string, Ring>();
  version = 0;

  constructor(readonly linesPerNode: number = DEFAULT_LINES_PER_NODE) {}

  append(node: string, line: StoredLine): void {
    let ring = this.rings.get(node);
    if (!ring) this.rings.set(node, (ring = new Ring(this.linesPerNode)));
    ring.push(line);
    this.version += 1;
  }

  /** The node's kept lines, oldest first; only those of one task when given. */
  lines(node: string, task?: string): StoredLine[] {
    const all = this.rings.get(node)?.toArray() ?? [];
    return task === undefined ? all : all.filter((l) => l.task === task);
  }
}

export const DIGEST_TAIL = 20;

/** Counts, hashes and keeps the tail of one command's output. */
export class DigestBuilder {
  private readonly hash: Hash = createHash('sha256');
  private lines = 0;
  private bytes = 0;
  private readonly tail: string[] = [];

  add(text: string): void {
    const line = `${text}\n`;
    this.hash.update(line);
    this.lines += 1;
    this.bytes += Buffer.byteLength(line);
    this.tail.push(text);
    if (this.tail.length > DIGEST_TAIL) this.tail.shift();
  }

  get count(): number {
    return this.lines;
  }

  digest(truncated?: boolean): OutputDigest {
    return { lines: this.lines, bytes: this.bytes, sha256: this.hash.digest('hex'), tail: [...this.tail], ...(truncated ? { truncated: true } : {}) };
  }
}
