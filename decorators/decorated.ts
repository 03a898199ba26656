/**
 * The record kept for every function `unsync` wrapped, looked up by the wrapper (a
 * WeakMap, so a collected wrapper leaves nothing behind). `inspect`, dispatch and
 * `statistics` all start here.
 */
import type { ResolvedOptions } from './options';

/** How a function came to be wrapped. */
export type DecorationSystem = 'function' | 'tc39' | 'legacy';

/** Everything known about one decorated function. */
export interface DecoratedInfo {
  /** The user's function (what a worker runs). */
  readonly original: Function;
  /** The wrapper handed back to the user. */
  wrapper: Function;
  readonly options: ResolvedOptions;
  readonly system: DecorationSystem;
  /** A generator function (`function*`, `async function*`): each call returns an `UnsyncStream`. */
  readonly generator: boolean;
  readonly isStatic: boolean;
  /** Method name (methods) or function name. */
  readonly memberName: string;
  /** Legacy members: where `design:returntype` and hints live. */
  readonly member: { readonly target: object; readonly key: string | symbol } | undefined;
  /** The class, once known (legacy: at decoration; TC39: static initializer or first call). */
  owner: Function | undefined;
  /** Why a worker cannot find this function, once a call that needed one found out. */
  unlocatable: string | undefined;
  /** Instance methods under `'auto'`: why a call's `this` could not travel (it then stays on the loop). */
  thisProblem?: string;
}

const infos = new WeakMap<Function, DecoratedInfo>();

/** Remember `info` under its wrapper. */
export function rememberDecorated(info: DecoratedInfo): void {
  infos.set(info.wrapper, info);
}

/** The record of a wrapper, or undefined for a function unsync did not wrap. */
export function decoratedInfo(fn: unknown): DecoratedInfo | undefined {
  return typeof fn === 'function' ? infos.get(fn) : undefined;
}

/** `Class.method`, `Class.staticMethod` or the function's name (an explicit `name` wins). */
export function qualifiedName(info: DecoratedInfo): string {
  if (info.options.name !== undefined) return info.options.name;
  if (info.system === 'function') return info.memberName;
  const owner = info.owner?.name ?? '<class>';
  return `${owner}.${info.memberName}`;
}

/**
 * The name registered for workers. TC39 decorators never show a method decorator its
 * class, and compilers rename classes inside static blocks (esbuild's `_Service`), so TC39
 * members register without the class name: `<class>.method` and `<class>.static.method`
 * (a second member of the same name in one module gets `#2`, in definition order).
 */
export function registryName(info: DecoratedInfo): string {
  if (info.options.name !== undefined) return info.options.name;
  if (info.system === 'tc39') return `<class>.${info.isStatic ? 'static.' : ''}${info.memberName}`;
  return qualifiedName(info);
}
