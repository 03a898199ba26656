'use strict';
// @ts-check
/**
 * The "run a call" core of every unsync worker, shared by the thread entry
 * (./thread-entry.cjs: a piscina session serving calls on a port) and the process entry
 * (./process-entry.cjs: a child speaking IPC), so threads and processes find and run
 * functions with exactly the same code.
 *
 * Plain CommonJS on purpose: it runs before any TypeScript loader exists. It imports only
 * Node built-ins, the global keys, the call scope and the error codec. For each call it loads
 * the defining module (which re-runs its registrations), finds the function by qualified
 * name and runs it in a call scope (what `checkpoint()` / `currentSignal()` read). The wire
 * messages are typed in ../protocol.ts; the design is in docs/executors.md and docs/engine.md.
 */
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { isMainThread } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { encodeError, findUncloneable } = require('./error-codec.cjs');
const { ERROR_BRAND: BRAND, REGISTRY_KEY, TASK_RUNNER_KEY, WORKER_KEY } = require('../../core/keys.cjs');
const { CallScope, currentScope, enterScope } = require('./call-scope.cjs');
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

/** The loaders a worker can register, by name (see `ensureTypeScriptLoader`). */
const LOADERS = {
  tsx: (paths) => require(require.resolve('tsx/cjs/api', { paths })).register(),
  'ts-node': (paths) => require(require.resolve('ts-node', { paths })).register({ transpileOnly: true }),
};
/**
 * The loader the parent runs under, tried first: set from a thread session's `tsLoader` or a
 * child's `UNSYNC_TS_LOADER` (src/executors/typescript-loader.ts). Otherwise tsx first.
 */
let preferredLoader = process.env.UNSYNC_TS_LOADER;

/**
 * Register a TypeScript loader in this thread when `file` needs one and none is present:
 * the parent's loader when it told us (ts-node), else tsx, falling back to ts-node.
 */
function ensureTypeScriptLoader(file) {
  if (loaderRegistered || !TYPESCRIPT.test(file) || require.extensions['.ts'] !== undefined) return;
  const paths = [path.dirname(file), __dirname, process.cwd()];
  const order = preferredLoader === 'ts-node' ? ['ts-node', 'tsx'] : ['tsx', 'ts-node'];
  const attempts = [];
  for (const name of order) {
    try {
      LOADERS[name](paths);
      loaderRegistered = true;
      return;
    } catch (error) {
      attempts.push(`${name}: ${error && error.message}`);
    }
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

/** `async function`s are run as library tasks when the library is loaded here (see `invoke`). */
const AsyncFunction = (async () => undefined).constructor;

/**
 * Call `fn(...args)` inside `scope`. An `async function` runs as a task of the unsync library
 * loaded in this worker (it installs a runner when it loads), so that a stop request cancels
 * the library awaitable the call is suspended on, as `cancel()` of a loop task does.
 */
function invoke(fn, args, scope) {
  if (scope !== undefined && fn instanceof AsyncFunction) {
    const runner = globalThis[TASK_RUNNER_KEY];
    if (typeof runner === 'function') return runner(() => fn(...args), scope);
  }
  return fn(...args);
}

/** Leave `scope` if it is still the current one (a call that ended). */
function leave(scope) {
  if (scope !== undefined && currentScope() === scope) enterScope(undefined);
}

/**
 * Run one call and return its outcome message, synchronously when the function is already
 * located and returns a non-thenable (the thread server's hot path), else as a promise.
 * Never throws. The call runs in a new call scope whose stop request `probe` reads from
 * shared memory (undefined: only a `stop()` message stops it); `probe` null runs it in the
 * current scope (a map chunk's items).
 */
function runCallNow(message, probe) {
  const fn = located.get(`${message.file}\0${message.name}`);
  if (fn === undefined) return runCall(message, probe);
  return execute(fn, message, probe, now());
}

/** Run the located `fn` for `message` (see runCallNow). */
function execute(fn, message, probe, startedAt) {
  const { id, args } = message;
  const scope = probe === null ? undefined : new CallScope(id, probe);
  if (scope !== undefined) enterScope(scope);
  let value;
  try {
    value = invoke(fn, args, scope);
  } catch (error) {
    leave(scope);
    return { type: 'error', id, phase: 'run', error: encodeError(error), startedAt, endedAt: now() };
  }
  if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
    // `thenable: true` tells the parent the function answered with a promise (evidence
    // that it is async, for the decorator's routing).
    return Promise.resolve(value).then(
      (v) => {
        leave(scope);
        return { type: 'result', id, value: v, startedAt, endedAt: now(), thenable: true };
      },
      (error) => {
        leave(scope);
        return { type: 'error', id, phase: 'run', error: encodeError(error), startedAt, endedAt: now(), thenable: true };
      },
    );
  }
  leave(scope);
  return { type: 'result', id, value, startedAt, endedAt: now() };
}

/** Locate the function of `message` (loading its module), then run it. Never rejects. */
async function runCall(message, probe) {
  const { id, file, name } = message;
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
  return execute(fn, message, probe, startedAt);
}

/**
 * How an answer's error names the call `message` (undefined: only the id is known): the
 * function's qualified name and the call id; for a `map` chunk (`runChunk` of this file) the
 * mapped function's name.
 */
function describeCall(id, message) {
  if (message === undefined) return `call ${id}`;
  if (message.name === 'runChunk' && message.file === __filename && typeof message.args[1] === 'string') {
    return `\`${message.args[1]}\` (a map chunk, call ${id})`;
  }
  return `\`${message.name}\` (call ${id})`;
}

/**
 * Replace an outcome whose value cannot be cloned by a `CloneError` outcome naming the
 * function (`call` is the call message the outcome answers).
 */
function resultCloneFailure(outcome, reason, call) {
  const found = findUncloneable([outcome.value]);
  const where = found && found.path ? ` (at ${found.path})` : '';
  const error = new TypeError(`the result of ${describeCall(outcome.id, call)} cannot be cloned back to the caller${where}: ${reason && reason.message}`, { cause: reason });
  Object.defineProperty(error, BRAND, { value: 'CloneError', enumerable: false });
  Object.defineProperty(error, 'name', { value: 'CloneError', enumerable: false, writable: true, configurable: true });
  error.what = 'result';
  return { type: 'error', id: outcome.id, phase: 'result', error: encodeError(error), startedAt: outcome.startedAt, endedAt: outcome.endedAt };
}

/**
 * `map`'s chunk runner, called through the ordinary protocol as `{ file: <this file>, name:
 * 'runChunk' }`: runs `name` from `file` on each item in order (awaiting thenables one at a
 * time) and returns `{ values, errors, locate }`: `errors` is null or `[index, EncodedError]`
 * pairs, so a failure surfaces at its item's position; `locate` is the encoded
 * `LocateError` when the function cannot be found (then nothing ran).
 */
function runChunk(file, name, items) {
  const values = new Array(items.length);
  let errors = null;
  let i = 0;
  const record = (o) => {
    if (o.type === 'result') values[i] = o.value;
    else if (o.phase === 'locate') return false;
    else (errors ??= []).push([i, o.error]);
    return true;
  };
  const step = () => {
    for (; i < items.length; i++) {
      const outcome = runCallNow({ id: i, file, name, args: [items[i]] }, null);
      if (typeof outcome.then === 'function') {
        return outcome.then((o) => {
          if (!record(o)) return { values: [], errors: null, locate: o.error };
          i++;
          return step();
        });
      }
      if (!record(outcome)) return { values: [], errors: null, locate: outcome.error };
    }
    return { values, errors, locate: null };
  };
  return step();
}

/**
 * The TypeScript loader the parent runs under, when it told us (a thread session's
 * `tsLoader`): tried first by `ensureTypeScriptLoader`.
 * @param {string | undefined} name
 */
function preferLoader(name) {
  if (name !== undefined) preferredLoader = name;
}

module.exports = { runCall, runCallNow, runChunk, resultCloneFailure, preferLoader };
