/**
 * The types of the decorator: what `unsync` turns a function into, and the overloads that
 * let one `unsync` serve as a function wrapper and as a decorator under both systems.
 */
import type { Unfuture } from '../src/core/future';
import type { UnsyncStream } from '../src/executors/unsync-stream';
import type { UnsyncCallOptions, UnsyncOptions } from './options';

/** Any function. */
export type AnyFunction = (...args: any[]) => any;

/**
 * What `unsync(fn)` returns for `fn: (...a: A) => R`: the call signature of
 * {@link Unsynced} with `.with(options)` ({@link WithCallOptions}).
 */
export type UnsyncedFunction<F extends AnyFunction> = Unsynced<F> & WithCallOptions<Unsynced<F>>;

/**
 * How `unsync(fn)` types a call of `fn: (...a: A) => R`: the same parameters, and an
 * `Unfuture` of the awaited result (`Promise<T>` and `T` both become `Unfuture<T>`), or for
 * a generator function an `UnsyncStream` of what it yields ({@link UnsyncedResult}).
 */
export type Unsynced<F extends AnyFunction> = F extends (this: infer This, ...args: infer A) => infer R
  ? unknown extends This
    ? (...args: A) => UnsyncedResult<R>
    : (this: This, ...args: A) => UnsyncedResult<R>
  : never;

/**
 * What a call of a decorated function returns for a declared result `R`: an
 * `UnsyncStream<T>` for a generator (`Generator<T>`, `AsyncGenerator<T>`), else an
 * `Unfuture` of the awaited result.
 */
export type UnsyncedResult<R> = 0 extends 1 & R // any: not known to be a generator
  ? Unfuture<Awaited<R>>
  : [R] extends [never]
    ? Unfuture<never>
    : [R] extends [Generator<infer T, any, any>]
      ? UnsyncStream<T>
      : [R] extends [AsyncGenerator<infer T, any, any>]
        ? UnsyncStream<T>
        : Unfuture<Awaited<R>>;

/** The `.with(options)` of a decorated function whose calls have the type `F`. */
export interface WithCallOptions<F> {
  /**
   * The same function (parameters, return type) with `options` applied to each call made
   * through it: `signal` (aborted before the call: its Unfuture is cancelled and nothing
   * runs; during it: cancelled as by `cancel()`), `timeout`, `executor`, `name` (and
   * `highWaterMark` for generator functions). Validated here: unknown keys and bad values
   * throw `TypeError`/`RangeError` listing the valid ones. Calls that do not go through
   * `.with()` are unaffected; `.with()` of the result merges (the later options win).
   *
   * @example
   * const hash = unsync(hashSync);
   * await hash.with({ signal: controller.signal, timeout: 5_000 })('pw');
   */
  with(options: UnsyncCallOptions): F & WithCallOptions<F>;
}

/**
 * A method decorator usable under both systems. TypeScript does not let a decorator change
 * the type of the method it decorates (TC39: the returned function is only checked to be
 * assignable to the declared one; legacy: the returned descriptor is not used for typing),
 * so the method keeps its declared type; at run time it returns an Unfuture. `async`
 * methods (`Promise<T>`) are typed right for `await` and `gather`; for a sync method,
 * `await obj.method()` is typed right and `asUnfuture(obj.method())` is the `Unfuture<T>`
 * the combinators take (docs/decorator.md, "Types").
 */
export interface UnsyncDecorator {
  /** TC39 standard decorator (TypeScript 5 default). */
  <This, A extends any[], R>(
    method: (this: This, ...args: A) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
  ): (this: This, ...args: A) => R;
  /** Legacy `experimentalDecorators` decorator. */
  <T>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<T>): TypedPropertyDescriptor<T> | void;
}

/** The type of `unsync`: decorator (`@unsync`, `@unsync()`, `@unsync({...})`) and wrapper. */
export interface UnsyncFunction extends UnsyncDecorator {
  /** Wrap a plain function: same parameters, `name` and `length`; returns an Unfuture. */
  <F extends AnyFunction>(fn: F, options?: UnsyncOptions): UnsyncedFunction<F>;
  /** A decorator with options: `@unsync()` or `@unsync({ executor: 'thread' })`. */
  (options?: UnsyncOptions): UnsyncDecorator;
  /**
   * Make an async function callable synchronously: `unsync.sync(fn)(...args)` runs it on a
   * worker thread and blocks this thread until it finishes (see `resultSync`).
   */
  sync<A extends any[], R>(fn: (...args: A) => R): (...args: A) => Awaited<R>;
}
