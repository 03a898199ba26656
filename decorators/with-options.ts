/**
 * `fn.with(options)`: per-call options on a decorated function. Each wrapper gets its own
 * `.with` when it is made; calls that do not use it go through the wrapper alone and pay
 * nothing for it. A `.with()` function carries its resolved options and calls
 * `callDecoratedWith`; its own `.with()` merges (the later options win).
 */
import { expected } from '../src/core/validate';
import { mergeCallOptions } from '../src/runtime/call-options';
import { callDecoratedWith } from './call';
import { streamDecorated } from './stream-call';
import { decoratedInfo, qualifiedName, type DecoratedInfo } from './decorated';
import { resolveCallOverrides, type ResolvedCallOverrides, type UnsyncCallOptions } from './options';
import type { AnyFunction } from './types';

/** Give `info.wrapper` its `.with(options)`. */
export function attachWith(info: DecoratedInfo): void {
  Object.defineProperty(info.wrapper, 'with', {
    value: (options: UnsyncCallOptions) => withCallOptions(info, undefined, options),
    configurable: true,
    writable: true,
  });
}

/**
 * The function `fn.with(options)` returns: the same parameters, `name` and `length`, each
 * call made with `options`. Its `this` is the one it is called with, as for the method
 * itself (`obj.method.with(o).call(obj, x)`); a static method's defaults to its class.
 */
function withCallOptions(info: DecoratedInfo, base: ResolvedCallOverrides | undefined, options: unknown): Function {
  const resolved = resolveCallOverrides(options, `\`${qualifiedName(info)}\``, info.generator);
  const call = base === undefined ? resolved : mergeCallOptions(base, resolved);
  const fn = info.generator
    ? function (this: unknown, ...args: unknown[]) {
        return streamDecorated(info, this === undefined && info.isStatic ? info.owner : this, args, call);
      }
    : function (this: unknown, ...args: unknown[]) {
        return callDecoratedWith(info, this === undefined && info.isStatic ? info.owner : this, args, call);
      };
  Object.defineProperty(fn, 'name', { value: info.original.name, configurable: true });
  Object.defineProperty(fn, 'length', { value: info.original.length, configurable: true });
  Object.defineProperty(fn, 'with', {
    value: (more: UnsyncCallOptions) => withCallOptions(info, call, more),
    configurable: true,
    writable: true,
  });
  return fn;
}


/**
 * `fn.with(options)` for a decorated **method**, typed: TypeScript cannot add `.with` to
 * a method's declared type (a decorator does not change it), so this gives the same
 * function with the method's own type. For `unsync(fn)`, `fn.with(options)` is typed
 * already. Throws `TypeError` when `fn` is not decorated, and as `.with()` for bad options.
 * The result's `this` is the one it is called with (a static method's defaults to its class).
 *
 * @example
 * const hash = withOptions(Jobs.hash, { timeout: 5_000, signal });
 * await hash('pw');
 * await withOptions(files.read, { executor: 'loop' }).call(files, 'a.txt');
 */
export function withOptions<F extends AnyFunction>(fn: F, options: UnsyncCallOptions): F {
  const info = decoratedInfo(fn);
  if (info === undefined) throw new TypeError(expected('fn', 'a function decorated with @unsync or made by unsync(fn)', fn));
  return withCallOptions(info, undefined, options) as F;
}
