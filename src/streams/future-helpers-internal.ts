/**
 * Small future builders shared by the streams area. Internal: not exported by the barrel.
 */
import { Unfuture } from '../core/future';
import { cancelFuture, pendingFuture, rejectFuture, resolveFuture, setDiscardHook } from '../core/future-internal';

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
 *
 * A cancel that arrives after `source` settled but before its outcome was copied here (a
 * later microtask) cannot reach `source` any more: the target then settles as cancelled at
 * once, so the request is not lost for the task awaiting it, and a value `source` produced
 * goes to `onDiscard` (give the bytes back, close the socket) instead of vanishing. One
 * microtask later the target has fulfilled; a task whose body is the target and that then
 * ends cancelled drops the value, and `onDiscard` gets the source value it was made from
 * (the core's discard hook).
 */
export function mapFuture<S, T>(
  source: Unfuture<S>,
  onValue: (value: S) => T,
  onError: (error: unknown) => T,
  onSettled?: () => void,
  onDiscard?: (value: S) => void,
): Unfuture<T> {
  const target = pendingFuture<T>({
    onCancel: (message) => {
      if (!source.cancel(message)) cancelFuture(target, message);
    },
  });
  source.addDoneCallback((done) => {
    onSettled?.();
    if (target.done()) {
      if (done.state === 'fulfilled') onDiscard?.(done.result());
      return;
    }
    if (done.cancelled()) {
      cancelFuture(target, safeCancelled(done));
      return;
    }
    try {
      const error = done.exception();
      if (error === null && onDiscard !== undefined) {
        const produced = done.result();
        setDiscardHook(target, () => onDiscard(produced));
      }
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
