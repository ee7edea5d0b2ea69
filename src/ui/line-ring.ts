// A bounded list of lines: the oldest go when it is full. Memory stays the same whatever passes
// through a pane (a journalctl -f that runs all night included).
export class LineRing<T> {
  private items: T[] = [];
  private start = 0;
  /** Lines that went through, kept or not. */
  total = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new TypeError(`LineRing limit must be at least 1, got ${limit}`);
  }

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.total += 1;
    if (this.items.length < this.limit) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.limit;
    }
  }

  /** Lines `from` to `to` (exclusive), oldest first, counting from the oldest kept. */
  slice(from: number, to: number = this.items.length): T[] {
    const n = this.items.length;
    const out: T[] = [];
    for (let i = Math.max(0, from); i < Math.min(n, to); i++) out.push(this.items[(this.start + i) % n]!);
    return out;
  }
}
