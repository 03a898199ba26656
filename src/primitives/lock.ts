/**
 * `Lock`: asyncio's mutex on the shared waiter core, with strict FIFO hand-off.
 */
import { CancelledError, InvalidStateError } from '../core/errors';
import { Unfuture } from '../core/future';
import { createTask, currentTask } from '../core/task';
import { assertFunction } from '../core/validate';
import { WaiterQueue, assertSignalOptions, cancelledFuture, type SignalOptions } from '../core/waiters';
import { Guard } from './guard';

/**
 * @internal For Condition: release the lock but keep the holder's guard valid, and later
 * re-acquire it for that same guard (so `await using` around a `wait()` still releases).
 */
export let suspendHold: (lock: Lock) => Guard;
/** @internal See {@link suspendHold}. */
export let resumeHold: (lock: Lock, guard: Guard) => Unfuture<Guard>;

/** What {@link Lock.statistics} returns (a frozen plain object). */
export interface LockStatistics {
  /** Whether a task holds the lock (`locked()`). */
  readonly locked: boolean;
  /** Tasks parked in `acquire()`. */
  readonly waiters: number;
}

/** Give back a hold nobody will see (the acquiring task was cancelled after the hand-off). */
function releaseDropped(guard: Guard): void {
  guard.release();
}

/**
 * A mutual-exclusion lock (asyncio's `Lock`). Not reentrant, no owner check (any code may
 * release it, as in asyncio).
 *
 * Ordering: strict FIFO. `release()` with waiters hands the lock straight to the first one
 * (the lock never looks free in between, so nobody can barge in). Cancellation: a waiter
 * cancelled while parked (task cancel, `future.cancel()`, `options.signal`) leaves no
 * trace; a cancel racing a `release()` either leaves first (the lock goes to the next live
 * waiter) or comes second (the waiter already holds the lock and must release it — the
 * `acquire()` future is fulfilled, `cancel()` returns false). Errors: releasing an unlocked
 * lock throws `InvalidStateError`.
 *
 * @example
 * const lock = new Lock();
 * await lock.runExclusive(async () => { await write(file); });
 * // or
 * { await using _held = await lock.acquire(); await write(file); }
 */
export class Lock {
  // Invariant: #owner is defined exactly while locked; #waiters.size > 0 implies locked.
  #owner: Guard | undefined = undefined;
  // A waiter parks with the guard it resumes (a Condition waiter re-acquiring), or none.
  // A guard handed to a task that was cancelled before it resumed is released at once.
  readonly #waiters = new WaiterQueue<Guard, Guard | undefined>({ onDiscard: releaseDropped });
  readonly #releaseGuard = (guard: Guard): void => {
    if (this.#owner === guard) this.release();
  };

  /**
   * Acquire the lock: fulfils with a {@link Guard} for this hold once the lock is yours
   * (at once when free and nobody waits). Cancellable three ways; see the class comment.
   */
  acquire(options?: SignalOptions): Unfuture<Guard> {
    if (options !== undefined) {
      assertSignalOptions(options);
      if (options.signal?.aborted) return cancelledFuture(options.signal);
    }
    if (this.#owner === undefined) {
      this.#owner = new Guard(this.#releaseGuard);
      return this.#waiters.fulfilled(this.#owner, undefined);
    }
    return this.#waiters.park(undefined, options);
  }

  /**
   * Release the lock; the first waiter (if any) gets it at once. Throws
   * `InvalidStateError` when the lock is not held.
   */
  release(): void {
    const owner = this.#owner;
    if (owner === undefined) throw new InvalidStateError('Lock is not acquired');
    owner.invalidate();
    if (this.#waiters.size === 0) {
      this.#owner = undefined;
      return;
    }
    this.#handOff();
  }

  static {
    suspendHold = (lock) => {
      const owner = lock.#owner;
      if (owner === undefined) throw new InvalidStateError('Lock is not acquired');
      if (lock.#waiters.size === 0) lock.#owner = undefined;
      else lock.#handOff();
      return owner;
    };
    resumeHold = (lock, guard) => {
      if (lock.#owner === undefined) {
        lock.#owner = guard;
        return Unfuture.fromValue(guard);
      }
      return lock.#waiters.park(guard);
    };
  }

  #handOff(): void {
    const next = this.#waiters.peekData() ?? new Guard(this.#releaseGuard);
    this.#owner = next;
    this.#waiters.wakeOne(next);
  }

  /** True while somebody holds the lock. */
  locked(): boolean {
    return this.#owner !== undefined;
  }

  /**
   * Run `fn` holding the lock, in a new task, and release the lock however it ends.
   * Cancelling the returned Unfuture (or the task awaiting it) cancels the wait for the
   * lock, or `fn` at its current await; a cancel that lands right after the lock was handed
   * over releases it to the next waiter without running `fn`.
   *
   * @example
   * const total = await lock.runExclusive(() => counter.add(1));
   */
  runExclusive<T>(fn: () => T | PromiseLike<T>, options?: SignalOptions): Unfuture<T> {
    assertFunction('fn', fn);
    assertSignalOptions(options);
    return createTask(async () => {
      const guard = await this.acquire(options);
      // A cancel that arrived after the hand-off but before this body resumed: give the
      // lock to the next live waiter instead of running fn (asyncio's rule).
      if (currentTask()!.cancelling() > 0) {
        guard.release();
        throw new CancelledError('cancelled while acquiring the lock');
      }
      try {
        return await fn();
      } finally {
        guard.release();
      }
    });
  }

  /** Holder state and waiter count, as a frozen plain object. */
  statistics(): LockStatistics {
    return Object.freeze({ locked: this.#owner !== undefined, waiters: this.#waiters.size });
  }

  /** `'Lock'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  get [Symbol.toStringTag](): string {
    return 'Lock';
  }
}
