/**
 * `toThread(fn, ...args)`: asyncio's `to_thread`, on the runtime's thread pool.
 */
import { type Unfuture } from '../core/future';
import { assertFunction, expected } from '../core/validate';
import { inWorker, locateFunction } from '../executors/registry';
import type { UnsyncStream } from '../executors/unsync-stream';
import { mergeCallOptions, resolveCallOptions, type CallOptions, type ResolvedCallOptions } from './call-options';
import { runOn, type RunOnKind } from './run-on';
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
 * `toThread.with(options)(fn, ...args)` applies per-call options ({@link CallOptions}: a
 * signal, a timeout, a name, a generator's `highWaterMark`).
 *
 * @example
 * export function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 * unsyncRegister(fib);
 * const value = await toThread(fib, 35);
 */
export const toThread: PoolCallFunction = poolCallFunction('thread');

/**
 * `toThread`, `toProcess` and `toRemote`'s type: the call itself (overloaded for generator
 * functions, which give an `UnsyncStream`), and `.with(options)`, which returns the same
 * call with {@link CallOptions} applied to each call made through it.
 */
export interface PoolCallFunction {
  /** A generator function: the stream of what it yields. */
  <A extends unknown[], T>(fn: (...args: A) => Generator<T, unknown, undefined> | AsyncGenerator<T, unknown, undefined>, ...args: A): UnsyncStream<T>;
  /** Any other function: the Unfuture of its result. */
  <A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>>;
  /**
   * The same call with `options` applied to each call made through it: a signal (aborted
   * before the call: cancelled, nothing runs; during: cancelled as by `cancel()`), a
   * `timeout`, the Unfuture's `name`, a generator's `highWaterMark`. `options` are validated
   * here (unknown keys and bad values throw `TypeError`/`RangeError`, listing the valid
   * ones); `.with()` of the result merges (the later options win).
   *
   * @example
   * const value = await toThread.with({ signal: AbortSignal.timeout(5_000) })(fib, 35);
   */
  with(options: CallOptions): PoolCallFunction;
}

/** `toThread`/`toProcess`/`toRemote` of `kind`, with `call` applied to each call. */
export function poolCallFunction(kind: RunOnKind, call?: ResolvedCallOptions): PoolCallFunction {
  const name = kind === 'thread' ? 'toThread' : kind === 'process' ? 'toProcess' : 'toRemote';
  const run = {
    [name](fn: (...args: any[]) => unknown, ...args: unknown[]): unknown {
      return runOn(kind, fn, args, call);
    },
  }[name]!;
  const withFn = (options: CallOptions): PoolCallFunction => {
    const resolved = resolveCallOptions(options);
    return poolCallFunction(kind, call === undefined ? resolved : mergeCallOptions(call, resolved));
  };
  return Object.assign(run, { with: withFn }) as unknown as PoolCallFunction;
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
