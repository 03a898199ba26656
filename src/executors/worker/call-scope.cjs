'use strict';
// @ts-check
/**
 * The scope of the call a worker runs now: what `checkpoint()` and `currentSignal()` read
 * (src/core/checkpoint.ts) through `globalThis[CALL_SCOPE_KEY]`.
 *
 * A stop request reaches a scope two ways. `probe()` reads memory the parent (thread) or
 * the child's control thread (process) writes, so a synchronous loop sees the request
 * without this worker's event loop. `stop()` is called when the request arrives as a
 * message, on the event loop, and aborts the signal (an async call sees it there).
 */
const { CALL_SCOPE_KEY, ERROR_BRAND } = require('../../core/keys.cjs');

/** @type {Record<symbol, unknown>} */
const slots = /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis));

/** A `CancelledError` the parent and the library recognise by its brand. */
function cancelledError(/** @type {string} */ message) {
  const error = new Error(message);
  Object.defineProperty(error, ERROR_BRAND, { value: 'CancelledError', enumerable: false });
  Object.defineProperty(error, 'name', { value: 'CancelledError', enumerable: false, writable: true, configurable: true });
  return error;
}

class CallScope {
  /** @type {AbortController | undefined} */
  #controller = undefined;
  #stopped = false;
  /** @type {(() => boolean) | undefined} */
  #probe;

  /**
   * @param {number} id the call's id
   * @param {(() => boolean) | undefined} probe reads the stop request from shared memory
   */
  constructor(id, probe) {
    this.id = id;
    this.#probe = probe;
  }

  /** @returns {AbortSignal} aborted once the call is asked to stop */
  get signal() {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.stopRequested()) this.#controller.abort(this.reason());
    }
    return this.#controller.signal;
  }

  /** @returns {boolean} whether the call was asked to stop */
  stopRequested() {
    if (this.#stopped) return true;
    if (this.#probe === undefined || !this.#probe()) return false;
    this.stop();
    return true;
  }

  /** @returns {Error} the CancelledError for the stop request */
  reason() {
    return cancelledError(`call ${this.id} was cancelled by its caller`);
  }

  /** The stop request arrived as a message (or was seen in memory): abort the signal. */
  stop() {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#controller?.abort(this.reason());
  }
}

/** @type {CallScope | undefined} */
let current;

/**
 * Make `scope` the current call's scope (undefined: no call runs).
 * @param {CallScope | undefined} scope
 */
function enterScope(scope) {
  current = scope;
  slots[CALL_SCOPE_KEY] = scope;
}

/** @returns {CallScope | undefined} the scope of the call running now */
function currentScope() {
  return current;
}

module.exports = { CallScope, enterScope, currentScope, cancelledError };
