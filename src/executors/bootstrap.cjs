'use strict';
/**
 * The entry of every unsync worker: piscina threads load it as their task handler, and the
 * process pool's child entry (`./process-bootstrap.cjs`) runs each call through `runCall`.
 *
 * Plain CommonJS on purpose: it runs before any TypeScript loader exists. It imports only
 * Node built-ins and the error codec. For each call it loads the defining module (which
 * re-runs its registrations), finds the function by qualified name and runs it. The wire
 * messages are described in `./protocol.ts`; the design in docs/executors.md.
 */
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { isMainThread } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { encodeError, findUncloneable } = require('./error-codec.cjs');

const REGISTRY_KEY = Symbol.for('unsync.registry.v1');
const WORKER_KEY = Symbol.for('unsync.worker');
const BRAND = Symbol.for('unsync.error.brand');
const PROTOCOL_VERSION = 1;
const TYPESCRIPT = /\.[cm]?tsx?$/;

const kind = isMainThread ? 'process' : 'thread';
// Read by `inWorker()`: set before any user module loads.
globalThis[WORKER_KEY] = kind;

/** file -> exports (or a promise of the ESM namespace). */
const loadedModules = new Map();
let loaderRegistered = false;

function now() {
  return performance.timeOrigin + performance.now();
}

/** Register a TypeScript loader in this thread when `file` needs one and none is present. */
function ensureTypeScriptLoader(file) {
  if (loaderRegistered || !TYPESCRIPT.test(file) || require.extensions['.ts'] !== undefined) return;
  const paths = [path.dirname(file), __dirname, process.cwd()];
  const attempts = [];
  try {
    require(require.resolve('tsx/cjs/api', { paths })).register();
    loaderRegistered = true;
    return;
  } catch (error) {
    attempts.push(`tsx: ${error && error.message}`);
  }
  try {
    require(require.resolve('ts-node', { paths })).register({ transpileOnly: true });
    loaderRegistered = true;
    return;
  } catch (error) {
    attempts.push(`ts-node: ${error && error.message}`);
  }
  throw new Error(`no TypeScript loader could be registered to load ${file} (install tsx): ${attempts.join('; ')}`);
}

const realFiles = new Map();
function realFile(file) {
  let real = realFiles.get(file);
  if (real === undefined) {
    try {
      real = fs.realpathSync(file);
    } catch {
      real = file;
    }
    realFiles.set(file, real);
  }
  return real;
}

/** `file\0name` -> function, once found (the hot path of every call after the first). */
const located = new Map();

/** The module's exports; loads it once per worker (CommonJS first, `import()` for ESM). */
function loadModule(file) {
  if (loadedModules.has(file)) return loadedModules.get(file);
  ensureTypeScriptLoader(file);
  let loaded;
  try {
    loaded = require(file);
  } catch (error) {
    if (!error || (error.code !== 'ERR_REQUIRE_ESM' && error.code !== 'ERR_REQUIRE_ASYNC_MODULE')) throw error;
    loaded = import(pathToFileURL(file).href);
  }
  loadedModules.set(file, loaded);
  if (loaded && typeof loaded.then === 'function') {
    loaded.then(
      (namespace) => loadedModules.set(file, namespace),
      () => loadedModules.delete(file),
    );
  }
  return loaded;
}

/** Same walk as `exportPathOf` in registry.ts: `key`, `Class.member`, or `default`. */
function fromExports(exports, name) {
  if (exports === null || exports === undefined) return undefined;
  if (name === 'default') return typeof exports === 'function' ? exports : exports.default;
  const [head, member] = name.split('.', 2);
  let owner = exports[head];
  if (owner === undefined && exports.default && typeof exports.default === 'object') owner = exports.default[head];
  if (member === undefined) return typeof owner === 'function' ? owner : undefined;
  if (typeof owner !== 'function') return undefined;
  if (typeof owner[member] === 'function') return owner[member];
  return owner.prototype && typeof owner.prototype[member] === 'function' ? owner.prototype[member] : undefined;
}

function locateError(message, file, qualifiedName, cause) {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  Object.defineProperty(error, BRAND, { value: 'LocateError', enumerable: false });
  Object.defineProperty(error, 'name', { value: 'LocateError', enumerable: false, writable: true, configurable: true });
  error.file = file;
  error.qualifiedName = qualifiedName;
  return error;
}

async function locate(file, name) {
  let exports;
  try {
    exports = await loadModule(file);
  } catch (error) {
    throw locateError(`the module ${file} could not be loaded in the worker: ${error && error.message}`, file, name, error);
  }
  const names = globalThis[REGISTRY_KEY] && globalThis[REGISTRY_KEY].byFile.get(realFile(file));
  const entry = names && names.get(name);
  const fn = entry ? entry.ref.fn : fromExports(exports, name);
  if (typeof fn !== 'function') {
    const known = names ? [...names.keys()].map((n) => `\`${n}\``).join(', ') : '';
    throw locateError(
      `\`${name}\` cannot be located in a worker: loading ${file} did not register it${known ? ` (it registered ${known})` : ''} and it is not exported; define it at module top level`,
      file,
      name,
    );
  }
  return fn;
}

/** Run one call and return its outcome message. Never throws. */
async function runCall(message) {
  const { id, file, name, args } = message;
  const startedAt = now();
  const key = `${file}\0${name}`;
  let fn = located.get(key);
  if (fn === undefined) {
    try {
      fn = await locate(file, name);
      located.set(key, fn);
    } catch (error) {
      return { type: 'error', id, phase: 'locate', error: encodeError(error), startedAt, endedAt: now() };
    }
  }
  try {
    let value = fn(...args);
    // Await only real thenables: a synchronous result costs no extra microtask turn.
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') value = await value;
    return { type: 'result', id, value, startedAt, endedAt: now() };
  } catch (error) {
    return { type: 'error', id, phase: 'run', error: encodeError(error), startedAt, endedAt: now() };
  }
}

/** Replace an outcome whose value cannot be cloned by a `CloneError` outcome. */
function resultCloneFailure(outcome, reason) {
  const found = findUncloneable([outcome.value]);
  const where = found && found.path ? ` (at ${found.path})` : '';
  const error = new TypeError(`the result of \`${outcome.id}\` cannot be cloned back to the caller${where}: ${reason && reason.message}`, { cause: reason });
  Object.defineProperty(error, BRAND, { value: 'CloneError', enumerable: false });
  Object.defineProperty(error, 'name', { value: 'CloneError', enumerable: false, writable: true, configurable: true });
  error.what = 'result';
  return { type: 'error', id: outcome.id, phase: 'result', error: encodeError(error), startedAt: outcome.startedAt, endedAt: outcome.endedAt };
}

// A result that is an object may hold something structured clone refuses. piscina posts the
// value itself, and a failing post would kill the worker, so objects are checked here; the
// check is skipped for primitives, which always clone.
function checkedOutcome(outcome) {
  if (outcome.type !== 'result') return outcome;
  const value = outcome.value;
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return outcome;
  try {
    structuredClone(value);
    return outcome;
  } catch (reason) {
    return resultCloneFailure(outcome, reason);
  }
}

// The process pool's child entry is `./process-bootstrap.cjs`: it speaks IPC and runs each
// call with `runCall` below.

/** piscina's task handler (threads). */
module.exports = function unsyncWorkerHandler(message) {
  return runCall(message).then(checkedOutcome);
};
module.exports.runCall = runCall;
module.exports.resultCloneFailure = resultCloneFailure;
