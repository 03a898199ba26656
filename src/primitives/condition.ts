/**
 * `Condition`: asyncio's condition variable, on the waiter core and a {@link Lock}.
 */
import { CancelledError, InvalidStateError } from '../core/errors';
import { Unfuture } from '../core/future';
import { cancelFuture, pendingFuture, rejectFuture, resolveFuture, setDiscardHook } from '../core/future-internal';
import { assertFunction, assertInteger, expected } from '../core/validate';
import { WaiterQueue, abortedError, assertSignalOptions, cancelledFuture, type SignalOptions } from '../core/waiters';
import type { Guard } from './guard';
import { Lock, resumeHold, suspendHold } from './lock';

/** What {@link Condition.statistics} returns (a frozen plain object). */
export interface ConditionStatistics {
  /** Whether the underlying lock is held. */
  readonly locked: boolean;
  /** Tasks parked in `wait()` (not yet notified). */
  readonly waiters: number;
  /** Tasks waiting for the underlying lock (including notified ones re-acquiring it). */
  readonly lockWaiters: number;
}

/**
 * A condition variable (asyncio's `Condition`). `acquire()`, `release()` and `locked()`
 * delegate to its lock (a new {@link Lock} unless one is given, which may be shared).
 *
 * Ordering: `notify(n)` wakes the `n` longest-waiting tasks, `notifyAll()` all of them,
 * FIFO; each then queues for the lock behind any task already waiting for it. Errors:
 * `wait`, `waitFor`, `notify` and `notifyAll` throw `InvalidStateError` when the lock is not
 * held. Cancellation: a cancelled `wait()` (task, future or `options.signal`) first
 * re-acquires the lock, then throws `CancelledError`, so the caller's cleanup always runs
 * holding the lock; a waiter that was already notified passes its notification on to the
 * next waiter.
 *
 * @example
 * const cond = new Condition();
 * // consumer
 * { await using _held = await cond.acquire(); await cond.waitFor(() => items.length > 0); use(items.shift()); }
 * // producer
 * { await using _held = await cond.acquire(); items.push(x); cond.notify(); }
 */
export class Condition {
  readonly #lock: Lock;
  // Tasks in wait() that were not notified yet (notified ones have left it).
  readonly #waiters = new WaiterQueue<void>();
  readonly #passOn = (): void => {
    this.#waiters.wakeOne(undefined);
  };

  constructor(lock?: Lock) {
    if (lock !== undefined && !(lock instanceof Lock)) throw new TypeError(expected('lock', 'a Lock', lock));
    this.#lock = lock ?? new Lock();
  }

  /** Acquire the underlying lock (see {@link Lock.acquire}). */
  acquire(options?: SignalOptions): Unfuture<Guard> {
    return this.#lock.acquire(options);
  }

  /** Release the underlying lock (see {@link Lock.release}). */
  release(): void {
    this.#lock.release();
  }

  /** True while the underlying lock is held. */
  locked(): boolean {
    return this.#lock.locked();
  }

  /**
   * Release the lock, wait to be notified, re-acquire the lock; fulfils with `true`.
   * Must be called holding the lock. Cancelled: re-acquires the lock, then settles as
   * cancelled (the future stays pending until the lock is held again).
   */
  wait(options?: SignalOptions): Unfuture<true> {
    assertSignalOptions(options);
    this.#assertLocked('wait');
    const signal = options?.signal;
    if (signal?.aborted) return cancelledFuture(signal);

    let cancel: CancelledError | undefined;
    let parked: Unfuture<void> | undefined;
    const requestCancel = (error: CancelledError): void => {
      cancel ??= error;
      parked?.cancel(error.message); // still parked: leave now, then re-acquire
    };
    const result = pendingFuture<true>({ onCancel: (message) => requestCancel(new CancelledError(message)) });
    // Woken and re-acquired, but the awaiting task was cancelled before it resumed: it
    // throws CancelledError holding the lock (asyncio's rule), and the notification it
    // consumed goes to the next waiter.
    setDiscardHook(result, this.#passOn);
    const onAbort = (): void => requestCancel(abortedError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });

    const guard = suspendHold(this.#lock);
    const waiting = this.#waiters.park(undefined);
    parked = waiting;
    waiting.addDoneCallback(() => {
      parked = undefined;
      const notified = !waiting.cancelled();
      // Must re-acquire even when cancelled; nothing can cancel this internal acquire.
      resumeHold(this.#lock, guard).addDoneCallback(() => {
        signal?.removeEventListener('abort', onAbort);
        if (cancel === undefined) {
          resolveFuture(result, true);
          return;
        }
        // Consumed a notification but will not act on it: hand it to the next waiter.
        if (notified) this.#waiters.wakeOne(undefined);
        cancelFuture(result, cancel);
      });
    });
    return result;
  }

  /**
   * Wait until `predicate()` is truthy, calling it first and after every wake-up, with
   * the lock held; fulfils with its last (truthy) result. Cancellation as for `wait()`;
   * a throwing predicate rejects the future (the lock is held either way).
   */
  waitFor<R>(predicate: () => R, options?: SignalOptions): Unfuture<R> {
    assertFunction('predicate', predicate);
    assertSignalOptions(options);
    this.#assertLocked('waitFor');
    const first = predicate();
    if (first) return Unfuture.fromValue(first);

    let cancel: string | undefined;
    let cancelRequested = false;
    let current: Unfuture<true> | undefined;
    const result = pendingFuture<R>({
      onCancel: (message) => {
        cancelRequested = true;
        cancel = message;
        current?.cancel(message);
      },
    });
    setDiscardHook(result, this.#passOn);
    const step = (): void => {
      const waiting = this.wait(options);
      current = waiting;
      waiting.addDoneCallback(() => {
        current = undefined;
        if (waiting.cancelled()) {
          cancelFuture(result, cancelledErrorOf(waiting));
          return;
        }
        if (cancelRequested) {
          cancelFuture(result, cancel);
          return;
        }
        let value: R;
        try {
          value = predicate();
        } catch (error) {
          rejectFuture(result, error);
          return;
        }
        if (value) resolveFuture(result, value);
        else step();
      });
    };
    step();
    return result;
  }

  /** Wake up to `n` (default 1) waiting tasks, FIFO. Must be called holding the lock. */
  notify(n = 1): void {
    assertInteger('n', n, 0);
    this.#assertLocked('notify');
    this.#waiters.wakeMany(n, undefined);
  }

  /** Wake every waiting task, FIFO. Must be called holding the lock. */
  notifyAll(): void {
    this.#assertLocked('notifyAll');
    this.#waiters.wakeAll(undefined);
  }

  /** Lock state and waiter counts, as a frozen plain object. */
  statistics(): ConditionStatistics {
    return Object.freeze({
      locked: this.#lock.locked(),
      waiters: this.#waiters.size,
      lockWaiters: this.#lock.statistics().waiters,
    });
  }

  /** `'Condition'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  get [Symbol.toStringTag](): string {
    return 'Condition';
  }

  #assertLocked(method: string): void {
    if (!this.#lock.locked()) throw new InvalidStateError(`Condition.${method}() needs the lock to be held`);
  }
}

function cancelledErrorOf(future: Unfuture<unknown>): CancelledError {
  try {
    future.result();
  } catch (error) {
    return error as CancelledError;
  }
  return new CancelledError();
}
