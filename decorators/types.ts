/**
 * The types of the decorator: what `unsync` turns a function into, and the overloads that
 * let one `unsync` serve as a function wrapper and as a decorator under both systems.
 */
import type { Unfuture } from '../src/core/future';
import type { UnsyncOptions } from './options';

/** Any function. */
export type AnyFunction = (...args: any[]) => any;

/**
 * What `unsync(fn)` returns for `fn: (...a: A) => R`: the same parameters, and an
 * `Unfuture` of the awaited result (`Promise<T>` and `T` both become `Unfuture<T>`).
 */
export type Unsynced<F extends AnyFunction> = F extends (this: infer This, ...args: infer A) => infer R
  ? unknown extends This
    ? (...args: A) => Unfuture<Awaited<R>>
    : (this: This, ...args: A) => Unfuture<Awaited<R>>
  : never;

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
  <F extends AnyFunction>(fn: F, options?: UnsyncOptions): Unsynced<F>;
  /** A decorator with options: `@unsync()` or `@unsync({ executor: 'thread' })`. */
  (options?: UnsyncOptions): UnsyncDecorator;
  /**
   * Make an async function callable synchronously: `unsync.sync(fn)(...args)` runs it on a
   * worker thread and blocks this thread until it finishes (see `resultSync`).
   */
  sync<A extends any[], R>(fn: (...args: A) => R): (...args: A) => Awaited<R>;
}
