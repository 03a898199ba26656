'use strict';
// @ts-check
/**
 * The worker side of a stream call: a generator function's iterator, pulled within the
 * credit its caller gives (docs/engine.md, "Streams from generator functions").
 *
 * The caller grants `highWaterMark` values at the start and more as its consumer takes them
 * (`credit` messages, which the entry hands to {@link Credit.add}); the pump never has more
 * values sent and untaken than that, so a fast generator waits for a slow consumer. Values
 * a synchronous generator yields in a row leave together (one `items` message per chunk);
 * a chunk is sent before the pump waits for anything. A stop request (cancel, timeout, or
 * the consumer leaving its loop early) makes the pump call the iterator's `return()`, so the
 * generator's `finally` blocks run here, then end the call with the request's
 * `CancelledError`. What the generator returns is the call's value; what it throws, its error.
 */

const { performance } = require('node:perf_hooks');

/** Most values in one `items` message. */
const CHUNK = 64;
/** A chunk waits at most this long (ms) for more values: a slow generator's values still leave as it yields them. */
const CHUNK_WAIT_MS = 1;

/** The values a stream call may still send; `wait()` resolves when there are some, or the call is asked to stop. */
class Credit {
  /** @param {number} initial */
  constructor(initial) {
    this.available = initial;
    /** @type {(() => void) | undefined} */
    this.wake = undefined;
  }

  /**
   * The caller took `n` values: `n` more may go.
   * @param {number} n
   */
  add(n) {
    this.available += n;
    this.release();
  }

  /** Wake a waiting pump (more credit, or a stop request). */
  release() {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** @returns {Promise<void>} */
  wait() {
    return new Promise((resolve) => (this.wake = resolve));
  }
}

/**
 * Whether `value` is an iterator a generator function returned (sync or async).
 * @param {unknown} value
 * @returns {value is Iterator<unknown> | AsyncIterator<unknown>}
 */
function isIterator(value) {
  return value !== null && typeof value === 'object' && typeof (/** @type {{ next?: unknown }} */ (value).next) === 'function';
}

/**
 * Pull `iterator` to its end within `credit`, sending values with `items`; resolves with
 * what the generator returned. Rejects with what it threw, or with the stop request's
 * `CancelledError` after the iterator's `return()` ran.
 * @param {Iterator<unknown> | AsyncIterator<unknown>} iterator
 * @param {{ stopRequested(): boolean, reason(): Error, readonly signal: AbortSignal }} scope
 * @param {(values: unknown[]) => void} items
 * @param {Credit} credit
 * @returns {Promise<unknown>}
 */
async function pumpStream(iterator, scope, items, credit) {
  // A stop request that arrives while the pump waits for credit wakes it.
  scope.signal.addEventListener('abort', () => credit.release(), { once: true });
  /** @type {unknown[]} */
  let chunk = [];
  let chunkSince = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    const sent = chunk;
    chunk = [];
    items(sent);
  };
  for (;;) {
    if (scope.stopRequested()) {
      flush();
      await iterator.return?.();
      throw scope.reason();
    }
    if (credit.available === 0) {
      flush();
      await credit.wait();
      continue;
    }
    let step;
    try {
      step = iterator.next();
      if (step !== null && typeof (/** @type {{ then?: unknown }} */ (step).then) === 'function') {
        flush(); // an async generator may take its time: what is ready goes now
        step = await step;
      }
    } catch (error) {
      flush(); // every value yielded before the error goes first
      throw error;
    }
    const result = /** @type {IteratorResult<unknown>} */ (step);
    if (result.done) {
      flush();
      return result.value;
    }
    credit.available--;
    if (chunk.push(result.value) === 1) chunkSince = performance.now();
    if (chunk.length >= CHUNK || performance.now() - chunkSince >= CHUNK_WAIT_MS) flush();
  }
}

module.exports = { Credit, isIterator, pumpStream };
