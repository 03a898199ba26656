/**
 * `toThread(fn, ...args)`: asyncio's `to_thread`, on the runtime's thread pool.
 */
import { type Unfuture } from '../core/future';
import { pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { assertFunction, expected } from '../core/validate';
import { inWorker, locateFunction } from '../executors/registry';
import { LocalStream, isGeneratorFunction, type UnsyncStream } from '../executors/unsync-stream';
import { getExecutor } from './pools';
import type { Executor } from '../executors/executor';
import { mapOn, resolveMapOptions, type MapIterator, type MapOptions } from '../executors/map';

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
 * Inside a worker (thread or process) `fn` runs inline, at once, instead of starting a
 * pool inside the worker: the Unfuture (`executor: 'loop'`) is already done for a sync
 * `fn`, and follows the promise of an async one.
 *
 * A generator function (`function*`, `async function*`) returns an `UnsyncStream` of what it
 * yields instead (`for await (const x of toThread(gen, ...args))`): values arrive as they are
 * yielded, at most 16 ahead of the consumer; leaving the loop early stops the generator.
 *
 * @example
 * export function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 * unsyncRegister(fib);
 * const value = await toThread(fib, 35);
 */
export function toThread<A extends unknown[], T>(fn: (...args: A) => Generator<T, unknown, undefined> | AsyncGenerator<T, unknown, undefined>, ...args: A): UnsyncStream<T>;
export function toThread<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>>;
export function toThread<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>> | UnsyncStream<unknown> {
  assertFunction('fn', fn);
  const generator = isGeneratorFunction(fn);
  if (inWorker()) return generator ? new LocalStream(fn(...args) as Iterator<unknown>) : runInline(fn, args);
  const ref = locateFunction(fn);
  const executor = getExecutor('thread');
  if (generator && executor.stream !== undefined) return executor.stream({ file: ref.file, name: ref.name }, args);
  return executor.submit<Awaited<R>>({ file: ref.file, name: ref.name }, args);
}

/**
 * @internal `fn(...args)` here and now, as an Unfuture (`executor: 'loop'`): how `toThread`
 * and `toProcess` run inside a worker. Done at once for a sync `fn` (a throw rejects it);
 * follows the promise of an async one.
 */
export function runInline<A extends unknown[], R>(fn: (...args: A) => R, args: A): Unfuture<Awaited<R>> {
  const future = pendingFuture<Awaited<R>>({ name: fn.name || undefined });
  try {
    resolveFuture(future, fn(...args) as Awaited<R> | PromiseLike<Awaited<R>>);
  } catch (error) {
    rejectFuture(future, error);
  }
  return future;
}

/** Options of {@link map}: {@link MapOptions} plus where the chunks run. */
export interface RuntimeMapOptions extends MapOptions {
  /** `'thread'` (default), `'process'`, or an executor you made. */
  executor?: 'thread' | 'process' | Executor;
}

/**
 * `map(fn, iterable, { executor, chunkSize, concurrency, ordered, signal })`: Python's
 * `Executor.map` with chunks. Returns an async iterable of `fn(item)` results, in input
 * order unless `ordered: false`. Items travel `chunkSize` per message and at most
 * `concurrency` chunks run at once, so tiny per-item work is not drowned by per-call cost.
 *
 * Cancellation: `signal`, the iterator's `cancel()`, or leaving the `for await` loop stops
 * the whole map: chunks not started are removed, running ones stopped as the pool stops a
 * cancelled call. Errors: an error `fn` throws for an item is thrown by the iteration at
 * that item's position. `fn` must be locatable in a worker (see {@link toThread}). Inside a
 * worker the items are mapped inline.
 *
 * @example
 * for await (const size of map(fileSize, paths, { chunkSize: 256 })) total += size;
 */
export function map<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>, options?: RuntimeMapOptions): MapIterator<Awaited<R>> {
  assertFunction('fn', fn);
  const { executor, ...rest } = options ?? {};
  resolveMapOptions(options, ['executor']);
  if (executor !== undefined && executor !== 'thread' && executor !== 'process' && typeof (executor as Partial<Executor> | null)?.submit !== 'function') {
    throw new TypeError(expected('options.executor', "'thread', 'process' or an Executor", executor));
  }
  if (inWorker()) return mapInline(fn, iterable);
  const target = typeof executor === 'string' ? getExecutor(executor) : (executor ?? getExecutor('thread'));
  const ref = locateFunction(fn);
  return mapOn<T, Awaited<R>>(target, { file: ref.file, name: ref.name }, iterable, rest);
}

function mapInline<T, R>(fn: (item: T) => R, iterable: Iterable<T> | AsyncIterable<T>): MapIterator<Awaited<R>> {
  let cancelled = false;
  async function* run(): AsyncGenerator<Awaited<R>> {
    for await (const item of iterable) {
      if (cancelled) return;
      yield await fn(item);
    }
  }
  return Object.assign(run(), { cancel: () => void (cancelled = true) });
}
