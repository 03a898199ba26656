/**
 * `UnsyncStream<T>`: what a generator function returns when unsync runs it — values as the
 * generator yields them, consumed with `for await`, with backpressure, cancellation and an
 * end to wait for. Two sources: a pool call whose worker sends the values (`PoolStream`,
 * docs/engine.md "Streams from generator functions") and a generator run right here
 * (`LocalStream`: on the loop, or inline in a worker).
 */
import { CancelledError } from '../core/errors';
import type { ExecutorKind, Unfuture } from '../core/future';
import { assertFunction, assertInteger } from '../core/validate';

/** Where a stream call's yielded values go (the stream its caller iterates); the engine's side of a stream. */
export interface StreamSink {
  /** Values the worker may send ahead of the consumer (its first credit). */
  readonly highWaterMark: number;
  /** Values the worker yielded, in order. */
  push(values: readonly unknown[]): void;
}

/** Values a worker may run ahead of the consumer, by default. */
export const DEFAULT_HIGH_WATER_MARK = 16;

/**
 * The values a generator function yields, wherever it runs: an `AsyncIterableIterator<T>`
 * (use it with `for await`) that can also be cancelled and waited for.
 *
 * - Values arrive in order, as the generator yields them. A worker runs at most
 *   `highWaterMark` values ahead of the consumer (default 16), then waits.
 * - Leaving the loop early (`break`, `return`, a throw in the loop body) or `cancel()` stops
 *   the generator where it runs: its `finally` blocks run there (in a worker: asked to stop,
 *   then terminated after the pool's `cancelGrace`), and the worker goes back to the pool.
 *   `return()` resolves once it has stopped.
 * - An error the generator throws arrives at the consumer's next `next()`, with its class,
 *   after every value yielded before it.
 */
export interface UnsyncStream<T> extends AsyncIterableIterator<T> {
  /** Where the generator runs: `'loop'`, `'thread'` or `'process'`. */
  readonly executor: ExecutorKind;
  /** Leave the stream (what `break` in a `for await` loop calls): stops the generator; resolves once it has stopped. */
  return(value?: unknown): Promise<IteratorResult<T>>;
  /**
   * Stop the generator (a waiting `next()` then throws `CancelledError`). False when it had
   * already ended.
   */
  cancel(message?: string): boolean;
  /** Resolves once the generator has ended, however it ended (never rejects). */
  done(): Promise<void>;
  /**
   * Progress the generator reports (`reportProgress(value)` inside it), as for
   * `Unfuture.onProgress`; returns the remover. A generator run here (`executor: 'loop'`)
   * reports to the task it runs in instead, so nothing arrives here.
   */
  onProgress(callback: (value: unknown) => void): () => void;
}

/** Validate a stream's `highWaterMark` option. */
export function resolveHighWaterMark(value: unknown, name = 'options.highWaterMark'): number {
  if (value === undefined) return DEFAULT_HIGH_WATER_MARK;
  assertInteger(name, value, 1);
  return value as number;
}

/** The stream of a pool call: the worker pushes values, the consumer grants credit as it takes them. */
export class PoolStream<T> implements UnsyncStream<T>, StreamSink {
  readonly executor: ExecutorKind;
  readonly highWaterMark: number;
  readonly #future: Unfuture<unknown>;
  readonly #grant: (n: number) => void;
  #buffer: unknown[] = [];
  #head = 0;
  #taken = 0;
  // The consumer left (return/throw) or saw the end: next() says done from now on.
  #finished = false;
  #wake: (() => void) | undefined = undefined;

  constructor(future: Unfuture<unknown>, executor: ExecutorKind, highWaterMark: number, grant: (n: number) => void) {
    this.#future = future;
    this.executor = executor;
    this.highWaterMark = highWaterMark;
    this.#grant = grant;
    future.addDoneCallback(() => this.#resume());
  }

  /** @internal StreamSink: values the worker yielded. */
  push(values: readonly unknown[]): void {
    if (this.#finished) return;
    for (const value of values) this.#buffer.push(value);
    this.#resume();
  }

  async next(): Promise<IteratorResult<T>> {
    for (;;) {
      if (this.#head < this.#buffer.length) {
        const value = this.#buffer[this.#head]!;
        this.#buffer[this.#head++] = undefined;
        if (this.#head === this.#buffer.length) (this.#buffer = []), (this.#head = 0);
        // Give credit back in batches of half the window (at least 1).
        if (++this.#taken >= Math.max(1, this.highWaterMark >> 1)) {
          this.#grant(this.#taken);
          this.#taken = 0;
        }
        return { value: value as T, done: false };
      }
      if (this.#finished) return { value: undefined, done: true };
      const future = this.#future;
      if (future.done()) {
        this.#finished = true;
        if (future.cancelled()) throw new CancelledError(`the stream of ${future.getName()} was cancelled`);
        const error = future.exception();
        if (error !== null && error !== undefined) throw error;
        return { value: future.result() as never, done: true };
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Leave the stream: the generator is stopped where it runs; resolves once it has. */
  async return(value?: unknown): Promise<IteratorResult<T>> {
    this.#finished = true;
    this.#buffer = [];
    this.#head = 0;
    if (!this.#future.done()) {
      this.#future.cancel('the consumer left the stream');
      await this.done();
    }
    return { value: value as T, done: true };
  }

  /** Leave the stream (as `return()`), then throw `error`. */
  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  cancel(message?: string): boolean {
    return this.#future.cancel(message);
  }

  onProgress(callback: (value: unknown) => void): () => void {
    return this.#future.onProgress(callback);
  }

  done(): Promise<void> {
    return new Promise((resolve) => this.#future.addDoneCallback(() => resolve()));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #resume(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** The stream of a generator run right here (the loop, or inline in a worker). */
export class LocalStream<T> implements UnsyncStream<T> {
  readonly executor: ExecutorKind = 'loop';
  readonly #iterator: Iterator<T> | AsyncIterator<T>;
  #ended = false;
  // Set by cancel() or stopWith(): what next() throws from then on.
  #failure: { readonly error: unknown } | undefined = undefined;
  readonly #end: Promise<void>;
  #markEnded!: () => void;
  // Rejects when the stream is stopped: a `next()` waiting for an async generator's step
  // (an await inside it that nothing interrupts) throws at once instead of after that step.
  #stopped: Promise<never> | undefined = undefined;
  #rejectStopped: ((error: unknown) => void) | undefined = undefined;

  constructor(iterator: Iterator<T> | AsyncIterator<T>) {
    this.#iterator = iterator;
    this.#end = new Promise((resolve) => (this.#markEnded = resolve));
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.#failure !== undefined) throw this.#failure.error;
    if (this.#ended) return { value: undefined, done: true };
    try {
      const pending = this.#iterator.next();
      const step = pending instanceof Promise ? await Promise.race([pending, this.#stopRace()]) : pending;
      if (step.done) this.#finish();
      return step;
    } catch (error) {
      // Stopped while a step was pending: the generator ends when that step does (return()).
      const failure = this.#failure as { readonly error: unknown } | undefined; // set while awaiting
      if (failure === undefined || error !== failure.error) this.#finish();
      throw error;
    }
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    if (!this.#ended) {
      try {
        await this.#iterator.return?.();
      } finally {
        this.#finish();
      }
    }
    return { value: value as T, done: true };
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  cancel(message = 'the stream was cancelled'): boolean {
    return this.stopWith(new CancelledError(message));
  }

  /**
   * @internal Stop the generator as `cancel()` does, but make `next()` throw `error` (the
   * decorator's timeout of a stream on the loop throws `TimeoutError`). False once ended.
   */
  stopWith(error: unknown): boolean {
    if (this.#ended || this.#failure !== undefined) return false;
    this.#failure = { error };
    this.#rejectStopped?.(error);
    void this.return().catch(() => undefined);
    return true;
  }

  #stopRace(): Promise<never> {
    if (this.#stopped === undefined) {
      this.#stopped = new Promise<never>((_, reject) => (this.#rejectStopped = reject));
      this.#stopped.catch(() => undefined);
    }
    return this.#stopped;
  }

  done(): Promise<void> {
    return this.#end;
  }

  onProgress(callback: (value: unknown) => void): () => void {
    assertFunction('callback', callback);
    return () => undefined;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#markEnded();
  }
}

/** Whether `fn` is a generator function (`function*` or `async function*`). */
export function isGeneratorFunction(fn: unknown): boolean {
  if (typeof fn !== 'function') return false;
  const name = fn.constructor?.name;
  return name === 'GeneratorFunction' || name === 'AsyncGeneratorFunction';
}
