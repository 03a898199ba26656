/**
 * Functions found among the exports of loaded CommonJS modules (`require.cache`): how the
 * registry locates a function nobody registered but its module exports (an exported
 * function, or a static or prototype method of an exported class), with the same walk a
 * worker uses to find it again (worker/run-call.cjs). ES modules are not in the cache.
 * Getters are never run: only data properties are read.
 */
import * as path from 'node:path';

/** `require.cache[file].exports[name]` (CommonJS modules only; ES modules are not in it). */
export function exportedValue(file: string, name: string): unknown {
  const exports = loadedModuleExports(file);
  if (exports === undefined) return undefined;
  if (name === 'default') return typeof exports === 'function' ? exports : safeGet(exports, 'default');
  return safeGet(exports, name);
}

/** The exports of the loaded CommonJS module `file`, if it is loaded and they are an object or a function. */
export function loadedModuleExports(file: string): object | undefined {
  const cache = typeof require === 'function' ? require.cache : undefined;
  const exports = cache?.[file]?.exports as unknown;
  return (typeof exports === 'object' && exports !== null) || typeof exports === 'function' ? (exports as object) : undefined;
}

/**
 * The first loaded CommonJS module (absolute path) whose exports hold `fn`, and the
 * export path naming it there.
 */
export function findLoadedExport(fn: Function): { file: string; name: string } | undefined {
  const cache = typeof require === 'function' ? require.cache : undefined;
  if (cache === undefined) return undefined;
  for (const file of Object.keys(cache)) {
    const mod = cache[file];
    if (mod === undefined || !path.isAbsolute(file)) continue;
    const name = exportPathOf(mod.exports, fn);
    if (name !== undefined) return { file, name };
  }
  return undefined;
}

/** `key`, `Class.method` or `Class.staticMethod` naming `fn` inside `exports`; the same walk as worker/run-call.cjs. */
export function exportPathOf(exports: unknown, fn: Function, aliases: readonly Function[] = []): string | undefined {
  if (aliases.length > 0) {
    for (const f of [fn, ...aliases]) {
      const key = exportPathOf(exports, f);
      if (key !== undefined) return key;
    }
    return undefined;
  }
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
