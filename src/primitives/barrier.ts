/**
 * `Barrier`: Python 3.11's asyncio barrier on the waiter core.
 */
import { BrokenBarrierError } from '../core/primitive-errors';
import { Unfuture } from '../core/future';
import { assertInteger } from '../core/validate';
import { WaiterQueue, assertSignalOptions, cancelledFuture, rejectedFuture, type SignalOptions } from '../core/waiters';

/** The state of a {@link Barrier}: filling (usable) or broken (until `reset()`). */
export type BarrierState = 'filling' | 'broken';

/** What {@link Barrier.statistics} returns (a frozen plain object). */
export interface BarrierStatistics {
  /** Tasks that must call `wait()` before all of them pass. */
  readonly parties: number;
  /** Parties parked in `wait()` for the current cycle. */
  readonly waiting: number;
  /** `'filling'` while it can be waited on; `'broken'` after `abort()`, until `reset()`. */
  readonly state: BarrierState;
}

/**
 * A barrier for `parties` tasks (Python 3.11's `asyncio.Barrier`): each `wait()` blocks
 * until `parties` calls are waiting, then all of them are released together and the
 * barrier is ready for its next cycle at once.
 *
 * Ordering: `wait()` fulfils with the party's arrival index in the cycle, `0` for the
 * first to arrive up to `parties - 1` for the one that completed it; released parties
 * resume in arrival order. Cancellation: a waiting party cancelled in any of the three ways
 * leaves the cycle (later arrivals take its place; the barrier is not broken, as in asyncio).
 * Errors: `reset()` rejects the waiting parties with `BrokenBarrierError`, then the barrier
 * is usable again; `abort()` rejects them and breaks the barrier, so `wait()` rejects until
 * `reset()`. `parties < 1` throws `RangeError`.
 *
 * @example
 * const barrier = new Barrier(3);
 * for (const job of jobs) createTask(async () => { await prepare(job); await barrier.wait(); await run(job); });
 */
export class Barrier {
  readonly #parties: number;
  #state: BarrierState = 'filling';
  // Invariant: #waiters.size < #parties, and it is 0 while broken.
  readonly #waiters = new WaiterQueue<number>();

  constructor(parties: number) {
    assertInteger('parties', parties, 1);
    this.#parties = parties;
  }

  /** Wait for the other parties; fulfils with this party's arrival index (see above). */
  wait(options?: SignalOptions): Unfuture<number> {
    if (options !== undefined) {
      assertSignalOptions(options);
      if (options.signal?.aborted) return cancelledFuture(options.signal);
    }
    if (this.#state === 'broken') return rejectedFuture(new BrokenBarrierError('the barrier was aborted'));
    const index = this.#waiters.size;
    if (index + 1 < this.#parties) return this.#waiters.park(undefined, options);
    this.#waiters.wakeAllWith((_data, i) => i);
    return Unfuture.fromValue(index);
  }

  /** Reject the waiting parties with `BrokenBarrierError` and start a fresh cycle (also un-breaks). */
  reset(): void {
    this.#waiters.rejectAll(new BrokenBarrierError('the barrier was reset'));
    this.#state = 'filling';
  }

  /** Break the barrier: reject the waiting parties and every later `wait()` until `reset()`. */
  abort(): void {
    this.#state = 'broken';
    this.#waiters.rejectAll(new BrokenBarrierError('the barrier was aborted'));
  }

  /** Number of parties needed to pass the barrier. */
  get parties(): number {
    return this.#parties;
  }

  /** Parties waiting in the current cycle. */
  get nWaiting(): number {
    return this.#waiters.size;
  }

  /** True once aborted (until `reset()`). */
  get broken(): boolean {
    return this.#state === 'broken';
  }

  /** Parties, waiting count and state, as a frozen plain object. */
  statistics(): BarrierStatistics {
    return Object.freeze({ parties: this.#parties, waiting: this.#waiters.size, state: this.#state });
  }

  /** `'Barrier'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  get [Symbol.toStringTag](): string {
    return 'Barrier';
  }
}
