/**
 * `Queue<T>`: asyncio's FIFO queue (with Python 3.13's `shutdown`) on the waiter core.
 * `PriorityQueue` and `LifoQueue` override only the storage hooks.
 */
import { InvalidStateError } from '../core/errors';
import { QueueEmpty, QueueFull, QueueShutDown, isQueueShutDown } from '../core/primitive-errors';
import { Unfuture } from '../core/future';
import { assertInteger, expected } from '../core/validate';
import { WaiterQueue, assertSignalOptions, cancelledFuture, rejectedFuture, type SignalOptions } from '../core/waiters';
import { Deque } from './deque-internal';

/** What {@link Queue.statistics} returns (a frozen plain object). */
export interface QueueStatistics {
  /** Items in the queue now (`qsize()`). */
  readonly size: number;
  /** The bound; `<= 0` means unbounded. */
  readonly maxsize: number;
  /** Tasks parked in `get()`. */
  readonly getters: number;
  /** Tasks parked in `put()` (their items are not in the queue yet). */
  readonly putters: number;
  /** Items put and not yet marked done with `taskDone()`. */
  readonly unfinished: number;
  /** Tasks parked in `join()`. */
  readonly joiners: number;
  /** Whether `shutdown()` was called. */
  readonly shutdown: boolean;
}

/**
 * A first-in first-out queue (asyncio's `Queue`). `maxsize <= 0` (the default) means
 * unbounded; otherwise `put()` waits while `maxsize` items are queued.
 *
 * Ordering: FIFO fairness for items and for tasks — blocked getters are served, and
 * blocked putters resume, in arrival order. A `put()` with a getter waiting hands the item
 * straight to the first getter; a `get()` that frees a slot moves the first blocked
 * putter's item in at once. Cancellation (task, future, or `options.signal`) never loses or
 * duplicates an item: a getter cancelled while parked takes nothing, a putter cancelled
 * while parked inserts nothing, and once a future is fulfilled its item was delivered (its
 * `cancel()` returns false). Errors: `putNowait` throws `QueueFull`, `getNowait` throws
 * `QueueEmpty`, `taskDone()` called too often throws `InvalidStateError`; after
 * `shutdown()` see {@link Queue.shutdown}.
 *
 * @example
 * const queue = new Queue<string>(10);
 * await queue.put('job');
 * const job = await queue.get();
 * queue.taskDone();
 * await queue.join();
 */
export class Queue<T> implements AsyncIterable<T> {
  readonly #maxsize: number;
  // Default storage; unused when a subclass overrides the hooks.
  #items: Deque<T> | undefined;
  // Invariants: getters parked => queue empty; putters parked => queue full (direct hand-off).
  // A getter or putter whose task was cancelled after the hand-off, before it resumed,
  // gives the item back (getter) or takes it back out (putter): see #giveBack/#takeBack.
  readonly #getters = new WaiterQueue<T>({ onDiscard: (item) => this.#giveBack(item) });
  readonly #putters = new WaiterQueue<void, T>({ onDiscard: (_, item) => this.#takeBack(item) });
  readonly #joiners = new WaiterQueue<void>();
  // Invariant: #unfinished >= 0; joiners parked => #unfinished > 0.
  #unfinished = 0;
  #shutdown = false;
  // True once shutdown(true) dropped the stored items (an item given back is dropped too).
  #dropped = false;
  readonly #acceptPutter = (item: T): void => {
    this.putItem(item);
    this.#unfinished++;
  };

  /** `maxsize` (default 0): the bound, an integer; `<= 0` means unbounded. */
  constructor(maxsize = 0) {
    assertInteger('maxsize', maxsize);
    this.#maxsize = maxsize;
    this.init(maxsize);
  }

  // ---- storage hooks (asyncio's _init/_get/_put) ---------------------------------
  // Called from the base constructor, before a subclass's own field initialisers run:
  // subclasses keep their storage in `declare`d fields assigned here.

  /** Create the storage. */
  protected init(_maxsize: number): void {
    this.#items = new Deque<T>();
  }
  /** Remove and return the next item (called only when `count() > 0`). */
  protected getItem(): T {
    return this.#items!.shift();
  }
  /** Store an item. */
  protected putItem(item: T): void {
    this.#items!.push(item);
  }
  /** Number of stored items. */
  protected count(): number {
    return this.#items!.length;
  }
  /**
   * Store an item taken with `get` whose task was cancelled before it saw it, so that it
   * is the next item out (FIFO: the front).
   */
  protected putBackItem(item: T): void {
    this.#items!.unshift(item);
  }
  /**
   * Remove the stored `item` (the latest one identical to it), for a putter whose task was
   * cancelled after its item went in; false when it is no longer stored.
   */
  protected removeItem(item: T): boolean {
    return this.#items!.removeLast(item);
  }

  // ---- public API ----------------------------------------------------------------

  /** The bound given to the constructor. */
  get maxsize(): number {
    return this.#maxsize;
  }

  /** Number of items in the queue. */
  qsize(): number {
    return this.count();
  }

  /** True when the queue holds no item. */
  empty(): boolean {
    return this.count() === 0;
  }

  /** True when a bounded queue holds `maxsize` items (never for an unbounded one). */
  full(): boolean {
    return this.#maxsize > 0 && this.count() >= this.#maxsize;
  }

  /**
   * Put `item`, waiting while the queue is full. Rejects with `QueueShutDown` after
   * `shutdown()` (also when shut down while waiting; the item is then not inserted).
   */
  put(item: T, options?: SignalOptions): Unfuture<void> {
    if (options !== undefined) {
      assertSignalOptions(options);
      if (options.signal?.aborted) return cancelledFuture(options.signal);
    }
    if (this.#shutdown) return rejectedFuture(new QueueShutDown());
    if (this.#tryPut(item)) return this.#putters.fulfilled(undefined, item);
    return this.#putters.park(item, options);
  }

  /** Put `item` now; throws `QueueFull` when full, `QueueShutDown` after `shutdown()`. */
  putNowait(item: T): void {
    if (this.#shutdown) throw new QueueShutDown();
    if (!this.#tryPut(item)) throw new QueueFull();
  }

  /**
   * Remove and return the next item, waiting while the queue is empty. Rejects with
   * `QueueShutDown` once the queue is shut down and drained.
   */
  get(options?: SignalOptions): Unfuture<T> {
    if (options !== undefined) {
      assertSignalOptions(options);
      if (options.signal?.aborted) return cancelledFuture(options.signal);
    }
    if (this.count() > 0) return this.#getters.fulfilled(this.#take(), undefined);
    if (this.#shutdown) return rejectedFuture(new QueueShutDown());
    return this.#getters.park(undefined, options);
  }

  /** Remove and return the next item now; throws `QueueEmpty`, or `QueueShutDown` once shut down and drained. */
  getNowait(): T {
    if (this.count() > 0) return this.#take();
    if (this.#shutdown) throw new QueueShutDown();
    throw new QueueEmpty();
  }

  /** Mark one item taken with `get` as processed; throws `InvalidStateError` if none is outstanding. */
  taskDone(): void {
    if (this.#unfinished <= 0) throw new InvalidStateError('taskDone() called more times than items were put');
    this.#countDone();
  }

  /** Wait until every item put so far was marked done with `taskDone()`. */
  join(options?: SignalOptions): Unfuture<void> {
    if (options !== undefined) {
      assertSignalOptions(options);
      if (options.signal?.aborted) return cancelledFuture(options.signal);
    }
    if (this.#unfinished === 0) return Unfuture.fromValue(undefined);
    return this.#joiners.park(undefined, options);
  }

  /**
   * Shut the queue down (Python 3.13): later puts and blocked putters get `QueueShutDown`
   * (their items are not inserted); gets keep draining the remaining items, then throw
   * `QueueShutDown` (blocked getters at once). With `immediate`, the remaining items are
   * dropped and counted as done (so `join()` can return) and every get throws.
   */
  shutdown(immediate = false): void {
    if (typeof immediate !== 'boolean') throw new TypeError(expected('immediate', 'a boolean', immediate));
    this.#shutdown = true;
    if (immediate) {
      this.#dropped = true;
      while (this.count() > 0) {
        this.getItem();
        if (this.#unfinished > 0) this.#unfinished--;
      }
      if (this.#unfinished === 0) this.#joiners.wakeAll(undefined);
    }
    this.#getters.rejectAll(new QueueShutDown());
    this.#putters.rejectAll(new QueueShutDown());
  }

  /** True after `shutdown()`. */
  get isShutdown(): boolean {
    return this.#shutdown;
  }

  /**
   * `for await (const item of queue)`: gets items until the queue is shut down and
   * drained, then ends. Does not call `taskDone()` for you. Cancelling the iterating task
   * cancels the pending get (no item is lost).
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      let item: T;
      try {
        item = await this.get();
      } catch (error) {
        if (isQueueShutDown(error)) return;
        throw error;
      }
      yield item;
    }
  }

  /** Sizes, waiter counts and shutdown state, as a frozen plain object. */
  statistics(): QueueStatistics {
    return Object.freeze({
      size: this.count(),
      maxsize: this.#maxsize,
      getters: this.#getters.size,
      putters: this.#putters.size,
      unfinished: this.#unfinished,
      joiners: this.#joiners.size,
      shutdown: this.#shutdown,
    });
  }

  /** `'Queue'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  get [Symbol.toStringTag](): string {
    return 'Queue';
  }

  // ---- private steps -------------------------------------------------------------

  /** Accept `item` without waiting if possible: to the first getter, else into storage. */
  #tryPut(item: T): boolean {
    if (this.#getters.size > 0) {
      this.#unfinished++;
      this.#getters.wakeOne(item);
      return true;
    }
    if (this.full()) return false;
    this.putItem(item);
    this.#unfinished++;
    return true;
  }

  /**
   * A woken getter's task was cancelled before it saw `item`: the item was never taken.
   * It goes to the next getter, else back to the front of the storage (possibly one over
   * `maxsize` for a moment: it was counted in before). After `shutdown(true)` it is
   * dropped and counted done, like the items that shutdown dropped.
   */
  #giveBack(item: T): void {
    if (this.#dropped) {
      if (this.#unfinished > 0) this.#countDone();
      return;
    }
    if (this.#getters.size > 0) this.#getters.wakeOne(item);
    else this.putBackItem(item);
  }

  /**
   * A woken (or unblocked) putter's task was cancelled before it saw its put succeed: take
   * `item` back out if it is still stored, which frees a slot for the next blocked putter.
   * An item a getter already took stays delivered.
   */
  #takeBack(item: T): void {
    if (!this.removeItem(item)) return;
    this.#countDone();
    if (this.#putters.size > 0 && !this.full()) this.#putters.wakeOne(undefined, this.#acceptPutter);
  }

  /** One item fewer outstanding (done, or never really put); `join()` returns at zero. */
  #countDone(): void {
    if (--this.#unfinished === 0) this.#joiners.wakeAll(undefined);
  }

  /** Take the next stored item; the slot it frees goes to the first blocked putter. */
  #take(): T {
    const item = this.getItem();
    if (this.#putters.size > 0) this.#putters.wakeOne(undefined, this.#acceptPutter);
    return item;
  }
}
