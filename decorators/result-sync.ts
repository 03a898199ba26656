/**
 * Blocking for a result: Python unsync's `Unfuture.result()` for sync callers, and
 * `unsync.sync(asyncFn)`. Both block through the executors' synchronous reply channel
 * (`future.resultSync`, see docs/executors.md "Blocking for a thread call" and "Blocking
 * for a process call"): the thread pool's answers are read with `Atomics.wait` +
 * `receiveMessageOnPort`, a child process's from an answer file, so the calling thread
 * sleeps until the worker answers without needing its own event loop.
 */
import { InvalidStateError } from '../src/core/errors';
import { LocateError, isLocateError } from '../src/core/executor-errors';
import type { Unfuture } from '../src/core/future';
import { assertFunction, assertTimeout, expected } from '../src/core/validate';
import { inWorker, unsyncRegister } from '../src/executors';
import { registeredRef, type RegisteredRef } from '../src/executors/registry';
import { getExecutor } from '../src/runtime/pools';

/**
 * The future's value, blocking the calling thread until it is done when that is safe.
 *
 * - Done: the value (throws the error, or the `CancelledError`).
 * - Pending on the event loop: throws `InvalidStateError`, because blocking this thread
 *   would stop the very loop that has to finish it (Python unsync does the same inside
 *   its loop).
 * - Pending on a thread: blocks until the worker answers, at most `timeoutMs` (then
 *   `TimeoutError`; the call goes on and the future settles later as usual). A call still
 *   queued is sent to a thread first. Cancellation or a crash of the thread ends the wait
 *   with the future's outcome.
 * - Pending on a process: blocks likewise; the child writes the answer to a file this
 *   thread polls (docs/executors.md, "Blocking for a process call"). A child that dies
 *   while the caller blocks ends the wait with `InvalidStateError` (await the future to
 *   see how the call ended).
 * - A pending chain on a pool call (`call.then(f)`): throws `InvalidStateError` saying so,
 *   since its continuation needs the event loop. Block on the call itself, or await.
 *
 * @example
 * const f = toThread(countLines, 'big.log');
 * const n = resultSync(f, 5000); // blocks this thread, at most 5 s
 */
export function resultSync<T>(future: Unfuture<T>, timeoutMs?: number | null): T {
  if (future === null || typeof future !== 'object' || typeof (future as { resultSync?: unknown }).resultSync !== 'function') {
    throw new TypeError(expected('future', 'an Unfuture', future));
  }
  assertTimeout('timeoutMs', timeoutMs);
  // A chain (`call.then(f)`) is refused by Unfuture.resultSync with a message saying so.
  return future.resultSync(timeoutMs);
}

/**
 * `unsync.sync(asyncFn)`: a synchronous version of an async (or sync) function, which runs
 * it on a worker thread and blocks the caller until it finishes, returning its value or
 * throwing its error (rebuilt with this realm's classes).
 *
 * `fn` must be findable in a worker: define it at module top level (it is registered here,
 * so a worker that loads the module finds it). A function that cannot be located is
 * refused at once with `LocateError`. Inside a worker the synchronous version throws
 * `InvalidStateError` (a worker has no thread pool to block on). Arguments and the value
 * travel by structured clone.
 *
 * @example
 * export const readConfig = unsync.sync(async function readConfig(path: string) {
 *   return JSON.parse(await readFile(path, 'utf8'));
 * });
 * const config = readConfig('config.json'); // blocks, no await
 */
export function syncCall<A extends any[], R>(fn: (...args: A) => R): (...args: A) => Awaited<R> {
  assertFunction('fn', fn);
  const label = fn.name || 'anonymous';
  let ref: RegisteredRef;
  try {
    ref = registeredRef(fn) ?? unsyncRegister(fn);
  } catch (error) {
    if (!isLocateError(error)) throw error;
    throw new LocateError(`unsync.sync(${label}) runs its function on the thread pool, but ${(error as Error).message}`, {
      cause: error,
      qualifiedName: (error as LocateError).qualifiedName,
    });
  }
  const callRef = { file: ref.file, name: ref.name };
  const blocking = function (...args: A): Awaited<R> {
    if (inWorker()) {
      throw new InvalidStateError(`unsync.sync(${label}) was called inside a worker, which has no thread pool to block on: await ${label}() there instead`);
    }
    return getExecutor('thread').submit<Awaited<R>>(callRef, args, { name: label }).resultSync();
  };
  Object.defineProperty(blocking, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(blocking, 'length', { value: fn.length, configurable: true });
  return blocking;
}
