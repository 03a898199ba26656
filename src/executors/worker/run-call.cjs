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
 * messages are typed in ./wire.d.cts (../protocol.ts re-exports them); the design is in
 * docs/executors.md and docs/engine.md.
 */
const fs = require('node:fs');
const { pathToFileURL } = require('node:url');
const { isMainThread } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const { encodeError, findUncloneable } = require('./error-codec.cjs');
const { ERROR_BRAND: BRAND, REGISTRY_KEY, TASK_RUNNER_KEY, WORKER_KEY } = require('../../core/keys.cjs');
const { CallScope, currentScope, enterScope } = require('./call-scope.cjs');
const { isIterator, pumpStream } = require('./stream-pump.cjs');
const { cpuCostSince, cpuReading } = require('./cpu-clock.cjs');
const { describeLoadFailure, ensureTypeScript, loaderInUse, preferLoader } = require('./load-typescript.cjs');

/**
 * @typedef {import('./wire.cjs').CallMessage} CallMessage
 * @typedef {import('./wire.cjs').CallOutcome} CallOutcome
 * @typedef {import('./wire.cjs').ErrorMessage} ErrorMessage
 * @typedef {import('../../core/keys.cjs').TaskRunner} TaskRunner
 * What the core reads of a call message (a map chunk's items carry no `type`).
 * @typedef {Omit<CallMessage, 'type'>} CallRequest
 * A call's answer now, or a promise of it. An answer has no `then`, so
 * `typeof outcome.then === 'function'` tells the two apart.
 * @typedef {(CallOutcome & { then?: undefined }) | Promise<CallOutcome>} OutcomeNow
 * @typedef {import('./wire.cjs').EncodedError} EncodedError
 * What `runChunk` answers for a map chunk (see there).
 * @typedef {{ values: unknown[], errors: [number, EncodedError][] | null, locate: EncodedError | null }} ChunkResult
 * Reads a call's stop request from shared memory (see `runCallNow`).
 * @typedef {(() => boolean) | undefined | null} Probe
 * What an entry gives a call to talk to its caller while it runs (./call-scope.cjs):
 * progress values and, for a stream call (a generator function whose message asks for a
 * stream: `credit` set), chunks of yielded values (./stream-pump.cjs).
 * @typedef {import('./call-scope.cjs').CallIO | undefined} CallIO
 * What the core reads of this thread's function registry (src/executors/registry.ts, the
 * `Table` under REGISTRY_KEY): real path -> qualified name -> entry.
 * @typedef {{ byFile: Map<string, Map<string, { ref: { fn: unknown } }>> }} RegistryTable
 * What the core reads on `globalThis` (keys from src/core/keys.cjs) and sets there.
 * @typedef {{ [REGISTRY_KEY]?: RegistryTable, [TASK_RUNNER_KEY]?: TaskRunner, [WORKER_KEY]?: 'thread' | 'process' }} WorkerGlobals
 * A thrown value, read for its `message` or `code` when it has them.
 * @typedef {{ message?: unknown, code?: unknown }} Thrown
 */

/** `globalThis`, seen with the slots the worker side reads and writes. */
const slots = /** @type {WorkerGlobals} */ (globalThis);

const kind = isMainThread ? 'process' : 'thread';
// Read by `inWorker()`: set before any user module loads.
slots[WORKER_KEY] = kind;

/** file -> exports (or a promise of the ESM namespace). */
/** @type {Map<string, unknown>} */
const loadedModules = new Map();

function now() {
  return performance.timeOrigin + performance.now();
}

/** @type {Map<string, string>} */
const realFiles = new Map();
/**
 * @param {string} file
 * @returns {string}
 */
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
/** @type {Map<string, Function>} */
const located = new Map();

/**
 * The module's exports; loads it once per worker (CommonJS first, `import()` for ESM).
 * @param {string} file
 * @returns {unknown} the exports, or a promise of the ESM namespace
 */
function loadModule(file) {
  if (loadedModules.has(file)) return loadedModules.get(file);
  ensureTypeScript(file);
  /** @type {unknown} */
  let loaded;
  try {
    loaded = require(file);
  } catch (error) {
    const code = error && /** @type {Thrown} */ (error).code;
    if (!error || (code !== 'ERR_REQUIRE_ESM' && code !== 'ERR_REQUIRE_ASYNC_MODULE')) throw error;
    loaded = import(pathToFileURL(file).href);
  }
  loadedModules.set(file, loaded);
  const pending = /** @type {Partial<PromiseLike<unknown>> | null | undefined} */ (loaded);
  if (pending && typeof pending.then === 'function') {
    pending.then(
      (namespace) => loadedModules.set(file, namespace),
      () => loadedModules.delete(file),
    );
  }
  return loaded;
}

/**
 * Same walk as `exportPathOf` in registry.ts: `key`, `Class.member`, or `default`.
 * @param {unknown} exports a module's exports or ESM namespace
 * @param {string} name
 * @returns {unknown} the function (the caller checks that it is one), or undefined
 */
function fromExports(exports, name) {
  if (exports === null || exports === undefined) return undefined;
  // Exports, a default export, a class and its prototype are read as records of unknowns.
  const bag = /** @type {Record<string, unknown>} */ (exports);
  if (name === 'default') return typeof exports === 'function' ? exports : bag.default;
  const [head, member] = name.split('.', 2);
  let owner = bag[head];
  if (owner === undefined && bag.default && typeof bag.default === 'object') owner = /** @type {Record<string, unknown>} */ (bag.default)[head];
  if (member === undefined) return typeof owner === 'function' ? owner : undefined;
  if (typeof owner !== 'function') return undefined;
  const statics = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (owner));
  if (typeof statics[member] === 'function') return statics[member];
  const proto = /** @type {Record<string, unknown> | undefined} */ (owner.prototype);
  return proto && typeof proto[member] === 'function' ? proto[member] : undefined;
}

/**
 * A `LocateError` (or with `brand` 'ModuleLoadError', its kind for a module that could not
 * be loaded) the parent rebuilds by its brand.
 * @param {string} message
 * @param {string} file
 * @param {string} qualifiedName
 * @param {unknown} [cause]
 * @param {'LocateError' | 'ModuleLoadError'} [brand]
 * @returns {Error & { file: string, qualifiedName: string, loader?: string }}
 */
function locateError(message, file, qualifiedName, cause, brand = 'LocateError') {
  const error = /** @type {Error & { file: string, qualifiedName: string, loader?: string }} */ (new Error(message, cause === undefined ? undefined : { cause }));
  Object.defineProperty(error, BRAND, { value: brand, enumerable: false });
  Object.defineProperty(error, 'name', { value: brand, enumerable: false, writable: true, configurable: true });
  error.file = file;
  error.qualifiedName = qualifiedName;
  if (brand === 'ModuleLoadError') error.loader = loaderInUse();
  return error;
}

/**
 * Load `file` and find `name` in it: in this thread's registry, else in its exports.
 * @param {string} file
 * @param {string} name
 * @returns {Promise<Function>}
 */
async function locate(file, name) {
  let exports;
  try {
    exports = await loadModule(file);
  } catch (error) {
    // One line saying why and what to do; the loader's own error (and stack) is the cause.
    throw locateError(`the module ${file} could not be loaded in a ${kind} worker: ${describeLoadFailure(error, file)}`, file, name, error, 'ModuleLoadError');
  }
  const names = slots[REGISTRY_KEY] && slots[REGISTRY_KEY].byFile.get(realFile(file));
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
 * @param {Function} fn
 * @param {readonly unknown[]} args
 * @param {CallScope | undefined} scope
 * @returns {unknown}
 */
function invoke(fn, args, scope) {
  if (scope !== undefined && fn instanceof AsyncFunction) {
    const runner = slots[TASK_RUNNER_KEY];
    if (typeof runner === 'function') return runner(() => fn(...args), scope);
  }
  return fn(...args);
}

/**
 * Leave `scope` if it is still the current one (a call that ended).
 * @param {CallScope | undefined} scope
 */
function leave(scope) {
  if (scope !== undefined && currentScope() === scope) enterScope(undefined);
}

/**
 * Run one call and return its outcome message, synchronously when the function is already
 * located and returns a non-thenable (the thread server's hot path), else as a promise.
 * Never throws. The call runs in a new call scope whose stop request `probe` reads from
 * shared memory (undefined: only a `stop()` message stops it); `probe` null runs it in the
 * current scope (a map chunk's items). `io` carries the call's progress and stream items.
 * @param {CallRequest} message
 * @param {Probe} probe
 * @param {CallIO} [io]
 * @returns {OutcomeNow}
 */
function runCallNow(message, probe, io) {
  const fn = located.get(`${message.file}\0${message.name}`);
  if (fn === undefined) return runCall(message, probe, io);
  return execute(fn, message, probe, cpuStart(message), now(), io);
}

/**
 * The function `name` of `file` once a call located it in this worker, else undefined (a
 * thread keeps it in its function table: ./thread-entry.cjs).
 * @param {string} file
 * @param {string} name
 * @returns {Function | undefined}
 */
function locatedFunction(file, name) {
  return located.get(`${file}\0${name}`);
}

/**
 * `runCallNow` for a function already located (`locatedFunction`): runs it now.
 * @param {Function} fn
 * @param {CallRequest} message
 * @param {Probe} probe
 * @param {CallIO} [io]
 * @returns {OutcomeNow}
 */
function runLocatedNow(fn, message, probe, io) {
  return execute(fn, message, probe, cpuStart(message), now(), io);
}

/**
 * The CPU clocks' reading at the start of a run, when the call asked for its CPU time
 * (./cpu-clock.cjs); taken with `startedAt`, so the CPU time and the run time cover the same span.
 * @param {CallRequest} message
 * @returns {import('./cpu-clock.cjs').CpuReading | undefined}
 */
function cpuStart(message) {
  return message.cpu === true ? cpuReading() : undefined;
}

/**
 * Run the located `fn` for `message` (see runCallNow).
 * @param {Function} fn
 * @param {CallRequest} message
 * @param {Probe} probe
 * @param {import('./cpu-clock.cjs').CpuReading | undefined} clock the CPU reading at `startedAt` (undefined: not asked)
 * @param {number} startedAt
 * @param {CallIO} [io]
 * @returns {OutcomeNow}
 */
function execute(fn, message, probe, clock, startedAt, io) {
  const { id, args } = message;
  const scope = probe === null ? undefined : new CallScope(id, probe, io);
  if (scope !== undefined) enterScope(scope);
  /** @type {unknown} */
  let value;
  try {
    value = invoke(fn, args, scope);
  } catch (error) {
    leave(scope);
    const endedAt = now();
    return withCpu({ type: 'error', id, phase: 'run', error: encodeError(error), startedAt, endedAt }, clock);
  }
  if (value !== null && typeof value === 'object' && typeof /** @type {{ then?: unknown }} */ (value).then === 'function') {
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
  if (io?.credit !== undefined && scope !== undefined && isIterator(value)) {
    // A stream call: pull the generator within the credit the caller gives (./stream-pump.cjs).
    return pumpStream(value, scope, (values) => io.items(values), io.credit).then(
      (v) => {
        leave(scope);
        return { type: 'result', id, value: v, startedAt, endedAt: now() };
      },
      (error) => {
        leave(scope);
        return { type: 'error', id, phase: 'run', error: encodeError(error), startedAt, endedAt: now() };
      },
    );
  }
  leave(scope);
  const endedAt = now();
  return withCpu({ type: 'result', id, value, startedAt, endedAt }, clock);
}

/**
 * Add what the synchronous run cost (`cpuMs`, `preemptedMs`, over the span from `startedAt`
 * to `endedAt`) to its answer, when the call asked and this thread can tell (`start`: the
 * reading at `startedAt`; undefined: not asked). A run that returned a promise gets none:
 * its thread also served other things while it waited.
 * @template {CallOutcome} O
 * @param {O} outcome
 * @param {import('./cpu-clock.cjs').CpuReading | undefined} start
 * @returns {O}
 */
function withCpu(outcome, start) {
  if (start === undefined) return outcome;
  const cost = cpuCostSince(start, outcome.endedAt - outcome.startedAt);
  const out = /** @type {O & { cpuMs?: number, preemptedMs?: number }} */ (outcome);
  if (cost.cpuMs !== undefined) out.cpuMs = cost.cpuMs;
  if (cost.preemptedMs !== undefined) out.preemptedMs = cost.preemptedMs;
  return out;
}

/**
 * Locate the function of `message` (loading its module), then run it. Never rejects.
 * @param {CallRequest} message
 * @param {Probe} probe
 * @param {CallIO} [io]
 * @returns {Promise<CallOutcome>}
 */
async function runCall(message, probe, io) {
  const { id, file, name } = message;
  const clock = cpuStart(message);
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
  return execute(fn, message, probe, clock, startedAt, io);
}

/**
 * How an answer's error names the call `message` (undefined: only the id is known): the
 * function's qualified name and the call id; for a `map` chunk (`runChunk` of this file) the
 * mapped function's name.
 * @param {number} id
 * @param {CallRequest | undefined} message
 * @returns {string}
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
 * @param {CallOutcome & { value?: unknown }} outcome
 * @param {unknown} reason what `postMessage` / the serializer threw
 * @param {CallRequest} [call]
 * @returns {CallOutcome}
 */
function resultCloneFailure(outcome, reason, call) {
  const found = findUncloneable([outcome.value]);
  const where = found && found.path ? ` (at ${found.path})` : '';
  const error = /** @type {TypeError & { what: string }} */ (
    new TypeError(`the result of ${describeCall(outcome.id, call)} cannot be cloned back to the caller${where}: ${reason && /** @type {Thrown} */ (reason).message}`, { cause: reason })
  );
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
 * @param {string} file
 * @param {string} name
 * @param {readonly unknown[]} items
 * @returns {ChunkResult | Promise<ChunkResult>}
 */
function runChunk(file, name, items) {
  /** @type {unknown[]} */
  const values = new Array(items.length);
  /** @type {[number, EncodedError][] | null} */
  let errors = null;
  let i = 0;
  /** @param {CallOutcome} o */
  const record = (o) => {
    if (o.type === 'result') values[i] = o.value;
    else if (o.phase === 'locate') return false;
    else (errors ??= []).push([i, o.error]);
    return true;
  };
  /** @returns {ChunkResult | Promise<ChunkResult>} */
  const step = () => {
    for (; i < items.length; i++) {
      const outcome = runCallNow({ id: i, file, name, args: [items[i]] }, null);
      if (typeof outcome.then === 'function') {
        return outcome.then((o) => {
          if (!record(o)) return { values: [], errors: null, locate: /** @type {ErrorMessage} */ (o).error };
          i++;
          return step();
        });
      }
      if (!record(outcome)) return { values: [], errors: null, locate: /** @type {ErrorMessage} */ (outcome).error };
    }
    return { values, errors, locate: null };
  };
  return step();
}

module.exports = { runCall, runCallNow, runLocatedNow, locatedFunction, runChunk, resultCloneFailure, preferLoader };
