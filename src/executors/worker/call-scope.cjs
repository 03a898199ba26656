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
 * scope also carries the call's {@link CallIO}: how it talks to its caller while it runs
 * (`reportProgress`, a stream's items and credit), the same for every entry but for the
 * transport.
 */
const { performance } = require('node:perf_hooks');
const { CALL_SCOPE_KEY, ERROR_BRAND } = require('../../core/keys.cjs');
const { Credit } = require('./stream-pump.cjs');

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
  /** @type {CallIO | undefined} */
  #io;

  /**
   * @param {number} id the call's id
   * @param {(() => boolean) | undefined} probe reads the stop request from shared memory
   * @param {CallIO | undefined} [io] how the call talks to the parent (none: a map chunk's item)
   */
  constructor(id, probe, io) {
    this.id = id;
    this.#probe = probe;
    this.#io = io;
  }

  /**
   * `reportProgress(value)` in the call: hand `value` to the call's I/O (nothing when the
   * entry gave it none, e.g. a map chunk's item).
   * @param {unknown} value
   */
  report(value) {
    this.#io?.report(value);
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

/**
 * How an entry reaches the parent (a thread's port, a child's IPC channel): one progress
 * message, or one chunk of a stream call's yielded values. Made once per entry.
 * @typedef {{ progress(id: number, value: unknown): void, items(id: number, values: unknown[]): void }} Transport
 */

/**
 * How one call talks to its caller while it runs, over the entry's {@link Transport}:
 * progress values (`reportProgress`, coalesced by a {@link progressSender}) and, for a
 * stream call, chunks of yielded values within the credit the caller grants
 * (./stream-pump.cjs). Every call gets one, so it costs one small object: the progress
 * sender is made on the first `reportProgress`, the credit only for a stream call.
 */
class CallIO {
  /** @type {Transport} */
  #transport;
  /** @type {{ report(value: unknown): void, flush(): void } | undefined} */
  #progress = undefined;

  /**
   * @param {number} id the call's id
   * @param {Transport} transport
   * @param {number | undefined} stream the call message's `stream` (its highWaterMark; undefined: not a stream call)
   */
  constructor(id, transport, stream) {
    this.id = id;
    this.#transport = transport;
    /** The values a stream call may still send (undefined: not a stream call). */
    this.credit = stream === undefined ? undefined : new Credit(stream);
  }

  /**
   * Send a progress value (see {@link progressSender}).
   * @param {unknown} value
   */
  report(value) {
    if (this.#progress === undefined) {
      const id = this.id;
      const transport = this.#transport;
      this.#progress = progressSender((v) => transport.progress(id, v));
    }
    this.#progress.report(value);
  }

  /**
   * Send a chunk of the stream call's yielded values, in order.
   * @param {unknown[]} values
   */
  items(values) {
    this.#transport.items(this.id, values);
  }

  /** Whether the call reported progress (its answer must then follow its progress on the port). */
  get reported() {
    return this.#progress !== undefined;
  }

  /** The call ended: the last progress value reported goes now, before its answer. */
  end() {
    this.#progress?.flush();
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

module.exports = { CallIO, CallScope, enterScope, currentScope, cancelledError, progressSender };
