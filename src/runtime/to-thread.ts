/**
 * `toThread(fn, ...args)`: asyncio's `to_thread`, on the runtime's thread pool.
 */
import type { Unfuture } from '../core/future';
import { assertFunction } from '../core/validate';
import { locateFunction } from '../executors/registry';
import { getExecutor } from './pools';

/**
 * Run `fn(...args)` on a worker thread and return its Unfuture (`executor: 'thread'`).
 *
 * `fn` must be findable in a worker: registered (`unsync(fn)`, `unsyncRegister(fn)`) or
 * exported by a loaded CommonJS module; otherwise `LocateError` is thrown at once. The
 * thread pool starts on the first call. Arguments and the result travel by structured
 * clone (`CloneError` names the argument that cannot). Cancelling the Unfuture removes the
 * call if it is queued, or terminates its thread if it runs. Errors thrown by `fn` come
 * back as the same class; a crashed thread gives `WorkerCrashedError`.
 *
 * @example
 * export function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 * unsyncRegister(fib);
 * const value = await toThread(fib, 35);
 */
export function toThread<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>> {
  assertFunction('fn', fn);
  const ref = locateFunction(fn);
  return getExecutor('thread').submit<Awaited<R>>({ file: ref.file, name: ref.name }, args);
}
