/**
 * The types around `Unfuture`: states, callbacks, options, the producer's controller and
 * timing data. Kept apart from the class so the state machine's file stays about logic.
 */
import type { Unfuture } from './future';

/** Where a future's work runs. The remote executor will add its own name. */
export type ExecutorKind = 'loop' | 'thread' | 'process' | (string & {});

/** The public state of an Unfuture. */
export type FutureState = 'pending' | 'fulfilled' | 'rejected' | 'cancelled';

/** A done callback: receives the settled future. */
export type DoneCallback<T> = (future: Unfuture<T>) => void;

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

/** The producer's side of a future made by {@link Unfuture.withResolvers}. */
export interface FutureController<T> {
  readonly future: Unfuture<T>;
  /** Fulfil (or adopt a thenable). False when already settled. */
  resolve(value: T | PromiseLike<T>): boolean;
  /** Reject. False when already settled. */
  reject(error: unknown): boolean;
  /** Settle as cancelled. False when already settled. */
  cancel(message?: string): boolean;
  /** Record the moment the work actually started (timing data). */
  start(): void;
}

/** Timing data of one future, in `performance.now()` milliseconds. */
export interface FutureTiming {
  readonly createdAt: number | undefined;
  /** When the work started (a task's body, a pool call picked up by a worker); undefined if never. */
  readonly startedAt: number | undefined;
  readonly settledAt: number | undefined;
}
