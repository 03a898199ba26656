'use strict';
// @ts-check
/**
 * The transfer list of a message: the values `move()` marked (src/core/move.ts) among a
 * call's arguments or a call's result, on both sides of a thread pool. A marked value is
 * taken once: collecting it unmarks it, so a value moved and sent is not moved again.
 *
 * Where it looks: each value given, and the values one level inside an array or a plain
 * object among them (`fn(move(buffer))`, `fn({ pixels: move(buffer) })`, `return
 * move(buffer)`); a typed array or DataView counts through its buffer. Deeper values are
 * copied. Nothing is walked while nothing is marked.
 */
const { MOVE_KEY } = require('../../core/keys.cjs');

/**
 * The marks of this thread, made by `move()` in whichever copy of the library runs here.
 * @typedef {{ marked: WeakSet<object>, count: number }} Moves
 */

/** @returns {Moves | undefined} */
function moves() {
  return /** @type {Record<symbol, Moves | undefined>} */ (/** @type {unknown} */ (globalThis))[MOVE_KEY];
}

/**
 * The object to transfer for `value` if it is marked (its buffer for a view).
 * @param {Moves} m
 * @param {unknown} value
 * @returns {object | undefined}
 */
function markedOf(m, value) {
  if (value === null || typeof value !== 'object') return undefined;
  const target = ArrayBuffer.isView(value) ? value.buffer : value;
  return m.marked.has(target) ? target : undefined;
}

/**
 * Collect (and unmark) the marked values in `values`, as a transfer list; undefined when
 * there is none.
 * @param {readonly unknown[]} values
 * @returns {import('node:worker_threads').TransferListItem[] | undefined}
 */
function takeTransfers(values) {
  const m = moves();
  if (m === undefined || m.count === 0) return undefined;
  /** @type {Set<object>} */
  const found = new Set();
  const look = (/** @type {unknown} */ value) => {
    const target = markedOf(m, value);
    if (target !== undefined) found.add(target);
  };
  for (const value of values) {
    if (value === null || typeof value !== 'object') continue;
    look(value);
    if (Array.isArray(value)) for (const item of value) look(item);
    else if (Object.getPrototypeOf(value) === Object.prototype) for (const item of Object.values(value)) look(item);
  }
  if (found.size === 0) return undefined;
  for (const target of found) m.marked.delete(target);
  m.count = Math.max(0, m.count - found.size);
  return /** @type {import('node:worker_threads').TransferListItem[]} */ ([...found]);
}

/**
 * Mark `targets` again (a send that failed transferred nothing).
 * @param {readonly import('node:worker_threads').TransferListItem[] | undefined} targets
 */
function restoreTransfers(targets) {
  const m = moves();
  if (m === undefined || targets === undefined) return;
  for (const target of targets) m.marked.add(/** @type {object} */ (target));
  m.count += targets.length;
}

/**
 * Whether any value is marked with `move()` now (else `takeTransfers` finds nothing, and a
 * sender need not gather the values to look at).
 * @returns {boolean}
 */
function hasMoves() {
  const m = moves();
  return m !== undefined && m.count > 0;
}

module.exports = { takeTransfers, restoreTransfers, hasMoves };
