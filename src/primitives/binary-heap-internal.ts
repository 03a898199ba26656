/*
 * A binary min-heap with a comparator, stable for equal keys (ties leave in insertion
 * order, tracked by a sequence number kept in a parallel array). Internal to PriorityQueue.
 */

/**
 * How a {@link PriorityQueue} orders its items, as for `Array.prototype.sort`: negative
 * when `a` leaves first, positive when `b` does, 0 to keep insertion order.
 *
 * @example
 * const byDeadline: Comparator<Job> = (a, b) => a.deadline - b.deadline;
 */
export type Comparator<T> = (a: T, b: T) => number;

/** The heap behind PriorityQueue (internal). */
export class BinaryHeap<T> {
  // Invariant: for every i > 0, #before(parent(i), i) holds; #items and #seqs have equal length.
  readonly #items: T[] = [];
  readonly #seqs: number[] = [];
  #nextSeq = 0;
  compare: Comparator<T>;

  constructor(compare: Comparator<T>) {
    this.compare = compare;
  }

  get length(): number {
    return this.#items.length;
  }

  push(item: T): void {
    this.#insert(item, this.#nextSeq++);
  }

  /**
   * Remove the latest-inserted item identical to `item` (`Object.is`); false when there is
   * none. O(n): a rare path (a putter cancelled after its item went in).
   */
  remove(item: T): boolean {
    const items = this.#items;
    const seqs = this.#seqs;
    let at = -1;
    for (let i = 0; i < items.length; i++) {
      if (Object.is(items[i], item) && (at < 0 || seqs[i]! > seqs[at]!)) at = i;
    }
    if (at < 0) return false;
    const keptItems = items.filter((_, i) => i !== at);
    const keptSeqs = seqs.filter((_, i) => i !== at);
    this.clear();
    for (let i = 0; i < keptItems.length; i++) this.#insert(keptItems[i]!, keptSeqs[i]!);
    return true;
  }

  #insert(item: T, seq: number): void {
    const items = this.#items;
    const seqs = this.#seqs;
    let i = items.length;
    items.push(item);
    seqs.push(seq);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(item, seq, items[parent]!, seqs[parent]!)) break;
      items[i] = items[parent]!;
      seqs[i] = seqs[parent]!;
      i = parent;
    }
    items[i] = item;
    seqs[i] = seq;
  }

  /** Remove and return the smallest item (caller checks `length` first). */
  pop(): T {
    const items = this.#items;
    const seqs = this.#seqs;
    const top = items[0]!;
    const lastItem = items.pop()!;
    const lastSeq = seqs.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && this.#less(items[right]!, seqs[right]!, items[left]!, seqs[left]!) ? right : left;
        if (!this.#less(items[child]!, seqs[child]!, lastItem, lastSeq)) break;
        items[i] = items[child]!;
        seqs[i] = seqs[child]!;
        i = child;
      }
      items[i] = lastItem;
      seqs[i] = lastSeq;
    }
    return top;
  }

  clear(): void {
    this.#items.length = 0;
    this.#seqs.length = 0;
  }

  #less(a: T, seqA: number, b: T, seqB: number): boolean {
    const c = this.compare(a, b);
    return c < 0 || (c === 0 && seqA < seqB);
  }
}

/**
 * Python-like ordering: numbers, bigints and strings by `<`; arrays (e.g. `[priority, data]`
 * tuples) element by element, a prefix first. Values that cannot be ordered (objects,
 * mixed types) compare equal, so they keep insertion order.
 */
export function defaultCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = defaultCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const ta = typeof a;
  if (ta !== typeof b || (ta !== 'number' && ta !== 'string' && ta !== 'bigint')) return 0;
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}
