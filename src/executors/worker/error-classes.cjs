'use strict';
// @ts-check
/**
 * Where an error's class can be found again on the other side of a boundary: the lookups
 * the error codec (./error-codec.cjs) makes on both sides.
 *
 * - The class table of `registerErrorClass` (src/executors/error-classes.ts validates and
 *   calls `claimErrorClass`): stable key <-> class, one table per thread on `globalThis`
 *   under `ERROR_CLASSES_KEY`, so every copy of unsync loaded in a thread (and this worker
 *   side) shares it.
 * - Module exports, the way a worker finds functions (module file + export name): in the
 *   worker, `exportLocations(Class)` names the loaded CommonJS modules that export the class;
 *   in the caller, `exportedClass(file, path)` reads the same export of the caller's copy of
 *   that module. The caller only *reads* modules it has already loaded (`require.cache`,
 *   which jest also provides): it never loads a path that came across the boundary, so a
 *   transport whose records come from elsewhere (a job queue) cannot make it run code.
 *
 * Plain CommonJS (see ./run-call.cjs for why); imports only Node built-ins and the global keys.
 */
const { isAbsolute } = require('node:path');
const { ERROR_CLASSES_KEY } = require('../../core/keys.cjs');

/**
 * A registered class and where it was registered (`file:line:column`): a second
 * registration from the same place is the module evaluated again, and replaces the entry.
 * @typedef {{ readonly Class: Function, readonly site: string }} ClassEntry
 * The table shared through `globalThis`. Keep the shape: other copies of unsync read it.
 * @typedef {{ readonly version: 1, readonly byKey: Map<string, ClassEntry>, readonly byClass: WeakMap<Function, string> }} ClassTable
 * Why `claimErrorClass` refused.
 * @typedef {{ readonly kind: 'key', readonly other: Function, readonly site: string } | { readonly kind: 'class', readonly key: string }} ClassConflict
 * A module record as `require.cache` holds it.
 * @typedef {{ exports?: unknown }} CachedModule
 */

/** @returns {ClassTable} */
function classTable() {
  const slots = /** @type {{ [ERROR_CLASSES_KEY]?: ClassTable }} */ (globalThis);
  return (slots[ERROR_CLASSES_KEY] ??= { version: 1, byKey: new Map(), byClass: new WeakMap() });
}

/**
 * Register `Class` under `key` in this thread (arguments already validated). Returns the
 * conflict instead when another class holds `key` (registered from another place) or
 * `Class` is registered under another key; registering the same class again is a no-op.
 * @param {Function} Class
 * @param {string} key
 * @param {string} site where the registration was made (`file:line:column`)
 * @returns {ClassConflict | undefined}
 */
function claimErrorClass(Class, key, site) {
  const table = classTable();
  const ownKey = table.byClass.get(Class);
  if (ownKey !== undefined && ownKey !== key) return { kind: 'class', key: ownKey };
  const held = table.byKey.get(key);
  if (held !== undefined && held.Class !== Class) {
    if (held.site !== site) return { kind: 'key', other: held.Class, site: held.site };
    table.byClass.delete(held.Class);
  }
  table.byKey.set(key, { Class, site });
  table.byClass.set(Class, key);
  return undefined;
}

/**
 * The class registered under `key` in this thread.
 * @param {string} key
 * @returns {Function | undefined}
 */
function registeredErrorClass(key) {
  const entry = classTable().byKey.get(key);
  return entry === undefined ? undefined : entry.Class;
}

/**
 * The key `Class` is registered under in this thread.
 * @param {Function} Class
 * @returns {string | undefined}
 */
function registeredErrorKey(Class) {
  return classTable().byClass.get(Class);
}

/** @returns {Record<string, CachedModule | undefined> | undefined} */
function moduleCache() {
  // `require` is Node's in a worker and in a plain Node caller, jest's (whose `cache` reads
  // the test file's module registry) under jest.
  return typeof require === 'function' && require.cache ? /** @type {Record<string, CachedModule | undefined>} */ (require.cache) : undefined;
}

/**
 * `target[key]`, or undefined when reading it throws (an export getter in its temporal
 * dead zone). Getters run only when `getters` is true.
 * @param {unknown} target
 * @param {string} key
 * @param {boolean} getters
 * @returns {unknown}
 */
function read(target, key, getters) {
  try {
    if (getters) return /** @type {Record<string, unknown>} */ (target)[key];
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    return descriptor === undefined ? undefined : descriptor.value;
  } catch {
    return undefined;
  }
}

/**
 * Whether the export getters of `exports` may be read: only for the output of a compiler
 * from ES modules (tsc, esbuild under tsx, Babel: `__esModule` is set), whose getters
 * forward to a binding. A hand-written CommonJS getter may do anything (warn, load a
 * module), so it is not run.
 * @param {unknown} exports
 * @returns {boolean}
 */
function compiledFromEsm(exports) {
  return read(exports, '__esModule', false) === true;
}

/**
 * @param {unknown} value
 * @returns {string[]}
 */
function keysOf(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return [];
  try {
    return Object.keys(value);
  } catch {
    return [];
  }
}

/**
 * @param {unknown} value
 * @returns {boolean}
 */
function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Where `exports` holds `Class`: `''` (the exports are the class), `key`, or `key.member`
 * one level into a plain object (a `default` namespace, an `errors` bag).
 * @param {unknown} exports
 * @param {Function} Class
 * @returns {string | undefined}
 */
function exportPathOf(exports, Class) {
  if (exports === Class) return '';
  const getters = compiledFromEsm(exports);
  const keys = keysOf(exports);
  /** @type {[string, unknown][]} */
  const bags = [];
  for (const key of keys) {
    const value = read(exports, key, getters);
    if (value === Class) return key;
    if (isPlainObject(value)) bags.push([key, value]);
  }
  for (const [key, bag] of bags) {
    for (const member of keysOf(bag)) if (read(bag, member, getters) === Class) return `${key}.${member}`;
  }
  return undefined;
}

/** At most this many modules are named for one class (re-exports through barrels). */
const MAX_LOCATIONS = 4;
/**
 * Class -> its locations, and how many modules of the cache were looked at: a class no
 * module exported is looked for again in the modules loaded since (a scan of every module
 * costs about a millisecond for a hundred and fifty modules; this keeps it to once).
 * @type {WeakMap<Function, { readonly scanned: number, readonly found: readonly (readonly [string, string])[] }>}
 */
const locations = new WeakMap();

/**
 * The loaded CommonJS modules of this thread that export `Class`, as `[file, path]` pairs
 * (`path` as `exportPathOf` gives it), in load order, at most `MAX_LOCATIONS`. ES modules
 * are not listed (Node keeps no table of them that can be read).
 * @param {Function} Class
 * @returns {readonly (readonly [string, string])[]}
 */
function exportLocations(Class) {
  const memo = locations.get(Class);
  if (memo !== undefined && memo.found.length > 0) return memo.found;
  const cache = moduleCache();
  if (cache === undefined) return [];
  const files = Object.keys(cache);
  if (memo !== undefined && memo.scanned === files.length) return memo.found;
  // The cache keeps load order: scan only the modules loaded since (all of them after a deletion).
  const from = memo !== undefined && memo.scanned < files.length ? memo.scanned : 0;
  /** @type {(readonly [string, string])[]} */
  const found = [];
  for (let i = from; i < files.length && found.length < MAX_LOCATIONS; i++) {
    const file = /** @type {string} */ (files[i]);
    const record = cache[file];
    if (record === undefined || !isAbsolute(file)) continue;
    const at = exportPathOf(record.exports, Class);
    if (at !== undefined) found.push([file, at]);
  }
  locations.set(Class, { scanned: files.length, found });
  return found;
}

/**
 * The class at `path` in the exports of `file`, when this thread has that module loaded
 * (it is never loaded here) and the value there is a constructor.
 * @param {string} file
 * @param {string} path
 * @returns {Function | undefined}
 */
function exportedClass(file, path) {
  const cache = moduleCache();
  const record = cache === undefined ? undefined : cache[file];
  if (record === undefined || record === null) return undefined;
  let value = record.exports;
  const getters = compiledFromEsm(value);
  if (path !== '') for (const part of path.split('.')) value = read(value, part, getters);
  return typeof value === 'function' && typeof value.prototype === 'object' ? value : undefined;
}

module.exports = { claimErrorClass, registeredErrorClass, registeredErrorKey, exportLocations, exportedClass };
