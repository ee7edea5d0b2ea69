// Names by the time they are next due, earliest first: a binary heap, so taking the next due node
// of thousands costs a few comparisons instead of a scan of them all (docs/architecture.md, the
// idle cost of 2,006 nodes). Ties come out in the order they went in.

interface Entry {
  at: number;
  seq: number;
  name: string;
}

export class DueQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, name: string): void {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, name });
    let i = heap.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!before(heap[i]!, heap[up]!)) break;
      [heap[i], heap[up]] = [heap[up]!, heap[i]!];
      i = up;
    }
  }

  /** The earliest entry, left in place. */
  peek(): { at: number; name: string } | undefined {
    return this.heap[0];
  }

  /** Takes the earliest entry out. */
  pop(): { at: number; name: string } | undefined {
    const heap = this.heap;
    const first = heap[0];
    const last = heap.pop();
    if (first === undefined || last === undefined || heap.length === 0) return first;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && before(heap[l]!, heap[min]!)) min = l;
      if (r < heap.length && before(heap[r]!, heap[min]!)) min = r;
      if (min === i) break;
      [heap[i], heap[min]] = [heap[min]!, heap[i]!];
      i = min;
    }
    return first;
  }
}

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);
