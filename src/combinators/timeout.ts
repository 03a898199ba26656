/**
 * `timeout`: asyncio's `timeout()` scope, a deadline around a block of code.
 */
import { TimeoutError, isCancelledError } from '../core/errors';
import { Unfuture } from '../core/future';
import { cancelFuture, onSettled, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { createTask } from '../core/task';
import { assertFunction, assertTimeout, timerDelay } from '../core/validate';

/** The handle a {@link timeout} body receives: read or move its deadline. */
export interface TimeoutScope {
  /** The deadline in `performance.now()` milliseconds, or null for none. */
  when(): number | null;
  /** Move the deadline to `ms` from now (null: no deadline). */
  reschedule(ms: number | null): void;
  /** True once the deadline fired. */
  expired(): boolean;
}

/**
 * Run `fn` with a deadline of `ms` milliseconds (asyncio's `async with timeout(...)`).
 *
 * The body runs as a child task. When the deadline passes, the body is cancelled: it sees
 * `CancelledError` at its current await and may clean up. If it ends cancelled because of
 * *this* deadline, the caller gets `TimeoutError` (cause: that `CancelledError`); any other
 * outcome passes through unchanged — a cancellation from outside stays `CancelledError`,
 * and an inner scope's `TimeoutError` passes through an outer scope as an ordinary error.
 * `null` means no deadline; `0` or less expires on the next turn of the event loop.
 *
 * @example
 * await timeout(500, async (scope) => {
 *   await step1();
 *   scope.reschedule(500); // more time for step 2
 *   await step2();
 * });
 */
export function timeout<T>(ms: number | null, fn: (scope: TimeoutScope) => T | PromiseLike<T>): Unfuture<T> {
  assertTimeout('ms', ms);
  assertFunction('fn', fn);
  let deadline: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let fired = false;
  let cancelledFromOutside = false;
  const scope: TimeoutScope = {
    when: () => deadline,
    expired: () => fired,
    reschedule(next) {
      assertTimeout('ms', next);
      if (fired || body.done()) return;
      clearTimeout(timer);
      if (next == null) {
        deadline = null;
        return;
      }
      deadline = performance.now() + next;
      timer = setTimeout(expire, timerDelay(next));
    },
  };
  const body = createTask(() => fn(scope));
  const outer = pendingFuture<T>({
    onCancel: (message) => {
      clearTimeout(timer);
      cancelledFromOutside = true;
      // The body may have settled already, its outcome not yet copied to `outer` (that
      // happens on a later microtask): then nothing can carry the request, so settle as
      // cancelled now, as waitFor does. Otherwise `outer` would later fulfil and the
      // awaiting task, told the request was delivered, would never see it.
      if (!body.cancel(message)) cancelFuture(outer, message);
    },
  });
  function expire(): void {
    if (body.done()) return;
    fired = true;
    body.cancel(`timeout: deadline of ${ms} ms exceeded`);
  }
  onSettled(body, (f) => {
    clearTimeout(timer);
    if (fired && !cancelledFromOutside && f.cancelled()) {
      let cause: unknown;
      try {
        f.result();
      } catch (error) {
        cause = isCancelledError(error) ? error : undefined;
      }
      rejectFuture(outer, new TimeoutError(`timed out after ${ms} ms`, { cause }));
    } else {
      resolveFuture(outer, f);
    }
  });
  scope.reschedule(ms);
  return outer;
}
