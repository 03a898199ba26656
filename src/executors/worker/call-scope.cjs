'use strict';
// @ts-check
/**
 * The scope of the call a worker runs now: what `checkpoint()` and `currentSignal()` read
 * (src/core/checkpoint.ts) through `globalThis[CALL_SCOPE_KEY]`.
 *
 * A stop request reaches a scope two ways. `probe()` reads memory the parent (thread) or
 * the child's control thread (process) writes, so a synchronous loop sees the request
 * without this worker's event loop. `stop()` is called when the request arrives as a
 * message, on the event loop, and aborts the signal (an async call sees it there). A
 * scope also carries the call's progress sender (`reportProgress`, `progressSender`).
 */
const { performance } = require('node:perf_hooks');
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
  /** @type {((value: unknown) => void) | undefined} */
  #report;

  /**
   * @param {number} id the call's id
   * @param {(() => boolean) | undefined} probe reads the stop request from shared memory
   * @param {((value: unknown) => void) | undefined} [report] sends a progress value to the parent
   */
  constructor(id, probe, report) {
    this.id = id;
    this.#probe = probe;
    this.#report = report;
  }

  /**
   * `reportProgress(value)` in the call: hand `value` to the entry's sender (nothing when
   * the entry sends no progress, e.g. a map chunk's item).
   * @param {unknown} value
   */
  report(value) {
    this.#report?.(value);
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

/** Milliseconds between two progress messages of one call; values in between are coalesced (the last one wins). */
const PROGRESS_INTERVAL_MS = 1;

/**
 * A call's progress sender: `report(value)` sends at once unless a message left less than
 * PROGRESS_INTERVAL_MS ago, else keeps the value (a later one replaces it) for the next
 * report, the timer, or `flush()`, which the entry calls before the call's answer: so the
 * last value reported always reaches the parent before the answer. A value that cannot be
 * sent now throws a `TypeError` from `reportProgress`; one kept for later and then unable
 * to travel is dropped.
 * @param {(value: unknown) => void} send posts one progress message (throws when it cannot clone)
 * @returns {{ report(value: unknown): void, flush(): void }}
 */
function progressSender(send) {
  let last = -Infinity;
  /** @type {{ value: unknown } | undefined} */
  let kept;
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const held = kept;
    kept = undefined;
    if (held === undefined) return;
    last = performance.now();
    try {
      send(held.value);
    } catch {
      // Checked when it was reported; nothing to tell the call now.
    }
  };
  return {
    report(value) {
      const at = performance.now();
      if (at - last >= PROGRESS_INTERVAL_MS) {
        kept = undefined;
        last = at;
        try {
          send(value);
        } catch (error) {
          throw new TypeError(`reportProgress: the value cannot be sent to the caller: ${/** @type {Error} */ (error)?.message ?? error}`);
        }
        return;
      }
      kept = { value };
      // An async call may not report again for a while: send the kept value when the loop turns.
      if (timer === undefined) {
        timer = setTimeout(flush, PROGRESS_INTERVAL_MS);
        timer.unref();
      }
    },
    flush,
  };
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

module.exports = { CallScope, enterScope, currentScope, cancelledError, progressSender };
