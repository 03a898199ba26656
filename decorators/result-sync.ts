/**
 * Blocking for a result: Python unsync's `Unfuture.result()` for sync callers, and
 * `unsync.sync(asyncFn)`. The full design (Atomics.wait on a SharedArrayBuffer that the
 * worker's reply flips, then `receiveMessageOnPort` to read the reply synchronously) needs
 * a hook in the executors and is written out in docs/decorator.md; what can be done without
 * it is done here.
 */
import { InvalidStateError } from '../src/core/errors';
import type { Unfuture } from '../src/core/future';
import { assertFunction, assertTimeout, expected } from '../src/core/validate';

/**
 * The future's value, blocking the calling thread until it is done when that is safe.
 *
 * - Done: the value (throws the error, or the `CancelledError`).
 * - Pending on the event loop: throws `InvalidStateError`, because blocking this thread
 *   would stop the very loop that has to finish it (Python unsync does the same inside
 *   its loop).
 * - Pending on a thread or process: blocks with `Atomics.wait` until the worker's reply
 *   arrives, at most `timeoutMs` (then `TimeoutError`). This needs the executors'
 *   synchronous reply channel; until it exists this throws `InvalidStateError` saying so.
 *
 * @example
 * const f = unsync(() => 42)();   // a tiny sync function runs inline: already done
 * resultSync(f);                  // 42
 */
export function resultSync<T>(future: Unfuture<T>, timeoutMs?: number | null): T {
  if (future === null || typeof future !== 'object' || typeof (future as { done?: unknown }).done !== 'function') {
    throw new TypeError(expected('future', 'an Unfuture', future));
  }
  assertTimeout('timeoutMs', timeoutMs);
  if (future.done()) return future.result();
  if (future.executor === 'loop') {
    throw new InvalidStateError(
      `${future.getName()} runs on the event loop and is not done: blocking for it would deadlock; await it instead`,
    );
  }
  throw new InvalidStateError(
    `${future.getName()} runs on the ${future.executor} executor; blocking for it needs the executors' synchronous reply channel, which this build does not have yet: await it instead`,
  );
}

/**
 * `unsync.sync(asyncFn)`: a synchronous version of an async function, which runs it on a
 * worker thread and blocks the caller until it finishes. Needs the executors' synchronous
 * reply channel (docs/decorator.md); until then calling the result throws
 * `InvalidStateError`. Argument errors are reported at once.
 *
 * @example
 * const readConfig = unsync.sync(async (path: string) => JSON.parse(await readFile(path, 'utf8')));
 * const config = readConfig('config.json'); // blocks, no await
 */
export function syncCall<A extends any[], R>(fn: (...args: A) => R): (...args: A) => Awaited<R> {
  assertFunction('fn', fn);
  const blocking = function (this: unknown): Awaited<R> {
    throw new InvalidStateError(
      `unsync.sync(${fn.name || 'anonymous'}) needs the executors' synchronous reply channel, which this build does not have yet`,
    );
  };
  Object.defineProperty(blocking, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(blocking, 'length', { value: fn.length, configurable: true });
  return blocking as unknown as (...args: A) => Awaited<R>;
}
