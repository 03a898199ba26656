/**
 * Blocking for a result: Python unsync's `Unfuture.result()` for sync callers, and
 * `unsync.sync(asyncFn)`. Both go through `Unfuture.resultSync`, which blocks through the
 * synchronous reply channel an executor installs (`syncWaiters` in src/core/hooks.ts:
 * `Atomics.wait` on a flag the worker's reply flips, then `receiveMessageOnPort`), and
 * refuses the loop and executors without one. The design is in docs/decorator.md.
 */
import { InvalidStateError, LocateError } from '../src/core/errors';
import type { Unfuture } from '../src/core/future';
import { syncWaiters } from '../src/core/hooks';
import { assertFunction, assertTimeout, expected } from '../src/core/validate';
import { registerForWorkers, runningInWorker, submitToPool } from './dispatch';

/**
 * The future's value, blocking the calling thread until it is done when that is safe
 * (the function form of `future.resultSync(timeoutMs)`).
 *
 * - Done: the value (throws the error, or the `CancelledError`).
 * - Pending on the event loop: throws `InvalidStateError`, because blocking this thread
 *   would stop the very loop that has to finish it (Python unsync does the same inside
 *   its loop).
 * - Pending on a thread or process: blocks until the worker's reply arrives, at most
 *   `timeoutMs` (then `TimeoutError`), when that executor has a synchronous reply channel;
 *   otherwise throws `InvalidStateError` saying so.
 *
 * @example
 * const f = unsync(() => 42)();   // a tiny sync function runs inline: already done
 * resultSync(f);                  // 42
 */
export function resultSync<T>(future: Unfuture<T>, timeoutMs?: number | null): T {
  if (future === null || typeof future !== 'object' || typeof (future as { resultSync?: unknown }).resultSync !== 'function') {
    throw new TypeError(expected('future', 'an Unfuture', future));
  }
  assertTimeout('timeoutMs', timeoutMs);
  return future.resultSync(timeoutMs);
}

/**
 * `unsync.sync(asyncFn)`: a synchronous version of a function (typically async), which runs
 * it on the thread pool and blocks the caller until it finishes (`resultSync`). The
 * function must be defined at module top level (a worker loads the module to find it): it
 * is registered at once, and a function a worker cannot find is a `LocateError` here, as
 * are argument errors. Calling the result throws `InvalidStateError` inside a worker, and
 * while the thread pool has no synchronous reply channel. `this` is not passed.
 *
 * @example
 * const readConfig = unsync.sync(async function readConfig(path: string) {
 *   return JSON.parse(await readFile(path, 'utf8'));
 * });
 * const config = readConfig('config.json'); // blocks, no await
 */
export function syncCall<A extends any[], R>(fn: (...args: A) => R): (...args: A) => Awaited<R> {
  assertFunction('fn', fn);
  const name = fn.name || 'anonymous';
  const registration = registerForWorkers((...args: A) => fn(...args), fn.name || 'unsync.sync');
  if ('unlocatable' in registration) {
    throw new LocateError(`unsync.sync(${name}) runs its function on the thread pool, but ${registration.unlocatable}`, {
      qualifiedName: name,
    });
  }
  const { ref } = registration;
  const blocking = function (...args: A): Awaited<R> {
    if (runningInWorker()) {
      throw new InvalidStateError(`unsync.sync(${name}) was called inside a worker, which must not block on the pool it belongs to; await the function instead`);
    }
    if (syncWaiters.thread === undefined) {
      // Checked before sending: refusing after the call started would leave it running.
      throw new InvalidStateError(
        `unsync.sync(${name}) needs the thread executor's synchronous reply channel, which this build does not have yet`,
      );
    }
    return submitToPool<Awaited<R>>('thread', ref, args, { timeout: null, name }).resultSync();
  };
  Object.defineProperty(blocking, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(blocking, 'length', { value: fn.length, configurable: true });
  return blocking;
}
