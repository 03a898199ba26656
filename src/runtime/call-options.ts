/**
 * Per-call options: what `fn.with(options)` (a decorated function) and `toThread.with` /
 * `toProcess.with` / `toRemote.with` apply to the calls made through them — a signal, a
 * deadline, a name, a stream's window. Validated once, at `.with()` time; applied to each
 * call by the helpers below (a signal aborted before the call: nothing runs).
 */
import { CancelledError } from '../core/errors';
import type { ExecutorKind, Unfuture } from '../core/future';
import { pendingFuture } from '../core/future-internal';
import { assertFunction, assertOptions, assertSignal, assertTimeout, expected } from '../core/validate';
import { resolveHighWaterMark, type UnsyncStream } from '../executors/unsync-stream';

/** Options applied to each call made through a `.with(options)` function. */
export interface CallOptions {
  /**
   * Cancels the call: aborted before the call, its Unfuture (or stream) is cancelled and
   * nothing runs; aborted while it runs, the call is cancelled as by `cancel()`.
   */
  signal?: AbortSignal;
  /**
   * Deadline in milliseconds (> 0), or `null` for none; overrides the decorator's `timeout`.
   * On expiry the call is cancelled and rejects with `TimeoutError`.
   */
  timeout?: number | null;
  /** The name of the call's Unfuture (and task); for a decorated function not its registry key. */
  name?: string;
  /** Generator functions only: values the worker may run ahead of the consumer (default 16). */
  highWaterMark?: number;
}

/** {@link CallOptions} after validation. `timeout: undefined` means "as the decorator says". */
export interface ResolvedCallOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number | null | undefined;
  readonly name: string | undefined;
  readonly highWaterMark: number | undefined;
}

/** The keys of {@link CallOptions}, in the order error messages list them. */
export const CALL_OPTION_KEYS: readonly string[] = Object.freeze(['signal', 'timeout', 'name', 'highWaterMark']);

/**
 * Validate `options` of a `.with(options)` (unknown keys and bad values throw a
 * `TypeError`/`RangeError` listing the valid ones); `keys` are the valid keys (callers with
 * more options, such as the decorator's `executor`, validate those themselves).
 */
export function resolveCallOptions(options: unknown, keys: readonly string[] = CALL_OPTION_KEYS): ResolvedCallOptions {
  if (options === undefined || options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(expected('options', 'an options object', options));
  }
  assertOptions('options', options, keys);
  const o = options as CallOptions;
  assertSignal('options.signal', o.signal);
  assertTimeout('options.timeout', o.timeout);
  if (typeof o.timeout === 'number' && !(o.timeout > 0)) {
    throw new RangeError(expected('options.timeout', 'a positive number of milliseconds or null', o.timeout));
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0)) {
    throw new TypeError(expected('options.name', 'a non-empty string', o.name));
  }
  const highWaterMark = o.highWaterMark === undefined ? undefined : resolveHighWaterMark(o.highWaterMark);
  return { signal: o.signal, timeout: o.timeout, name: o.name, highWaterMark };
}

/** `outer` applied over `inner` (`f.with(a).with(b)`: b's options win, a's fill the rest). */
export function mergeCallOptions<O extends ResolvedCallOptions>(inner: O, outer: O): O {
  const merged: Record<string, unknown> = { ...(inner as object) };
  for (const [key, value] of Object.entries(outer)) if (value !== undefined) merged[key] = value;
  return merged as O;
}

/** The message of a cancellation caused by `signal`. */
export function abortMessage(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : undefined;
  return why === undefined ? 'the call was aborted by its signal' : `the call was aborted by its signal: ${why}`;
}

/** An Unfuture already cancelled because `signal` was aborted before the call (nothing ran). */
export function abortedFuture<T>(signal: AbortSignal, executor: ExecutorKind, name: string | undefined): Unfuture<T> {
  const future = pendingFuture<T>({ executor, name });
  future.cancel(abortMessage(signal));
  return future;
}

/** Cancel `future` when `signal` aborts (until it settles); returns `future`. */
export function cancelOnAbort<T>(future: Unfuture<T>, signal: AbortSignal | undefined): Unfuture<T> {
  if (signal === undefined || future.done()) return future;
  if (signal.aborted) {
    future.cancel(abortMessage(signal));
    return future;
  }
  const onAbort = (): void => void future.cancel(abortMessage(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  future.addDoneCallback(() => signal.removeEventListener('abort', onAbort));
  return future;
}

/** Cancel `stream` when `signal` aborts (until it ends); returns `stream`. */
export function cancelStreamOnAbort<T>(stream: UnsyncStream<T>, signal: AbortSignal | undefined): UnsyncStream<T> {
  if (signal === undefined) return stream;
  if (signal.aborted) {
    stream.cancel(abortMessage(signal));
    return stream;
  }
  const onAbort = (): void => void stream.cancel(abortMessage(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  void stream.done().then(() => signal.removeEventListener('abort', onAbort));
  return stream;
}

/** The stream of a call whose signal was aborted before it started: nothing ran, `next()` throws `CancelledError`. */
export function abortedStream<T>(signal: AbortSignal, executor: ExecutorKind): UnsyncStream<T> {
  return new FailedStream<T>(new CancelledError(abortMessage(signal)), executor);
}

/**
 * The stream of a call that failed before anything ran (a signal aborted before the call,
 * a function a worker cannot find, a `this` that cannot travel): the first `next()` throws
 * `error`, later ones say done; `executor` says where it would have run.
 */
export class FailedStream<T> implements UnsyncStream<T> {
  readonly executor: ExecutorKind;
  readonly #error: unknown;
  #thrown = false;

  constructor(error: unknown, executor: ExecutorKind) {
    this.executor = executor;
    this.#error = error;
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.#thrown) return { value: undefined, done: true };
    this.#thrown = true;
    throw this.#error;
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.#thrown = true;
    return { value: value as T, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    this.#thrown = true;
    throw error;
  }

  cancel(): boolean {
    return false;
  }

  done(): Promise<void> {
    return Promise.resolve();
  }

  onProgress(callback: (value: unknown) => void): () => void {
    assertFunction('callback', callback);
    return () => undefined;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
