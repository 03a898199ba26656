/**
 * The options of `Unfuture.withResolvers` and their check, apart from the class: what a
 * producer may say about the pending future it makes (where the work runs, its name, how
 * to undo the work on cancel, whether to record timing).
 */
import type { CancelHook, ExecutorKind } from './future-types';
import { assertFunction, assertOptions, expected } from './validate';

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

const FUTURE_OPTIONS: readonly string[] = ['executor', 'name', 'onCancel', 'timed'];

/** Validate the options of {@link Unfuture.withResolvers}. */
export function assertFutureOptions(options: unknown): asserts options is FutureOptions | undefined {
  assertOptions('options', options, FUTURE_OPTIONS);
  if (options === undefined) return;
  const { executor, name, onCancel, timed } = options as FutureOptions;
  if (executor !== undefined && (typeof executor !== 'string' || executor.length === 0)) {
    throw new TypeError(expected('options.executor', 'a non-empty string', executor));
  }
  if (name !== undefined && typeof name !== 'string') throw new TypeError(expected('options.name', 'a string', name));
  if (onCancel !== undefined) assertFunction('options.onCancel', onCancel);
  if (timed !== undefined && typeof timed !== 'boolean') throw new TypeError(expected('options.timed', 'a boolean', timed));
}
