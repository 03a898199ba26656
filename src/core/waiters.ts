/**
 * The one FIFO of waiters every primitive parks on (trio's `ParkingLot`, with asyncio's
 * waiter discipline). Lock, Semaphore, Event, Condition, Barrier and the queues keep no
 * resolver arrays of their own: they park here and wake from here.
 *
 * A waiter is a node in a doubly linked list plus a producer-owned Unfuture (made with
 * `pendingFuture({ onCancel })`). The rules, written once here instead of in each primitive:
 *
 * - **FIFO.** `wakeOne` serves the waiter that parked first; `wakeAll`/`wakeMany` wake in
 *   arrival order (their continuations run in that order too: the future's reactions are
 *   queued on microtasks in settle order).
 * - **Waking is a hand-off.** A wake-up leaves the list and fulfils the future in one
 *   synchronous step, with the value the primitive hands over (a lock guard, a queue item).
 *   So a waiter still in the list has never received a wake-up, and a woken waiter's
 *   future can no longer be cancelled (`cancel()` returns false): the value is the
 *   awaiter's to keep. A task cancelled in the gap between its future being fulfilled and
 *   its body resuming gets the value and sees the cancellation at its next await
 *   (docs/cancellation.md), so nothing is lost.
 * - **Cancellation leaves no trace.** Cancelling the task that awaits the future (the core
 *   links it), cancelling the future itself, or aborting `options.signal` runs the cancel
 *   hook: the node unlinks itself (O(1)) and the future settles as cancelled. Because
 *   waking skips nothing but live nodes, a wake-up that "races" a cancel always goes to the
 *   next live waiter: whichever ran first wins, and neither can strand the other.
 * - **Passing on a received wake-up** matters for compound waits only (Condition's wait,
 *   which is woken and then must re-acquire its lock): those re-issue the wake-up they
 *   consumed (`notify(1)`) when they end cancelled; see src/primitives/condition.ts.
 */
import { CancelledError } from './errors';
import { Unfuture } from './future';
import { cancelFuture, pendingFuture, rejectFuture, resolveFuture, setSettledDiscardHook } from './future-internal';
import { assertFunction, assertOptions, assertSignal, expected } from './validate';

/** Options accepted by every blocking primitive method. */
export interface SignalOptions {
  /** Aborting it cancels the wait (the future settles as cancelled, `cause` is the reason). */
  signal?: AbortSignal;
}

/** Validate a `SignalOptions` argument (TypeError on a wrong shape). */
export function assertSignalOptions(options: unknown, name = 'options'): asserts options is SignalOptions | undefined {
  if (options === undefined) return;
  assertOptions(name, options, ['signal']);
  assertSignal(`${name}.signal`, (options as SignalOptions).signal);
}

/** The CancelledError for an aborted signal; the abort reason becomes its `cause`. */
export function abortedError(signal: AbortSignal): CancelledError {
  const reason: unknown = signal.reason;
  const message = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return new CancelledError(message, { cause: reason });
}

/** An Unfuture already cancelled because `signal` is aborted. */
export function cancelledFuture<T>(signal: AbortSignal): Unfuture<T> {
  const f = pendingFuture<T>();
  cancelFuture(f, abortedError(signal));
  return f;
}

/** An Unfuture already rejected with `error` (a blocking call that fails at once). */
export function rejectedFuture<T>(error: unknown): Unfuture<T> {
  const f = pendingFuture<T>();
  rejectFuture(f, error);
  return f;
}

/* Assigned in WaiterQueue's static block (it reaches #unlink). */
let cancelNode: (queue: WaiterQueue<any, any>, node: Waiter<any, any>, error: CancelledError) => void;

// The hooks are built by factories on purpose: a closure written inline in an object
// literal gets a runtime name-setting helper from some transpilers (tsx/esbuild keepNames),
// which doubled the cost of a contended park.
function cancelHook(queue: WaiterQueue<any, any>, node: Waiter<any, any>): (message: string | undefined) => void {
  return (message) => cancelNode(queue, node, new CancelledError(message));
}
function abortHook(queue: WaiterQueue<any, any>, node: Waiter<any, any>, signal: AbortSignal): () => void {
  return () => cancelNode(queue, node, abortedError(signal));
}

/** Options of a {@link WaiterQueue}. */
export interface WaiterQueueOptions<R, D> {
  /**
   * Give back a value a woken waiter handed over but nobody will see (its task was
   * cancelled before resuming): put a queue item back, release a lock. `data` is what the
   * waiter parked with.
   */
  onDiscard?: (value: R, data: D) => void;
}

/** One parked waiter. Invariant: `linked` is true exactly while the node is in the list. */
class Waiter<R, D> {
  future!: Unfuture<R>;
  prev: Waiter<R, D> | undefined = undefined;
  next: Waiter<R, D> | undefined = undefined;
  linked = true;
  signal: AbortSignal | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  constructor(readonly data: D) {}
}

/**
 * A FIFO of parked waiters with cancellation built in. `R` is what a wake-up hands over;
 * `D` is data the waiter parks with (a blocked putter's item).
 *
 * @example
 * const lot = new WaiterQueue<string>();
 * const f = lot.park(undefined);   // pending
 * lot.wakeOne('go');               // f fulfilled with 'go'
 */
export class WaiterQueue<R = void, D = undefined> {
  // Invariant: #head..#tail are exactly the nodes with `linked === true`; #size counts them.
  #head: Waiter<R, D> | undefined = undefined;
  #tail: Waiter<R, D> | undefined = undefined;
  #size = 0;
  readonly #onDiscard: ((value: R, data: D) => void) | undefined;
  // #onDiscard for waiters that parked without data: one shared function, no allocation.
  readonly #discardPlain: ((value: R) => void) | undefined;

  constructor(options?: WaiterQueueOptions<R, D>) {
    if (options !== undefined) assertOptions('options', options, ['onDiscard']);
    const onDiscard = options?.onDiscard;
    if (onDiscard !== undefined) assertFunction('options.onDiscard', onDiscard);
    this.#onDiscard = onDiscard;
    this.#discardPlain = onDiscard && ((value) => onDiscard(value, undefined as D));
  }

  /** Number of live (parked, not woken, not cancelled) waiters. */
  get size(): number {
    return this.#size;
  }

  /** The data of the first live waiter, or undefined when none. */
  peekData(): D | undefined {
    return this.#head?.data;
  }

  /**
   * Park a new waiter at the back. The returned future fulfils when a wake-up reaches it
   * and settles as cancelled (leaving the list) when cancelled directly, through the task
   * awaiting it, or through `options.signal`. An already aborted signal yields a cancelled
   * future and parks nothing.
   */
  park(data: D, options?: SignalOptions): Unfuture<R> {
    if (options !== undefined) assertSignalOptions(options);
    const signal = options?.signal;
    if (signal?.aborted) return cancelledFuture<R>(signal);
    const node = new Waiter<R, D>(data);
    // Waiters record no timing: they are bookkeeping, not work (two clock reads saved per park).
    node.future = pendingFuture<R>({ onCancel: cancelHook(this, node), timed: false });
    if (signal !== undefined) {
      node.signal = signal;
      node.onAbort = abortHook(this, node, signal);
      signal.addEventListener('abort', node.onAbort, { once: true });
    }
    const tail = this.#tail;
    if (tail === undefined) this.#head = node;
    else {
      tail.next = node;
      node.prev = tail;
    }
    this.#tail = node;
    this.#size++;
    return node.future;
  }

  /**
   * A future already fulfilled with `value` that gives it back through `onDiscard` like a
   * woken waiter's (for a primitive's no-wait path: `createTask(() => queue.get())`
   * cancelled before it copied the item must not lose it). Without `onDiscard`, a plain
   * fulfilled future.
   */
  fulfilled(value: R, data: D): Unfuture<R> {
    const f = Unfuture.fromValue(value);
    this.#armDiscard(f, data);
    return f;
  }

  /**
   * Hand `value` to the first live waiter. `accept(data)` runs first, with the waiter's
   * parked data (e.g. move a blocked putter's item into the buffer). Returns false when
   * nobody was waiting.
   */
  wakeOne(value: R, accept?: (data: D) => void): boolean {
    if (accept !== undefined && typeof accept !== 'function') assertFunction('accept', accept);
    const node = this.#head;
    if (node === undefined) return false;
    this.#unlink(node);
    if (accept !== undefined) accept(node.data);
    resolveFuture(node.future, value);
    this.#armDiscard(node.future, node.data);
    return true;
  }

  /**
   * Wake up to `n` waiters in FIFO order with `value`; returns how many were woken.
   * `n` is an integer >= 0 or `Infinity` (else `TypeError`/`RangeError`).
   */
  wakeMany(n: number, value: R): number {
    if (typeof n !== 'number' || Number.isNaN(n) || (!Number.isInteger(n) && n !== Infinity)) {
      throw new TypeError(expected('n', 'an integer or Infinity', n));
    }
    if (n < 0) throw new RangeError(expected('n', 'an integer >= 0', n));
    let woken = 0;
    while (woken < n && this.wakeOne(value)) woken++;
    return woken;
  }

  /** Wake every waiter in FIFO order with `value`; returns how many were woken. */
  wakeAll(value: R): number {
    let woken = 0;
    while (this.wakeOne(value)) woken++;
    return woken;
  }

  /** Wake every waiter in FIFO order with `make(data, index)` (index counts from 0). */
  wakeAllWith(make: (data: D, index: number) => R): number {
    assertFunction('make', make);
    let index = 0;
    for (let node = this.#head; node !== undefined; node = this.#head) {
      this.#unlink(node);
      resolveFuture(node.future, make(node.data, index++));
    }
    return index;
  }

  /** Reject every waiter in FIFO order with `error` (shutdown, broken barrier). */
  rejectAll(error: unknown): number {
    let count = 0;
    for (let node = this.#head; node !== undefined; node = this.#head) {
      this.#unlink(node);
      rejectFuture(node.future, error);
      count++;
    }
    return count;
  }

  /** The parked data of every live waiter, in FIFO order (introspection and tests). */
  dataInOrder(): D[] {
    const out: D[] = [];
    for (let node = this.#head; node !== undefined; node = node.next) out.push(node.data);
    return out;
  }

  static {
    cancelNode = (queue, node, error) => {
      if (node.linked) queue.#unlink(node);
      cancelFuture(node.future, error);
    };
  }

  // ---- private steps -------------------------------------------------------------

  /** Give the fulfilled future `f` (a hand-off to a waiter parked with `data`) the lot's discard hook. */
  #armDiscard(f: Unfuture<R>, data: D): void {
    const onDiscard = this.#onDiscard;
    if (onDiscard === undefined) return;
    setSettledDiscardHook(f, data === undefined ? this.#discardPlain! : (value: R) => onDiscard(value, data));
  }

  #unlink(node: Waiter<R, D>): void {
    const { prev, next } = node;
    if (prev === undefined) this.#head = next;
    else prev.next = next;
    if (next === undefined) this.#tail = prev;
    else next.prev = prev;
    node.prev = node.next = undefined;
    node.linked = false;
    this.#size--;
    if (node.signal !== undefined) {
      node.signal.removeEventListener('abort', node.onAbort!);
      node.signal = node.onAbort = undefined;
    }
  }
}
