/**
 * `reportProgress(value)`: tell the caller of the call or task this code runs in how far it
 * got. In a worker the value goes to the parent through the call scope's sender (set by the
 * worker core, src/executors/worker/call-scope.cjs); on the loop it goes to the current
 * task's own Unfuture. See ./progress.ts for delivery.
 */
import { CALL_SCOPE_KEY, type CallScope } from './keys.cjs';
import { emitProgress } from './progress';
import { currentTask } from './task';

const slots = globalThis as unknown as { [CALL_SCOPE_KEY]?: CallScope };

/**
 * Send `value` (structured-cloneable) to the caller of the call or task this code runs in,
 * where `future.onProgress(callback)` receives it: from a thread or process call (also from
 * synchronous CPU-bound code that never yields: the value leaves at once), or from a loop
 * task. Outside any call or task it does nothing. Values reported faster than about one a
 * millisecond are coalesced (the last one wins); the last value reported always reaches the
 * caller before the call's result. Throws `TypeError` when a worker cannot send `value`
 * (it cannot be cloned).
 *
 * @example
 * export function crunch(items: number[]): number {
 *   let sum = 0;
 *   items.forEach((item, i) => {
 *     sum += heavy(item);
 *     reportProgress({ done: i + 1, of: items.length });
 *   });
 *   return sum;
 * }
 * // caller: const f = toThread(crunch, items); f.onProgress((p) => bar.update(p)); await f;
 */
export function reportProgress(value: unknown): void {
  const scope = slots[CALL_SCOPE_KEY];
  if (scope !== undefined) {
    scope.report?.(value);
    return;
  }
  const task = currentTask();
  if (task !== null && !task.done()) emitProgress(task, value);
}
