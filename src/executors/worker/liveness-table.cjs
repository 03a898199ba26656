'use strict';
// @ts-check
/**
 * A thread pool's liveness table (both sides of it: piscina-sessions.ts in the parent,
 * worker/thread-entry.cjs in each worker). One Int32 word per slot of a `SharedArrayBuffer`:
 * 0 (free), a worker's threadId (it lives) or minus it (it died).
 *
 * A worker claims a free slot, else a dead one, when it loads the session module, and on
 * exit turns its own entry negative, by compare-and-swap: never an entry another worker has
 * claimed since. So a worker's death is recorded even between sessions, for a parent blocked
 * in resultSync whose session piscina posted to that worker before the parent's event loop
 * could see it die (docs/executors.md, "Blocking for a thread call: resultSync"). The parent frees the
 * slot when it sees the worker's `exit` event (a terminated or out-of-memory worker runs no
 * exit handler). Plain CommonJS: workers load it before any TypeScript loader.
 */

/**
 * The table for a pool of at most `maxWorkers`: twice that plus a margin, so the live workers
 * (and the dying ones piscina is replacing) never run out; a worker that finds none is simply
 * not tracked.
 * @param {number} maxWorkers
 * @returns {Int32Array}
 */
function createLivenessTable(maxWorkers) {
  return new Int32Array(new SharedArrayBuffer(4 * (2 * maxWorkers + 8)));
}

/**
 * Claim a slot of `table` for worker `id` (a free one first, else a dead one) and, through
 * `atExit`, turn it negative when the worker exits, unless the slot was claimed by another
 * since; then wake a blocked parent through `wake[1]`. Returns the slot, or -1 (untracked).
 * @param {Int32Array} table
 * @param {Int32Array} wake
 * @param {number} id the worker's threadId
 * @param {(onExit: () => void) => void} atExit installs `onExit` to run when the worker exits
 * @returns {number}
 */
function trackLiveness(table, wake, id, atExit) {
  let slot = -1;
  for (let pass = 0; pass < 2 && slot < 0; pass++) {
    for (let i = 0; i < table.length && slot < 0; i++) {
      const seen = Atomics.load(table, i);
      // Lose a race for a slot and look further.
      if ((pass === 0 ? seen === 0 : seen < 0) && Atomics.compareExchange(table, i, seen, id) === seen) slot = i;
    }
  }
  if (slot < 0) return -1;
  atExit(() => {
    Atomics.compareExchange(table, slot, id, -id);
    Atomics.add(wake, 1, 1);
    Atomics.notify(wake, 1);
  });
  return slot;
}

/**
 * Whether worker `id` is marked dead (false when the table does not hold it).
 * @param {Int32Array} table
 * @param {number} id
 * @returns {boolean}
 */
function isMarkedDead(table, id) {
  for (let slot = 0; slot < table.length; slot++) if (Atomics.load(table, slot) === -id) return true;
  return false;
}

/**
 * Free worker `id`'s slot, alive or dead (its exit was seen).
 * @param {Int32Array} table
 * @param {number} id
 * @returns {void}
 */
function freeSlot(table, id) {
  for (let slot = 0; slot < table.length; slot++) {
    if (Atomics.compareExchange(table, slot, id, 0) === id) return;
    if (Atomics.compareExchange(table, slot, -id, 0) === -id) return;
  }
}

module.exports = { createLivenessTable, trackLiveness, isMarkedDead, freeSlot };
