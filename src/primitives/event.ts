/**
 * `Event`: asyncio's one-shot (until cleared) broadcast flag on the waiter core.
 */
import { Unfuture } from '../core/future';
import { WaiterQueue, assertSignalOptions, cancelledFuture, type SignalOptions } from '../core/waiters';

/** What {@link Event.statistics} returns (a frozen plain object). */
export interface EventStatistics {
  /** The flag (`isSet()`). */
  readonly isSet: boolean;
  /** Tasks parked in `wait()`. */
  readonly waiters: number;
}

/**
 * An event flag (asyncio's `Event`). `wait()` fulfils with `true` once the flag is set —
 * at once if it already is; `set()` wakes every waiter in FIFO order; `clear()` makes later
 * `wait()` calls block again (waiters already woken stay woken).
 *
 * Cancellation: a waiter cancelled in any of the three ways (task, future,
 * `options.signal`) just leaves; it never affects the flag or the other waiters.
 *
 * @example
 * const ready = new Event();
 * createTask(async () => { await ready.wait(); console.log('go'); });
 * ready.set();
 */
export class Event {
  // Invariant: #waiters is empty while #set is true.
  #set = false;
  readonly #waiters = new WaiterQueue<true>();

  /** Wait until the flag is set; fulfils with `true`. */
  wait(options?: SignalOptions): Unfuture<true> {
    if (options !== undefined) {
      assertSignalOptions(options);
      if (options.signal?.aborted) return cancelledFuture(options.signal);
    }
    if (this.#set) return Unfuture.fromValue(true);
    return this.#waiters.park(undefined, options);
  }

  /** Set the flag and wake every waiter, first come first woken. Idempotent. */
  set(): void {
    if (this.#set) return;
    this.#set = true;
    this.#waiters.wakeAll(true);
  }

  /** Reset the flag. */
  clear(): void {
    this.#set = false;
  }

  /** True while the flag is set. */
  isSet(): boolean {
    return this.#set;
  }

  /** Flag state and waiter count, as a frozen plain object. */
  statistics(): EventStatistics {
    return Object.freeze({ isSet: this.#set, waiters: this.#waiters.size });
  }

  /** `'Event'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  get [Symbol.toStringTag](): string {
    return 'Event';
  }
}
