/**
 * `PriorityQueue<T>`: a {@link Queue} that returns the smallest item first.
 */
import { assertFunction } from '../core/validate';
import { BinaryHeap, defaultCompare, type Comparator } from './binary-heap-internal';
import { Queue } from './queue';

export type { Comparator } from './binary-heap-internal';

/**
 * A priority queue (asyncio's `PriorityQueue`): a {@link Queue} whose storage hooks use a
 * binary heap, so `get()` returns the lowest item first. Ordered by `compare` (negative:
 * `a` first); the default orders numbers, strings and bigints naturally and arrays element
 * by element, so `[priority, data]` tuples work out of the box. Items that compare equal
 * leave in insertion order. Every waiting, fairness, cancellation and shutdown rule of
 * `Queue` applies unchanged.
 *
 * @example
 * const jobs = new PriorityQueue<[number, string]>();
 * jobs.putNowait([2, 'later']); jobs.putNowait([1, 'sooner']);
 * jobs.getNowait(); // [1, 'sooner']
 */
export class PriorityQueue<T> extends Queue<T> {
  // `declare`: assigned by init(), which the base constructor calls (see Queue's hooks).
  declare private heap: BinaryHeap<T>;

  /** `maxsize` as for {@link Queue}; `compare` (optional) orders the items. */
  constructor(maxsize = 0, compare?: Comparator<T>) {
    if (compare !== undefined) assertFunction('compare', compare);
    super(maxsize);
    if (compare !== undefined) this.heap.compare = compare;
  }

  protected override init(): void {
    this.heap = new BinaryHeap<T>(defaultCompare);
  }
  protected override getItem(): T {
    return this.heap.pop();
  }
  protected override putItem(item: T): void {
    this.heap.push(item);
  }
  protected override count(): number {
    return this.heap.length;
  }
  protected override putBackItem(item: T): void {
    this.heap.push(item); // the heap puts it back in its place (after equal items)
  }
  protected override removeItem(item: T): boolean {
    return this.heap.remove(item);
  }

  /** `'PriorityQueue'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  override get [Symbol.toStringTag](): string {
    return 'PriorityQueue';
  }
}
