/**
 * `asUnfuture(obj.method())` and `asStream(obj.generatorMethod())`: the typed views of a
 * decorated method's result.
 */
import { Unfuture } from '../src/core/future';
import { expected } from '../src/core/validate';
import { LocalStream, PoolStream, type UnsyncStream } from '../src/executors/unsync-stream';
import { FailedStream } from '../src/runtime/call-options';

/**
 * Give a decorated method's return value its real type. TypeScript decorators cannot
 * change a method's declared type, so `@unsync m(): number` still type-checks as returning
 * `number` although it returns an `Unfuture<number>` at run time; this recovers the future
 * (cancel, done callbacks, `resultSync`). Throws `TypeError` for anything that is not an
 * Unfuture (the method was not decorated).
 *
 * @example
 * const f = asUnfuture(files.read('a.txt')); // Unfuture<string>
 * f.cancel();
 */
export function asUnfuture<T>(value: T | PromiseLike<T>): Unfuture<Awaited<T>> {
  if (!(value instanceof Unfuture)) throw new TypeError(expected('value', 'an Unfuture (the result of an @unsync method)', value));
  return value as Unfuture<Awaited<T>>;
}

/**
 * Give a decorated generator method's return value its real type. `@unsync *lines():
 * Generator<string>` still type-checks as returning a `Generator<string>` (which `for
 * await` takes as it is), although it returns an `UnsyncStream<string>` at run time; this
 * recovers the stream (`cancel()`, `done()`, `executor`). Throws `TypeError` for anything
 * that is not an UnsyncStream (the method was not decorated).
 *
 * @example
 * const stream = asStream(files.lines('big.log')); // UnsyncStream<string>
 * stream.cancel();
 */
export function asStream<T>(value: Generator<T, unknown, any> | AsyncGenerator<T, unknown, any> | UnsyncStream<T>): UnsyncStream<T> {
  if (!(value instanceof PoolStream || value instanceof LocalStream || value instanceof FailedStream)) {
    throw new TypeError(expected('value', 'an UnsyncStream (the result of an @unsync generator method)', value));
  }
  return value as UnsyncStream<T>;
}
