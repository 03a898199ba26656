/**
 * The types around `Unfuture` that do not mention the class itself: states, options,
 * cancel hooks, timing data, debug records. Kept apart from the class so the state
 * machine's file stays about logic. This module imports nothing, so every core module may
 * use it; the types that name `Unfuture` (done callbacks, the producer's controller, the
 * hook slots) are declared in future.ts, next to the class.
 */

/** Where a future's work runs. The remote executor will add its own name. */
export type ExecutorKind = 'loop' | 'thread' | 'process' | 'remote' | (string & {});

/** The public state of an Unfuture. */
export type FutureState = 'pending' | 'fulfilled' | 'rejected' | 'cancelled';

/**
 * Cancel hook of a producer-owned future: undo the work, then settle via `cancelFuture`.
 * Returning `false` declines: the work already produced its outcome (which is about to be
 * delivered), so `cancel()` returns false and a cancelled task receives the request at its
 * next await instead of losing that outcome.
 */
export type CancelHook = (message: string | undefined) => void | boolean;

/** Options for {@link Unfuture.withResolvers}. */
export interface FutureOptions {
  /** Where the work runs (default `'loop'`). */
  executor?: ExecutorKind;
  /** Name shown by `getName()` (default `Future-N`). */
  name?: string;
  /**
   * Called on the first `cancel(msg)` while pending. It must eventually settle the future
   * (usually with the controller's `cancel(msg)`) once the underlying work is stopped.
   */
  onCancel?: CancelHook;
  /** Record creation/start/settle times (default true; waiters and timers may skip it). */
  timed?: boolean;
}

/** Timing data of one future, in `performance.now()` milliseconds. */
export interface FutureTiming {
  /** When the future was made (`performance.now()`); undefined for a task made outside debug mode. */
  readonly createdAt: number | undefined;
  /** When the work started (a task's body, a pool call picked up by a worker); undefined if never. */
  readonly startedAt: number | undefined;
  /** When it settled (`performance.now()`); undefined while pending or when not timed. */
  readonly settledAt: number | undefined;
}

/**
 * The small state object debug mode shares between a future and a `FinalizationRegistry`
 * (which must never hold the future itself). The future keeps it in its `observed` slot
 * and writes to it when it settles or is first observed; after the future is collected
 * the record says what happened to it.
 */
export interface DebugRecord {
  /** True once anything looked at the outcome (then/await, a done callback, result, exception). */
  observed: boolean;
  /** The future's state, updated when it settles. */
  state: FutureState;
  /** The future's name, updated by `setName`. */
  name: string;
}
