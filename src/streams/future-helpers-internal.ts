/**
 * Small future builders shared by the streams area. Internal: not exported by the barrel.
 */
import { Unfuture, cancelFuture, pendingFuture, rejectFuture, resolveFuture } from '../core/future';

/** An Unfuture already rejected with `error` (for state errors found before any waiting). */
export function failedFuture<T>(error: unknown): Unfuture<T> {
  const f = pendingFuture<T>();
  rejectFuture(f, error);
  return f;
}

/**
 * A producer-owned future that settles from `source`: `onValue` maps a value, `onError`
 * maps an error (return or throw). Cancelling it cancels `source` and settles as cancelled
 * only once `source` has. Unlike `then()`, the mapping callbacks also run when the source
 * ends cancelled (`onSettled`), so bookkeeping can never be skipped.
 */
export function mapFuture<S, T>(
  source: Unfuture<S>,
  onValue: (value: S) => T,
  onError: (error: unknown) => T,
  onSettled?: () => void,
): Unfuture<T> {
  const target = pendingFuture<T>({ onCancel: (message) => source.cancel(message) });
  source.addDoneCallback((done) => {
    onSettled?.();
    if (done.cancelled()) {
      cancelFuture(target, safeCancelled(done));
      return;
    }
    try {
      const error = done.exception();
      resolveFuture(target, error === null ? onValue(done.result()) : onError(error));
    } catch (error) {
      rejectFuture(target, error);
    }
  });
  return target;
}

function safeCancelled(f: Unfuture<unknown>): any {
  try {
    return f.exception();
  } catch (error) {
    return error;
  }
}
