/**
 * The function registry: how a worker finds a function again.
 *
 * Keyed by defining module file (a real path) plus a stable qualified name (`Class.method`,
 * `Class.staticMethod`, the function's name, or an explicit `name`). One table per thread,
 * kept on `globalThis` under a `Symbol.for` key so every copy of unsync loaded in a thread
 * (the `src/` one under jest or tsx, the compiled `dist/` one) and the worker bootstrap
 * (`./worker/run-call.cjs`) share it. See docs/executors.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocateError } from '../core/executor-errors';
import { assertFunction, assertOptions, expected } from '../core/validate';
import { findRegistrationSite, normaliseFile } from './call-site';
import { exportPathOf, exportedValue, findLoadedExport, loadedModuleExports } from './loaded-exports';
import { declareLocalRouting, type LocalRoute, type RunObserver } from './local-routing';
import type { CallRef } from './protocol';
import { table, type Entry, type RegisteredRef } from './registry-table';

export type { LocalRoute, RunObserver, RegisteredRef };

/** Options of {@link unsyncRegister}. */
export interface RegisterOptions {
  /** The qualified name to register under (wins over everything else). */
  name?: string;
  /** The class that owns a method: the name becomes `Owner.method`. */
  owner?: string;
  /**
   * The defining module's path or `file://` URL, when the caller knows it better than the
   * call site (code generators, wrappers defined in other files). With an explicit file the
   * top-level check is skipped: the caller vouches that loading the file registers `fn`.
   */
  file?: string;
}

const WORKER_KEY = Symbol.for('unsync.worker');

/**
 * The names of one module. `get` also answers for an anonymous function the module
 * exports (`export const add = unsync((a, b) => a + b)`): the worker's bootstrap asks the
 * registry first and would otherwise find the export itself, the decorator's wrapper,
 * which inside a worker returns an Unfuture instead of the value. (Asking the bootstrap to
 * unwrap registered exports would make this subclass unnecessary.)
 */
class FileNames extends Map<string, Entry> {
  readonly #file: string;
  constructor(file: string) {
    super();
    this.#file = file;
  }
  override get(name: string): Entry | undefined {
    const entry = super.get(name);
    if (entry !== undefined) return entry;
    const exported = exportedValue(this.#file, name);
    const fn = typeof exported === 'function' ? table().anonymous?.get(exported) : undefined;
    return fn === undefined ? undefined : { ref: Object.freeze({ file: this.#file, name, fn }), site: 'export' };
  }
}

function namesOf(file: string): Map<string, Entry> {
  const { byFile } = table();
  let names = byFile.get(file);
  if (names === undefined) byFile.set(file, (names = new FileNames(file)));
  return names;
}

const realPaths = new Map<string, string>();
/** Paths whose real path is remembered, at most, besides those of registered modules. */
const MAX_REMEMBERED_PATHS = 10_000;
/**
 * The real path of `file` (cached); the file itself when it does not exist. Remembered for a
 * registered module's path, and for other existing files up to {@link MAX_REMEMBERED_PATHS}:
 * a remote job names its module, so jobs naming made-up or arbitrary paths must not grow the
 * cache without bound.
 */
export function realFile(file: string): string {
  let real = realPaths.get(file);
  if (real !== undefined) return real;
  let exists = true;
  try {
    real = fs.realpathSync(file);
  } catch {
    real = file;
    exists = false;
  }
  if (table().byFile.has(real) || (exists && realPaths.size < MAX_REMEMBERED_PATHS)) realPaths.set(file, real);
  return real;
}

/**
 * True inside a worker thread or child process started by unsync's executors.
 *
 * Module top-level code runs again in every worker that loads the module (that is how the
 * worker finds your functions). Guard code that must run once, in the main program, with
 * it. Decorated functions called inside a worker run inline there.
 *
 * @example
 * export function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 * unsyncRegister(fib);
 * if (!inWorker()) toThread(fib, 30).then(console.log);
 */
export function inWorker(): boolean {
  return (globalThis as unknown as Record<symbol, unknown>)[WORKER_KEY] !== undefined;
}

/**
 * Register `fn` so that a worker can find it again; returns its call reference. This is
 * the internal entry point of the `unsync(fn)` wrapper and the `@unsync` decorator, called
 * once at definition time, at module top level. Inside a worker it registers too (the
 * module re-runs there); it never dispatches anything.
 *
 * The defining file is the module whose code called this (read from V8's structured call
 * sites, skipping unsync's own frames and decorator helpers), unless `options.file` is given.
 *
 * Errors: `TypeError` for bad arguments. `LocateError` when `fn` cannot be found again in a
 * worker: registered from inside another function, created by `eval`/`new Function`,
 * anonymous without `options.name`, or when another function already holds the same
 * qualified name in the same module (registering again from the same source position is a
 * re-evaluation of the module and replaces the entry).
 *
 * @example
 * export class Images { static resize(buf: Uint8Array, w: number) { ... } }
 * unsyncRegister(Images.resize, { owner: 'Images' }); // 'Images.resize'
 */
export function unsyncRegister(fn: (...args: any[]) => unknown, options?: RegisterOptions): RegisteredRef {
  assertFunction('fn', fn);
  assertOptions('options', options, ['name', 'owner', 'file']);
  for (const key of ['name', 'owner', 'file'] as const) {
    const value = options?.[key];
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new TypeError(expected(`options.${key}`, 'a non-empty string', value));
    }
  }
  const name = qualifiedName(fn, options);
  const site = findRegistrationSite(unsyncRegister);
  let file: string;
  if (options?.file !== undefined) {
    file = normaliseFile(options.file);
  } else {
    if (site === undefined || site.dynamic || site.file === undefined) {
      throw new LocateError(
        `\`${name}\` cannot be located in a worker: it was created dynamically (eval/new Function or Node internals); define it at module top level`,
        { qualifiedName: name },
      );
    }
    if (!site.topLevel) {
      throw new LocateError(
        `\`${name}\` cannot be located in a worker: it is registered inside ${site.enclosing}; define it at module top level (or pass options.file)`,
        { qualifiedName: name, file: site.file },
      );
    }
    file = site.file;
  }
  file = realFile(file);
  const position = site ? `${site.line}:${site.column}` : 'unknown';
  if (!claimName(file, name, fn, position)) {
    throw new LocateError(duplicateMessage(name, file), { file, qualifiedName: name });
  }
  return Object.freeze({ file, name, fn });
}

/**
 * Put `fn` under `name` in `file`'s names; false when another function holds the name (or
 * two already claimed it). Registering again from the same source position is a
 * re-evaluation of the module and replaces the entry.
 */
function claimName(file: string, name: string, fn: (...args: any[]) => unknown, position: string): boolean {
  const names = namesOf(file);
  if (table().conflicts?.get(file)?.has(name) === true) return false;
  const existing = ownEntry(names, name);
  if (existing !== undefined && existing.ref.fn !== fn && existing.site !== position) return false;
  const ref: RegisteredRef = Object.freeze({ file, name, fn });
  names.set(name, { ref, site: position });
  table().byFn.set(fn, ref);
  return true;
}

function ownEntry(names: Map<string, Entry>, name: string): Entry | undefined {
  return Map.prototype.get.call(names, name) as Entry | undefined;
}

function duplicateMessage(name: string, file: string): string {
  return `two functions are registered as \`${name}\` in ${file}; give one of them an explicit \`name\``;
}

/** Options of {@link declareRegistration}. */
export interface DeclareOptions {
  /**
   * The name a worker finds the function by. Without one (an anonymous function) it is
   * found through its module's exports, looked up when a call first needs a worker.
   */
  readonly name?: string;
  /**
   * On a name clash, take `name#2`, `name#3`, … in definition order (the same in every
   * worker) instead of making both functions unlocatable. For TC39 members, whose class a
   * decorator never sees.
   */
  readonly numbered?: boolean;
  /** Functions that stand for `fn` (a wrapper, the function it wraps): `locateFunction(alias)` finds `fn`. */
  readonly aliases?: readonly Function[];
  /** What to call the function in errors (`Service.method`); `name` by default. */
  readonly label?: string;
  /**
   * Where a call of `fn` runs on this machine, asked when a remote worker takes a job naming
   * it (the decorator's `executor` option, or `'auto'`'s current decision); undefined when
   * its routing names no local executor (`'remote'`). See `localRouteOf` (./local-routing.ts).
   */
  readonly route?: () => LocalRoute | undefined;
  /** What learns from `fn`'s runs on a remote worker (see `runObserverOf`, ./local-routing.ts). */
  readonly observe?: RunObserver;
}

/** Where a declared registration stands; `located` is final. */
type DeclarationState =
  | { readonly state: 'declared'; readonly file: string; readonly name: string | undefined; readonly position: string }
  | { readonly state: 'located'; readonly ref: RegisteredRef }
  | { readonly state: 'unlocatable'; readonly error: LocateError };

/**
 * A registration made at definition time and *located* only when a call first needs a
 * worker: {@link Declaration.locate} returns the call reference or throws the
 * `LocateError` saying how to make the function locatable. Until then nothing fails, so a
 * module may define any number of functions that only ever run on the loop.
 */
export class Declaration {
  #state: DeclarationState;
  readonly #fn: (...args: any[]) => unknown;
  readonly #aliases: readonly Function[];
  readonly #label: string;

  /** @internal use {@link declareRegistration}. */
  constructor(state: DeclarationState, fn: (...args: any[]) => unknown, aliases: readonly Function[], label: string) {
    this.#state = state;
    this.#fn = fn;
    this.#aliases = aliases;
    this.#label = label;
  }

  /** The defining module as read from the call site (a real path), when it has one. */
  get file(): string | undefined {
    const s = this.#state;
    return s.state === 'declared' ? s.file : s.state === 'located' ? s.ref.file : s.error.file;
  }

  /**
   * The call reference a worker resolves, or a `LocateError` naming the function and what
   * to do (define it at module top level, export it, or give it `name`). A success is
   * remembered; so is a failure, except for an anonymous function, which its module may
   * still export (a call made while the module loads, before its exports are assigned).
   */
  locate(): RegisteredRef {
    const s = this.#state;
    if (s.state === 'located') return s.ref;
    if (s.state === 'unlocatable') throw s.error;
    const ref = s.name === undefined ? this.#fromExports(s.file) : this.#fromNames(s.file, s.name, s.position);
    if (ref instanceof LocateError) {
      if (s.name !== undefined) this.#state = { state: 'unlocatable', error: ref };
      throw ref;
    }
    for (const alias of this.#aliases) aliasRegistration(alias, ref);
    this.#state = { state: 'located', ref };
    return ref;
  }

  #fromNames(file: string, name: string, position: string): RegisteredRef | LocateError {
    const entry = ownEntry(namesOf(file), name);
    // The same position: this function, or its module evaluated again (the worker loads it afresh).
    if (entry !== undefined && (entry.ref.fn === this.#fn || entry.site === position)) return Object.freeze({ file, name, fn: this.#fn });
    if (table().conflicts?.get(file)?.has(name) === true) return new LocateError(`\`${this.#label}\` cannot be located in a worker: ${duplicateMessage(name, file)}`, { file, qualifiedName: name });
    return new LocateError(`\`${this.#label}\` cannot be located in a worker: another registration replaced \`${name}\` in ${file}`, { file, qualifiedName: name });
  }

  #fromExports(file: string): RegisteredRef | LocateError {
    const exports = loadedModuleExports(file);
    const key = exports === undefined ? undefined : exportPathOf(exports, this.#fn, this.#aliases);
    if (key !== undefined && !key.includes('.') && ownEntry(namesOf(file), key) === undefined) return Object.freeze({ file, name: key, fn: this.#fn });
    return new LocateError(
      `${this.#label} cannot be located in a worker: a worker finds a function by its name or its export, and this one has neither. ` +
        `Export it from ${file} (\`export const add = unsync((a, b) => a + b)\`, a CommonJS module), or give it a name (\`unsync(fn, { name: 'add' })\` or \`function add() {}\`)`,
      { file },
    );
  }
}

/**
 * Declare `fn` for workers at definition time, cheaply: its defining module is read from
 * the call site now (the only time it can be), a named function takes its name in the
 * module's table at once (a worker loading the module makes the same declarations and
 * finds it there), and every check that can fail waits for {@link Declaration.locate}.
 * Never throws for where or how `fn` was defined; `TypeError` for bad arguments.
 *
 * @example
 * const declaration = declareRegistration(shim, { name: 'add', aliases: [wrapper] });
 * // later, when a call needs a worker:
 * const ref = declaration.locate(); // or LocateError: "... export it, or give it a name"
 */
export function declareRegistration(fn: (...args: any[]) => unknown, options: DeclareOptions = {}): Declaration {
  assertFunction('fn', fn);
  const { name, numbered = false, aliases = [] } = options;
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw new TypeError(expected('options.name', 'a non-empty string', name));
  const label = options.label ?? (name !== undefined ? `\`${name}\`` : 'an anonymous function');
  declareLocalRouting(fn, options);
  const site = findRegistrationSite(declareRegistration);
  const fail = (message: string, file?: string): Declaration =>
    new Declaration({ state: 'unlocatable', error: new LocateError(message, { file, qualifiedName: name }) }, fn, aliases, label);
  if (site === undefined || site.dynamic || site.file === undefined) {
    return fail(`${label} cannot be located in a worker: it was created dynamically (eval/new Function or Node internals); define it at module top level`);
  }
  const where = `${path.basename(site.file)}:${site.line}`;
  if (!site.topLevel) {
    return fail(`${label} (${where}) cannot be located in a worker: it is defined inside ${site.enclosing}, which a worker never runs; define it at module top level`, site.file);
  }
  const file = realFile(site.file);
  const position = `${site.line}:${site.column}`;
  if (name === undefined) {
    const anonymous = (table().anonymous ??= new WeakMap());
    namesOf(file);
    for (const f of [fn, ...aliases]) anonymous.set(f, fn);
    return new Declaration({ state: 'declared', file, name: undefined, position }, fn, aliases, `${label} (${where})`);
  }
  for (let n = 1; ; n++) {
    const key = n === 1 ? name : `${name}#${n}`;
    if (claimName(file, key, fn, position)) {
      for (const alias of aliases) aliasRegistration(alias, table().byFn.get(fn)!);
      return new Declaration({ state: 'declared', file, name: key, position }, fn, aliases, label);
    }
    if (numbered && n < 50) continue;
    // Neither function may be located under the name: a worker would run whichever it registered.
    const conflicts = (table().conflicts ??= new Map());
    let names = conflicts.get(file);
    if (names === undefined) conflicts.set(file, (names = new Set()));
    names.add(key);
    namesOf(file).delete(key);
    return new Declaration({ state: 'declared', file, name: key, position }, fn, aliases, label);
  }
}

function qualifiedName(fn: Function, options: RegisterOptions | undefined): string {
  if (options?.name !== undefined) return options.name;
  if (fn.name === '' || fn.name.startsWith('bound ')) {
    throw new LocateError(
      'an anonymous or bound function cannot be located in a worker: define it at module top level with a name, or pass `name`',
    );
  }
  return options?.owner !== undefined ? `${options.owner}.${fn.name}` : fn.name;
}

/**
 * Let `locateFunction(alias)` find `ref`: the decorator registers a shim and makes the
 * wrapper it returns, and the function it wrapped, aliases of it, so
 * `toThread(unsync(fn), ...)` works. No-op when `alias` has a registration of its own.
 */
export function aliasRegistration(alias: Function, ref: RegisteredRef): void {
  const { byFn } = table();
  if (!byFn.has(alias)) byFn.set(alias, ref);
}

/** The registered reference of `fn` in this thread, if any. */
export function registeredRef(fn: Function): RegisteredRef | undefined {
  return table().byFn.get(fn);
}

/** The function registered as `ref` in this thread, if any. */
export function lookupRef(ref: CallRef): RegisteredRef | undefined {
  return table().byFile.get(realFile(ref.file))?.get(ref.name)?.ref;
}

/**
 * The call reference of `fn`: its registration, or else the loaded CommonJS module that
 * exports it (an exported function, or a static or prototype method of an exported class),
 * which the worker resolves through the module's exports.
 *
 * Throws `LocateError` when neither finds it (under jest, modules are not in
 * `require.cache`: register the function).
 */
export function locateFunction(fn: Function): RegisteredRef {
  const registered = table().byFn.get(fn);
  if (registered !== undefined) return registered;
  const found = findInLoadedModules(fn);
  if (found !== undefined) return found;
  throw new LocateError(
    `\`${fn.name || 'anonymous'}\` cannot be located in a worker: it is neither registered (unsync(fn) / unsyncRegister) nor exported by a loaded module; define it at module top level and register or export it`,
    { qualifiedName: fn.name || undefined },
  );
}

function findInLoadedModules(fn: Function): RegisteredRef | undefined {
  const found = findLoadedExport(fn);
  if (found === undefined) return undefined;
  const ref: RegisteredRef = Object.freeze({ file: realFile(found.file), name: found.name, fn: fn as RegisteredRef['fn'] });
  table().byFn.set(fn, ref);
  return ref;
}
