/**
 * `toProcess(fn, ...args)`: `toThread`'s sibling, on the runtime's process pool.
 */
import type { Unfuture } from '../core/future';
import { assertFunction } from '../core/validate';
import { inWorker, locateFunction } from '../executors/registry';
import { LocalStream, isGeneratorFunction, type UnsyncStream } from '../executors/unsync-stream';
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
 * A generator function (`function*`, `async function*`) returns an `UnsyncStream` of what it
 * yields instead (`for await (const x of toProcess(gen, ...args))`): values arrive as they are
 * yielded, at most 16 ahead of the consumer; leaving the loop early stops the generator.
 *
 * @example
 * export function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 * unsyncRegister(fib);
 * const value = await toProcess(fib, 35);
 */
export function toProcess<A extends unknown[], T>(fn: (...args: A) => Generator<T, unknown, undefined> | AsyncGenerator<T, unknown, undefined>, ...args: A): UnsyncStream<T>;
export function toProcess<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>>;
export function toProcess<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>> | UnsyncStream<unknown> {
  assertFunction('fn', fn);
  const generator = isGeneratorFunction(fn);
  if (inWorker()) return generator ? new LocalStream(fn(...args) as Iterator<unknown>) : runInline(fn, args);
  const ref = locateFunction(fn);
  const executor = getExecutor('process');
  if (generator && executor.stream !== undefined) return executor.stream({ file: ref.file, name: ref.name }, args);
  return executor.submit<Awaited<R>>({ file: ref.file, name: ref.name }, args);
}
