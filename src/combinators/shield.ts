/**
 * `shield`: asyncio's `shield`, protect an awaitable from cancellation.
 */
import { Unfuture } from '../core/future';
import { onSettled, pendingFuture, resolveFuture } from '../core/future-internal';
import { type Awaitable, toFuture } from './awaitable';

/**
 * Return a future that follows `aw` but whose cancellation does not reach `aw`.
 *
 * Cancelling the returned future (or the task awaiting it) ends the returned future as
 * cancelled at once while `aw` keeps running to completion. If `aw` is cancelled by
 * someone else, the returned future is cancelled too. An already-done `aw` is returned
 * as is. Functions are started as tasks.
 *
 * @example
 * try { await shield(saveToDisk()); } catch (e) { if (isCancelledError(e)) { ... } }
 */
export function shield<T>(aw: Awaitable<T>): Unfuture<T> {
  const inner = toFuture('aw', aw);
  if (inner.done()) return inner;
  const outer = pendingFuture<T>();
  // Resolving with a settled future copies its outcome (value, error or cancellation).
  onSettled(inner, (f) => resolveFuture(outer, f));
  return outer;
}
