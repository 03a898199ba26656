/**
 * `shutdown()`: Python's `Executor.shutdown`, for every executor of the runtime.
 */
import { assertOptions, expected } from '../core/validate';
import { runShutdownHooks, type ShutdownOptions } from './lifecycle';
import './pools';

/**
 * Shut the executors down. New calls are not refused: one made after (or during) a
 * shutdown starts fresh pools lazily.
 *
 * `wait` (default true): resolve once running calls finished and workers exited; with
 * `false` resolve at once and let them finish in the background. `cancelPending` (default
 * false): cancel calls that have not started (their Unfutures end cancelled); running calls
 * always finish. Errors of several executors are thrown together as an `AggregateError`.
 *
 * @example
 * await shutdown({ cancelPending: true });
 */
export async function shutdown(options?: ShutdownOptions): Promise<void> {
  assertOptions('options', options, ['wait', 'cancelPending']);
  for (const key of ['wait', 'cancelPending'] as const) {
    const value = options?.[key];
    if (value !== undefined && typeof value !== 'boolean') throw new TypeError(expected(`options.${key}`, 'a boolean', value));
  }
  await runShutdownHooks(options);
}
