/**
 * What `toThread`, `toProcess` and `toRemote` share: find `fn` for a worker, then submit
 * the call (or open the stream of a generator function) on the runtime's executor of that
 * kind, with a `.with(options)`'s per-call options applied. Inside a worker the call runs
 * inline instead.
 */
import type { Unfuture } from '../core/future';
import { pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { assertFunction } from '../core/validate';
import { inWorker, locateFunction } from '../executors/registry';
import { LocalStream, isGeneratorFunction, type UnsyncStream } from '../executors/unsync-stream';
import { abortedFuture, abortedStream, cancelOnAbort, cancelStreamOnAbort, type ResolvedCallOptions } from './call-options';
import { getExecutor } from './pools';

/** The executors `toThread`, `toProcess` and `toRemote` send calls to. */
export type RunOnKind = 'thread' | 'process' | 'remote';

/**
 * @internal Run `fn(...args)` on the runtime's `kind` executor, with `call`'s options (from
 * `.with()`); a generator function gives its stream. Throws `LocateError` (`fn` cannot be
 * found by a worker), `InvalidStateError` (no remote configured) or `TypeError` at once.
 */
export function runOn(kind: RunOnKind, fn: (...args: any[]) => unknown, args: unknown[], call: ResolvedCallOptions | undefined): Unfuture<unknown> | UnsyncStream<unknown> {
  assertFunction('fn', fn);
  const generator = isGeneratorFunction(fn);
  if (kind === 'remote' && generator) {
    throw new TypeError(`toRemote cannot run the generator function ${fn.name || 'anonymous'}: a remote call returns one value, not a stream`);
  }
  if (call?.highWaterMark !== undefined && !generator) {
    throw new TypeError(`\`highWaterMark\` applies to generator functions only, and ${fn.name || 'anonymous'} is not one`);
  }
  const signal = call?.signal;
  if (inWorker() && kind !== 'remote') {
    if (generator) {
      if (signal?.aborted === true) return abortedStream(signal, 'loop');
      return cancelStreamOnAbort(new LocalStream(fn(...args) as Iterator<unknown>), signal);
    }
    if (signal?.aborted === true) return abortedFuture(signal, 'loop', call?.name);
    return runInline(fn, args);
  }
  // The remote executor's "configure({ remote }) first" comes before any LocateError; a pool
  // is created only once `fn` was found.
  const remote = kind === 'remote' ? getExecutor(kind) : undefined;
  const ref = locateFunction(fn);
  const executor = remote ?? getExecutor(kind);
  const target = { file: ref.file, name: ref.name };
  if (generator && executor.stream !== undefined) {
    if (signal?.aborted === true) return abortedStream(signal, kind);
    const options = call === undefined ? undefined : { timeout: call.timeout, name: call.name, highWaterMark: call.highWaterMark };
    return cancelStreamOnAbort(executor.stream(target, args, options), signal);
  }
  if (call === undefined) return executor.submit(target, args);
  if (signal?.aborted === true) return abortedFuture(signal, kind, call.name);
  return cancelOnAbort(executor.submit(target, args, { timeout: call.timeout, name: call.name }), signal);
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
