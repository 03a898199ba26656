'use strict';
// @ts-check
/**
 * The global keys every copy of unsync shares: the `src/` copy jest or tsx runs, the
 * compiled `dist/` copy, and the plain CommonJS worker side (src/executors/worker/), which
 * loads before any TypeScript loader. `Symbol.for` keys are the same in every module of a
 * thread, so two copies of the library meet through them. This file is their one source:
 * every other file imports a key from here, never spells it.
 */

/** Brands unsync's errors so they are recognised across realms, copies and threads. */
const ERROR_BRAND = Symbol.for('unsync.error.brand');
/** The function registry of this thread (src/executors/registry.ts), on `globalThis`. */
const REGISTRY_KEY = Symbol.for('unsync.registry.v1');
/** Set on `globalThis` by the worker side: `'thread'` or `'process'` (read by `inWorker()`). */
const WORKER_KEY = Symbol.for('unsync.worker');
/**
 * Set on `globalThis` by the worker core around each call it runs: the call's scope
 * (`{ signal, stopRequested(), reason() }`), read by `checkpoint()` and `currentSignal()`.
 */
const CALL_SCOPE_KEY = Symbol.for('unsync.worker.callScope');
/**
 * Set on `globalThis` by the library when it loads in a worker: runs an async call as a
 * library task (so awaits on library awaitables are cancellable), see src/runtime/checkpoint.ts.
 */
const TASK_RUNNER_KEY = Symbol.for('unsync.worker.taskRunner');
/**
 * The error classes of this thread registered with `registerErrorClass`, on `globalThis`
 * (src/executors/worker/error-classes.cjs): every copy of unsync in a thread shares them.
 */
const ERROR_CLASSES_KEY = Symbol.for('unsync.errorClasses.v1');

/**
 * The values `move()` marked in this thread (a `WeakSet` of ArrayBuffers and MessagePorts, on
 * `globalThis`): sent to a thread they are transferred, not copied (src/core/move.ts,
 * src/executors/worker/moves.cjs).
 */
const MOVE_KEY = Symbol.for('unsync.moves');

module.exports = { ERROR_BRAND, REGISTRY_KEY, WORKER_KEY, CALL_SCOPE_KEY, TASK_RUNNER_KEY, ERROR_CLASSES_KEY, MOVE_KEY };
