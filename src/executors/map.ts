/**
 * `map` over a pool: Python's `Executor.map(fn, iterable, chunksize=…)`, done with chunks
 * in flight. Items travel in chunks (one message per chunk, run by the worker's chunk
 * runner `runChunk` in ./worker/run-call.cjs through the ordinary call protocol, so the thread
 * and the process pools both run it), at most `concurrency` chunks at once, and results
 * stream back as each chunk finishes.
 */
import { CancelledError } from '../core/errors';
import type { Unfuture } from '../core/future';
import { assertInteger, assertOptions, expected } from '../core/validate';
import type { Executor } from './executor';
import type { CallRef, EncodedError } from './protocol';
import { decodeWorkerError } from './serialization';
import { BOOTSTRAP_FILE } from './thread-executor';

/** Options of `map`. */
export interface MapOptions {
  /** Items per message (default 64). Larger amortises the per-message cost of tiny items. */
  chunkSize?: number;
  /** Chunks in flight at once (default 8). */
  concurrency?: number;
  /** Yield results in input order (default true); `false`: chunk by chunk as they finish. */
  ordered?: boolean;
  /** Aborting it cancels the whole map (see {@link MapIterator.cancel}). */
  signal?: AbortSignal;
}

/**
 * The async iterable `map` returns. Iterate it once with `for await`. Breaking out of the
 * loop, `cancel()` or the `signal` stops the map: chunks not started are removed, running
 * ones are stopped as the pool stops a cancelled call, and the iteration ends with
 * `CancelledError` (or simply ends, after `break`).
 */
export interface MapIterator<R> extends AsyncIterableIterator<R> {
  /** Cancel every pending and running chunk; the next `next()` throws `CancelledError`. */
  cancel(message?: string): void;
}

/** What `runChunk` returns for one chunk. */
interface ChunkResult {
  readonly values: unknown[];
  readonly errors: Array<[number, EncodedError]> | null;
  readonly locate: EncodedError | null;
}

/** The chunk runner's call reference (an export of the worker bootstrap). */
export const MAP_CHUNK_REF: CallRef = Object.freeze({ file: BOOTSTRAP_FILE, name: 'runChunk' });

/** Validate `map` options (unknown keys rejected), with the defaults filled in. */
export function resolveMapOptions(options: unknown, extraKeys: readonly string[] = []): Required<Omit<MapOptions, 'signal'>> & Pick<MapOptions, 'signal'> {
  assertOptions('options', options, ['chunkSize', 'concurrency', 'ordered', 'signal', ...extraKeys]);
  const o = (options ?? {}) as MapOptions;
  if (o.chunkSize !== undefined) assertInteger('options.chunkSize', o.chunkSize, 1);
  if (o.concurrency !== undefined) assertInteger('options.concurrency', o.concurrency, 1);
  if (o.ordered !== undefined && typeof o.ordered !== 'boolean') throw new TypeError(expected('options.ordered', 'a boolean', o.ordered));
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new TypeError(expected('options.signal', 'an AbortSignal', o.signal));
  return { chunkSize: o.chunkSize ?? 64, concurrency: o.concurrency ?? 8, ordered: o.ordered ?? true, signal: o.signal };
}

/**
 * Run the function `ref` names on every item of `iterable` on `executor`, in chunks; see
 * {@link MapIterator} for cancellation. A value the function throws for an item is thrown
 * by the iteration at that item's position (after the items before it were yielded).
 *
 * @example
 * for await (const y of mapOn(pool, refOf(square), [1, 2, 3], { chunkSize: 2 })) console.log(y);
 */
export function mapOn<T, R>(executor: Executor, ref: CallRef, iterable: Iterable<T> | AsyncIterable<T>, options?: MapOptions): MapIterator<R> {
  const o = resolveMapOptions(options);
  const sync = typeof (iterable as Iterable<T>)?.[Symbol.iterator] === 'function';
  if (!sync && typeof (iterable as AsyncIterable<T>)?.[Symbol.asyncIterator] !== 'function') {
    throw new TypeError(expected('iterable', 'an iterable or async iterable', iterable));
  }
  const inFlight: Array<Unfuture<ChunkResult>> = [];
  let stopped: CancelledError | undefined;
  const cancel = (message?: string): void => {
    if (stopped !== undefined) return;
    stopped = new CancelledError(message ?? 'the map was cancelled');
    for (const f of inFlight) f.cancel(stopped.message);
  };
  const onAbort = (): void => cancel(typeof o.signal?.reason?.message === 'string' ? o.signal.reason.message : undefined);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();

  async function* run(): AsyncGenerator<R> {
    const source = sync ? (iterable as Iterable<T>)[Symbol.iterator]() : (iterable as AsyncIterable<T>)[Symbol.asyncIterator]();
    let exhausted = false;
    const take = async (): Promise<T[]> => {
      const chunk: T[] = [];
      while (chunk.length < o.chunkSize) {
        const step = sync ? (source as Iterator<T>).next() : await (source as AsyncIterator<T>).next();
        if (step.done) {
          exhausted = true;
          break;
        }
        chunk.push(step.value);
      }
      return chunk;
    };
    const fill = async (): Promise<void> => {
      while (!exhausted && stopped === undefined && inFlight.length < o.concurrency) {
        const chunk = await take();
        if (chunk.length > 0) inFlight.push(executor.submit<ChunkResult>(MAP_CHUNK_REF, [ref.file, ref.name, chunk], { name: `map(${ref.name})` }));
      }
    };
    try {
      for (;;) {
        if (stopped !== undefined) throw stopped;
        await fill();
        if (inFlight.length === 0) return;
        const index = o.ordered ? 0 : await firstDone(inFlight);
        const future = inFlight[index]!;
        const result = await future;
        inFlight.splice(index, 1);
        if (result.locate !== null) throw decodeWorkerError(result.locate);
        // Submit the next chunk before handing values out, so the workers stay busy.
        await fill();
        const firstError = result.errors?.[0];
        const errorAt = firstError === undefined ? -1 : firstError[0];
        for (let i = 0; i < result.values.length; i++) {
          if (stopped !== undefined) throw stopped;
          if (i === errorAt) throw decodeWorkerError(firstError![1]);
          yield result.values[i] as R;
        }
      }
    } finally {
      o.signal?.removeEventListener('abort', onAbort);
      for (const f of inFlight.splice(0)) f.cancel('the map ended');
      if (!sync) await (source as AsyncIterator<T>).return?.();
    }
  }

  const generator = run();
  return Object.assign(generator, { cancel }) as MapIterator<R>;
}

/** The index of the first of `futures` to finish (they are all pending or done). */
function firstDone(futures: ReadonlyArray<Unfuture<unknown>>): Promise<number> {
  const done = futures.findIndex((f) => f.done());
  if (done >= 0) return Promise.resolve(done);
  return new Promise((resolve) => {
    let settled = false;
    futures.forEach((f, i) =>
      f.addDoneCallback(() => {
        if (!settled) {
          settled = true;
          resolve(i);
        }
      }),
    );
  });
}
