/**
 * `Semaphore` and `BoundedSemaphore`: asyncio's counting semaphores on the waiter core.
 */
import { InvalidStateError } from '../core/errors';
import { Unfuture } from '../core/future';
import { assertInteger } from '../core/validate';
import { WaiterQueue, assertSignalOptions, cancelledFuture, type SignalOptions } from '../core/waiters';
import { Guard } from './guard';

/** What {@link Semaphore.statistics} returns (a frozen plain object). */
export interface SemaphoreStatistics {
  /** Free permits now. Never negative. */
  readonly value: number;
  /** Tasks parked in `acquire()`. */
  readonly waiters: number;
}

/**
 * A counting semaphore (asyncio's `Semaphore`): `acquire()` takes a permit, waiting while
 * there is none; `release()` gives one back.
 *
 * Ordering: FIFO. `release()` hands its permit straight to the first waiter, so the counter
 * never goes below zero and a later `acquire()` cannot overtake a waiter. Cancellation: a
 * parked waiter cancelled in any of the three ways (task, future, `options.signal`) leaves
 * no trace and takes no permit; once its future is fulfilled it holds one. Errors:
 * `new Semaphore(-1)` throws `RangeError`.
 *
 * @example
 * const sem = new Semaphore(10);
 * { await using _permit = await sem.acquire(); await fetchOne(url); }
 */
export class Semaphore {
  // Invariant: #value >= 0, and #waiters.size > 0 implies #value === 0 (direct hand-off).
  #value: number;
  // A permit handed to a task that was cancelled before it resumed goes back at once.
  readonly #waiters = new WaiterQueue<Guard>({ onDiscard: (guard) => guard.release() });
  readonly #releaseGuard = (): void => this.release();

  /** `value` (default 1): the initial number of permits, an integer >= 0. */
  constructor(value = 1) {
    assertInteger('value', value, 0);
    this.#value = value;
  }

  /** Take a permit: fulfils with a {@link Guard} that gives it back once. */
  acquire(options?: SignalOptions): Unfuture<Guard> {
    if (options !== undefined) {
      assertSignalOptions(options);
      if (options.signal?.aborted) return cancelledFuture(options.signal);
    }
    if (this.#value > 0) {
      this.#value--;
      return this.#waiters.fulfilled(new Guard(this.#releaseGuard), undefined);
    }
    return this.#waiters.park(undefined, options);
  }

  /** Give a permit back: to the first waiter if there is one, else to the counter. */
  release(): void {
    this.checkRelease(this.#value);
    if (!this.#waiters.wakeOne(new Guard(this.#releaseGuard))) this.#value++;
  }

  /** True when `acquire()` would have to wait. */
  locked(): boolean {
    return this.#value === 0;
  }

  /** Free permits and waiter count, as a frozen plain object. */
  statistics(): SemaphoreStatistics {
    return Object.freeze({ value: this.#value, waiters: this.#waiters.size });
  }

  /** @internal Hook for {@link BoundedSemaphore}: throw if a release is not allowed. */
  protected checkRelease(_value: number): void {}

  /** `'Semaphore'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  get [Symbol.toStringTag](): string {
    return 'Semaphore';
  }
}

/**
 * A semaphore that refuses to be released above its initial value (asyncio's
 * `BoundedSemaphore`): such a `release()` throws `InvalidStateError` and changes nothing,
 * which catches a permit released twice. Otherwise exactly a {@link Semaphore}.
 *
 * @example
 * const slots = new BoundedSemaphore(2);
 * slots.release(); // throws InvalidStateError: released too many times
 */
export class BoundedSemaphore extends Semaphore {
  readonly #initial: number;

  constructor(value = 1) {
    super(value);
    this.#initial = value;
  }

  protected override checkRelease(value: number): void {
    if (value >= this.#initial) throw new InvalidStateError('BoundedSemaphore released too many times');
  }

  /** `'BoundedSemaphore'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  override get [Symbol.toStringTag](): string {
    return 'BoundedSemaphore';
  }
}
