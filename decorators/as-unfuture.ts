/**
 * `asUnfuture(obj.method())`: the typed view of a decorated method's result.
 */
import { Unfuture } from '../src/core/future';
import { expected } from '../src/core/validate';

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
