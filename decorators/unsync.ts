/**
 * `unsync`: one function that is a plain-function wrapper and a method decorator under
 * both TypeScript decorator systems. The call shape is detected at run time:
 *
 * ```text
 * unsync(fn) / unsync(fn, options)        wrap a function
 * @unsync  on a TC39 method               (method, context)
 * @unsync  on a legacy method             (target, key, descriptor)
 * @unsync() / @unsync({...})              (options?) -> a decorator
 * ```
 */
import { expected } from '../src/core/validate';
import { callDecorated, registerDecorated } from './call';
import { rememberDecorated, type DecoratedInfo, type DecorationSystem } from './decorated';
import { isClass, isLegacyCall, isTc39Context, methodDecoration } from './decorator-shape';
import { isOptionsLike, resolveOptions, type ResolvedOptions } from './options';
import { syncCall } from './result-sync';
import { attachWith } from './with-options';
import type { UnsyncDecorator, UnsyncFunction } from './types';
import { isGeneratorFunction } from '../src/executors/unsync-stream';
import { streamDecorated } from './stream-call';

/**
 * Mark a function or method so that every call returns an `Unfuture` and runs where it
 * fits: async functions as tasks on the event loop, sync functions inline, on the thread
 * pool or on the process pool, chosen by `executor` (default `'auto'`, see {@link inspect}).
 *
 * Validation happens at decoration time: decorating a getter, setter, field, auto-accessor,
 * class or private `#method`, an unknown option or an invalid value throws a `TypeError`
 * (listing the valid values) when the class or module loads. Cancelling a call's Unfuture
 * cancels the task or the pool call; `timeout` cancels it after that many milliseconds and
 * rejects with `TimeoutError`. Inside a worker a decorated function runs inline.
 *
 * A generator function (`function*`, `async function*`) returns an `UnsyncStream` of what
 * it yields instead, run where its routing says (docs/decorator.md, "Generator functions").
 *
 * Every decorated function has `.with(options)` (for a method, typed: `withOptions(method,
 * options)`): the same function, with a `signal`, a `timeout`, an `executor` or a `name`
 * applied to each call made through it (docs/decorator.md, "Per-call options").
 *
 * @example
 * ```ts
 * const fetchText = unsync(async (url: string) => (await fetch(url)).text());
 * class Files {
 *   @unsync read(path: string) { return readFileSync(path, 'utf8'); }      // thread pool
 *   @unsync({ cpuBound: true }) static hash(s: string) { return slowHash(s); } // process pool
 * }
 * ```
 */
export const unsync: UnsyncFunction = Object.assign(
  function unsync(...args: unknown[]): unknown {
    const [first, second] = args;
    if (args.length === 2 && isTc39Context(second)) return decorateTc39(args, resolveOptions(undefined));
    if (args.length === 3 || (args.length === 2 && isLegacyCall(args) && (typeof second === 'string' || typeof second === 'symbol'))) {
      return decorateLegacy(args, resolveOptions(undefined));
    }
    if (typeof first === 'function') {
      if (args.length > 2) throw new TypeError(`Expected \`unsync(fn, options?)\`, got ${args.length} arguments`);
      return wrapFunction(first, resolveOptions(second));
    }
    if (args.length <= 1 && isOptionsLike(first)) return decoratorWith(resolveOptions(first));
    throw new TypeError(expected('fn', 'a function, an options object or a decorated method', first));
  },
  { sync: syncCall },
) as unknown as UnsyncFunction;

function decoratorWith(options: ResolvedOptions): UnsyncDecorator {
  return function unsyncDecorator(...args: unknown[]): unknown {
    if (args.length === 2 && isTc39Context(args[1])) return decorateTc39(args, options);
    if (isLegacyCall(args)) return decorateLegacy(args, options);
    throw new TypeError(expected('target', 'a method (to wrap a function, call unsync(fn, options))', args[0]));
  } as UnsyncDecorator;
}

function wrapFunction(fn: Function, options: ResolvedOptions): Function {
  if (isClass(fn)) throw new TypeError('unsync cannot decorate a class; decorate its methods instead');
  const info = newInfo(fn, options, 'function', false, fn.name || 'anonymous', undefined, undefined);
  registerDecorated(info);
  return info.wrapper;
}

function decorateTc39(args: unknown[], options: ResolvedOptions): Function {
  const d = methodDecoration('@unsync', args);
  if (d.system !== 'tc39') throw new TypeError('internal: expected a TC39 decoration');
  const info = newInfo(d.method, options, 'tc39', d.isStatic, memberName(d.key), undefined, undefined);
  // The class exists only when static initializers run: a static method learns it then.
  if (d.isStatic) {
    d.context.addInitializer(function (this: unknown) {
      info.owner = this as Function;
    });
  }
  registerDecorated(info);
  return info.wrapper;
}

function decorateLegacy(args: unknown[], options: ResolvedOptions): PropertyDescriptor {
  const d = methodDecoration('@unsync', args);
  if (d.system !== 'legacy') throw new TypeError('internal: expected a legacy decoration');
  const owner = (d.isStatic ? d.target : (d.target as { constructor: Function }).constructor) as Function;
  const info = newInfo(d.method, options, 'legacy', d.isStatic, memberName(d.key), { target: d.target, key: d.key }, owner);
  registerDecorated(info);
  return { ...d.descriptor, value: info.wrapper };
}

function newInfo(
  original: Function,
  options: ResolvedOptions,
  system: DecorationSystem,
  isStatic: boolean,
  name: string,
  member: DecoratedInfo['member'],
  owner: Function | undefined,
): DecoratedInfo {
  const generator = isGeneratorFunction(original);
  if (generator && options.executor === 'remote') {
    throw new TypeError(`unsync cannot send the generator function ${name} to the remote executor: a remote call returns one value, not a stream`);
  }
  const info: DecoratedInfo = {
    original,
    wrapper: original,
    options,
    system,
    generator,
    isStatic,
    memberName: name,
    member,
    owner,
    unlocatable: undefined,
  };
  // Chosen once here, so that a call never asks which kind it is.
  const wrapper = generator
    ? function (this: unknown, ...args: unknown[]) {
        return streamDecorated(info, this, args);
      }
    : function (this: unknown, ...args: unknown[]) {
        return callDecorated(info, this, args);
      };
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  info.wrapper = wrapper;
  attachWith(info);
  rememberDecorated(info);
  return info;
}

function memberName(key: string | symbol): string {
  return typeof key === 'symbol' ? `[${key.description ?? ''}]` : key;
}
