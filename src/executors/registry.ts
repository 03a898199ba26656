/**
 * The function registry: how a worker finds a function again.
 *
 * Keyed by defining module file (a real path) plus a stable qualified name (`Class.method`,
 * `Class.staticMethod`, the function's name, or an explicit `name`). One table per thread,
 * kept on `globalThis` under a `Symbol.for` key so every copy of unsync loaded in a thread
 * (the `src/` one under jest or tsx, the compiled `dist/` one) and the worker bootstrap
 * (`./bootstrap.cjs`) share it. See docs/executors.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocateError } from '../core/errors';
import { assertFunction, assertOptions, expected } from '../core/validate';
import { findRegistrationSite, normaliseFile } from './call-site';
import type { CallRef } from './protocol';

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

/** A call reference that also carries the function, for executors running in this thread. */
export interface RegisteredRef extends CallRef {
  readonly fn: (...args: any[]) => unknown;
}

interface Entry {
  readonly ref: RegisteredRef;
  /** `line:column` of the registration; a second registration from the same spot is a re-evaluation. */
  readonly site: string;
}

interface Table {
  readonly version: 1;
  /** real path -> qualified name -> entry. Read by bootstrap.cjs: keep the shape. */
  readonly byFile: Map<string, Map<string, Entry>>;
  readonly byFn: WeakMap<Function, RegisteredRef>;
}

const REGISTRY_KEY = Symbol.for('unsync.registry.v1');
const WORKER_KEY = Symbol.for('unsync.worker');

function table(): Table {
  const g = globalThis as unknown as Record<symbol, Table | undefined>;
  return (g[REGISTRY_KEY] ??= { version: 1, byFile: new Map(), byFn: new WeakMap() });
}

const realPaths = new Map<string, string>();
/** The real path of `file` (cached); the file itself when it does not exist. */
export function realFile(file: string): string {
  let real = realPaths.get(file);
  if (real === undefined) {
    try {
      real = fs.realpathSync(file);
    } catch {
      real = file;
    }
    realPaths.set(file, real);
  }
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
  const { byFile, byFn } = table();
  let names = byFile.get(file);
  if (names === undefined) byFile.set(file, (names = new Map()));
  const existing = names.get(name);
  if (existing !== undefined && existing.ref.fn !== fn && existing.site !== position) {
    throw new LocateError(
      `two functions are registered as \`${name}\` in ${file}; give one of them an explicit \`name\``,
      { file, qualifiedName: name },
    );
  }
  const ref: RegisteredRef = Object.freeze({ file, name, fn });
  names.set(name, { ref, site: position });
  byFn.set(fn, ref);
  return ref;
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
  const cache = typeof require === 'function' ? require.cache : undefined;
  if (cache === undefined) return undefined;
  for (const file of Object.keys(cache)) {
    const mod = cache[file];
    if (mod === undefined || !path.isAbsolute(file)) continue;
    const name = exportPathOf(mod.exports, fn);
    if (name !== undefined) {
      const ref: RegisteredRef = Object.freeze({ file: realFile(file), name, fn: fn as RegisteredRef['fn'] });
      table().byFn.set(fn, ref);
      return ref;
    }
  }
  return undefined;
}

/** `key`, `Class.method` or `Class.staticMethod` naming `fn` inside `exports`; the same walk as bootstrap.cjs. */
function exportPathOf(exports: unknown, fn: Function): string | undefined {
  if (exports === fn) return 'default';
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) return undefined;
  const record = exports as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    let value: unknown;
    try {
      value = record[key];
    } catch {
      continue;
    }
    if (value === fn) return key;
    if (typeof value === 'function' && value.prototype !== undefined) {
      for (const member of Object.getOwnPropertyNames(value)) {
        if (member !== 'prototype' && safeGet(value, member) === fn) return `${key}.${member}`;
      }
      for (const member of Object.getOwnPropertyNames(value.prototype)) {
        if (member !== 'constructor' && safeGet(value.prototype, member) === fn) return `${key}.${member}`;
      }
    }
  }
  return undefined;
}

function safeGet(target: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  return descriptor && 'value' in descriptor ? descriptor.value : undefined;
}
