/** Types of `./liveness-table.cjs` (see that file for the table and its rules). */

/** The liveness table for a pool of at most `maxWorkers` workers. */
export function createLivenessTable(maxWorkers: number): Int32Array;

/**
 * Claim a slot of `table` for worker `id` and, through `atExit`, mark it dead when the worker
 * exits (then wake a blocked parent through `wake[1]`). Returns the slot, or -1 (untracked).
 */
export function trackLiveness(table: Int32Array, wake: Int32Array, id: number, atExit: (onExit: () => void) => void): number;

/** Whether worker `id` is marked dead (false when the table does not hold it). */
export function isMarkedDead(table: Int32Array, id: number): boolean;

/** Free worker `id`'s slot, alive or dead (its exit was seen). */
export function freeSlot(table: Int32Array, id: number): void;
