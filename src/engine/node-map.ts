// The run's nodes as a persistent map: a read-only Map in inventory order whose updates copy only
// what changed. The values live in chunks of 32; changing one node copies the list of chunks and
// the one chunk that holds it, so an event costs the same at 100 nodes as at 2,000 (a plain Map
// would be copied whole on every event).
const CHUNK = 32;

export class NodeMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    /** Position of each key; shared by every version (the set of keys is fixed). */
    private readonly index: ReadonlyMap<string, number>,
    private readonly order: readonly string[],
    private readonly chunks: readonly (readonly V[])[],
  ) {}

  static from<V>(entries: Iterable<readonly [string, V]>): NodeMap<V> {
    const order: string[] = [];
    const values: V[] = [];
    const index = new Map<string, number>();
    for (const [k, v] of entries) {
      const at = index.get(k);
      if (at !== undefined) {
        values[at] = v;
        continue;
      }
      index.set(k, order.length);
      order.push(k);
      values.push(v);
    }
    const chunks: V[][] = [];
    for (let i = 0; i < values.length; i += CHUNK) chunks.push(values.slice(i, i + CHUNK));
    return new NodeMap(index, order, chunks);
  }

  get size(): number {
    return this.order.length;
  }

  get(key: string): V | undefined {
    const at = this.index.get(key);
    return at === undefined ? undefined : this.chunks[at >> 5]![at & (CHUNK - 1)];
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** A new map with these values changed; keys it does not have are added at the end. */
  withUpdates(updates: ReadonlyMap<string, V>): NodeMap<V> {
    if (updates.size === 0) return this;
    for (const key of updates.keys()) {
      if (!this.index.has(key)) return NodeMap.from([...this.entries(), ...updates]);
    }
    const chunks = [...this.chunks];
    const copied = new Set<number>();
    for (const [key, value] of updates) {
      const at = this.index.get(key)!;
      const c = at >> 5;
      if (!copied.has(c)) {
        chunks[c] = [...chunks[c]!];
        copied.add(c);
      }
      (chunks[c] as V[])[at & (CHUNK - 1)] = value;
    }
    return new NodeMap(this.index, this.order, chunks);
  }

  /** A new map with one value changed. */
  set(key: string, value: V): NodeMap<V> {
    return this.withUpdates(new Map([[key, value]]));
  }

  *entries(): MapIterator<[string, V]> {
    for (let i = 0; i < this.order.length; i++) yield [this.order[i]!, this.chunks[i >> 5]![i & (CHUNK - 1)]!];
  }

  *keys(): MapIterator<string> {
    yield* this.order;
  }

  *values(): MapIterator<V> {
    for (const chunk of this.chunks) yield* chunk;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) callback.call(thisArg, v, k, this);
  }
}
