/**
 * `toProcess(fn, ...args)`: `toThread`'s sibling, on the runtime's process pool.
 */
import type { Unfuture } from '../core/future';
import { assertFunction } from '../core/validate';
import { inWorker, locateFunction } from '../executors/registry';
import { getExecutor } from './pools';
import { runInline } from './to-thread';

/**
 * Run `fn(...args)` in a child process and return its Unfuture (`executor: 'process'`).
 *
 * `fn` must be findable in a child: registered (`unsync(fn)`, `unsyncRegister(fn)`) or
 * exported by a loaded CommonJS module; otherwise `LocateError` is thrown at once. The
 * process pool starts on the first call (`configure({ process })` sets it up). Arguments
 * and the result travel by structured clone (`CloneError` names the argument that cannot).
 * Cancelling the Unfuture removes the call if it has not started, or kills its child if it
 * runs (the pool replaces the child). Errors thrown by `fn` come back as the same class; a
 * child that dies mid-call gives `WorkerCrashedError` with its exit code or signal.
 *
 * Inside a worker (thread or process) `fn` runs inline, at once, instead of starting a
 * process pool inside the worker (as `toThread` does): the Unfuture (`executor: 'loop'`) is
 * already done for a sync `fn`, and follows the promise of an async one.
 *
 * @example
 * export function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 * unsyncRegister(fib);
 * const value = await toProcess(fib, 35);
 */
export function toProcess<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>> {
  assertFunction('fn', fn);
  if (inWorker()) return runInline(fn, args);
  const ref = locateFunction(fn);
  return getExecutor('process').submit<Awaited<R>>({ file: ref.file, name: ref.name }, args);
}
