/**
 * `waitFor`: asyncio's `wait_for`, await with a deadline that cancels.
 */
import { TimeoutError, isCancelledError } from '../core/errors';
import { Unfuture } from '../core/future';
import { discardValue, onSettled, pendingFuture, rejectFuture, resolveFuture, setDiscardHook } from '../core/future-internal';
import { assertTimeout, timerDelay } from '../core/validate';
import { type Awaitable, toFuture } from './awaitable';

/**
 * Await `aw` for at most `ms` milliseconds.
 *
 * On the deadline the inner work is cancelled, `waitFor` waits for it to finish
 * cancelling, then throws `TimeoutError` whose `cause` is the inner `CancelledError`. If
 * the inner work swallows the cancellation and returns a value, that value is returned.
 * `null` means no deadline; `0` or less expires at once (a task that has not started yet
 * is cancelled before its body runs). Cancelling `waitFor` cancels the inner work too.
 *
 * A foreign promise cannot be stopped: it is abandoned at the deadline (the `TimeoutError`
 * comes at once) and keeps running in the background. Pass a function or an Unfuture to
 * get real cancellation.
 *
 * @example
 * try { await waitFor(() => fetchSlowly(), 1000); } catch (e) { if (isTimeoutError(e)) ... }
 */
export function waitFor<T>(aw: Awaitable<T>, ms: number | null): Unfuture<T> {
  assertTimeout('ms', ms);
  const inner = toFuture('aw', aw);
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  // An outside cancellation wins over our own deadline (asyncio's cancel-count rule): once
  // the caller cancelled, an inner task that ends cancelled means CancelledError, never
  // TimeoutError, even when the deadline had already fired.
  let cancelledFromOutside = false;
  const outer = pendingFuture<T>({
    onCancel: (message) => {
      // The inner work already finished and its outcome is on the way: decline. A task
      // awaiting us then gets the cancellation instead of the value, and the value goes
      // back to the inner future's producer through the discard hook below.
      if (inner.done()) return false;
      cancelledFromOutside = true;
      clearTimeout(timer);
      // Cancelling the wait cancels the inner work; the outer ends when it has.
      if (!inner.cancel(message)) return false;
      return true;
    },
  });
  // A value of ours that its consumer drops is the inner future's value: let its producer
  // take it back (a queue item, a lock guard).
  setDiscardHook(outer, (value) => discardValue(inner, value));
  onSettled(inner, (f) => {
    clearTimeout(timer);
    if (timedOut && !cancelledFromOutside && f.cancelled()) {
      rejectFuture(outer, new TimeoutError(`timed out after ${ms} ms`, { cause: cancelledErrorOf(f) }));
    } else {
      resolveFuture(outer, f);
    }
  });
  const expire = (): void => {
    if (inner.done() || outer.done()) return;
    timedOut = true;
    inner.cancel(`waitFor: timed out after ${ms} ms`);
  };
  if (ms != null) {
    if (ms <= 0) expire();
    else timer = setTimeout(expire, timerDelay(ms));
  }
  return outer;
}

function cancelledErrorOf(f: Unfuture<unknown>): unknown {
  try {
    f.result();
  } catch (error) {
    if (isCancelledError(error)) return error;
  }
  return undefined;
}
