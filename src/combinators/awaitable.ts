/**
 * What the combinators accept, and how each kind becomes an Unfuture.
 */
import { Unfuture } from '../core/future';
import { createTask } from '../core/task';
import { expected, isThenable } from '../core/validate';

/**
 * Anything a combinator accepts: an Unfuture (kept as is, so identity holds in `wait`'s
 * sets), a foreign promise/thenable (wrapped; cancelling the wrapper abandons it), or a
 * zero-argument function (run as a new task, so it can be cancelled).
 */
export type Awaitable<T> = PromiseLike<T> | (() => T | PromiseLike<T>);

/** The value an accepted input produces: `AwaitedOf<Unfuture<string> | (() => number)>` is `string | number`. */
export type AwaitedOf<A> = A extends (...args: never[]) => infer R ? Awaited<R> : Awaited<A>;

/** Turn one accepted input into an Unfuture, or throw a `TypeError` naming `name`. */
export function toFuture<T>(name: string, input: Awaitable<T>): Unfuture<T> {
  if (input instanceof Unfuture) return input;
  if (typeof input === 'function') return createTask(input);
  if (isThenable(input)) return Unfuture.fromPromise(input);
  throw new TypeError(expected(name, 'an awaitable (Unfuture, promise) or a zero-argument function', input));
}

/** Turn an iterable of inputs into Unfutures, validating every element first. */
export function toFutures<T>(name: string, inputs: Iterable<Awaitable<T>>): Unfuture<T>[] {
  if (inputs == null || typeof (inputs as Iterable<unknown>)[Symbol.iterator] !== 'function' || isThenable(inputs)) {
    throw new TypeError(expected(name, 'an iterable of awaitables', inputs));
  }
  const list = Array.isArray(inputs) ? inputs : [...inputs];
  // Validate everything before starting anything (a bad element must not leave tasks running).
  let allFutures = true;
  for (let i = 0; i < list.length; i++) {
    const input = list[i];
    if (input instanceof Unfuture) continue;
    allFutures = false;
    if (typeof input !== 'function' && !isThenable(input)) {
      throw new TypeError(expected(`${name}[${i}]`, 'an awaitable (Unfuture, promise) or a zero-argument function', input));
    }
  }
  // The usual case (a list of tasks or calls): copy the references without touching each
  // future again (for 100k fresh tasks a second pass is a cache miss per element).
  if (allFutures) return list.slice() as Unfuture<T>[];
  const out: Unfuture<T>[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const input = list[i];
    out[i] = input instanceof Unfuture ? input : toFuture(name, input);
  }
  return out;
}

/** Read a settled future's outcome as `{ ok, value }` without throwing. */
export function outcomeOf<T>(f: Unfuture<T>): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: f.result() };
  } catch (error) {
    return { ok: false, error };
  }
}
