/**
 * Hook points the runtime's debug mode plugs into (src/runtime/debug*.ts), and the task
 * counters behind `statistics()`. The core calls a hook only when it is set, so with debug
 * off each costs one property read; the counters are plain increments.
 */
export { futureHooks, syncWaiters } from './future';
export type { DebugRecord, SyncWaiter } from './future';
export { progressHooks } from './progress';

/*
 * `futureHooks` (debug mode's hook points) and `syncWaiters` (executors' blocking waits)
 * are declared in future.ts, next to the class that reads them (future.ts must not import
 * this module back); they are re-exported here so every hook point has one address.
 */

/**
 * Set by the runtime (src/runtime/pools.ts) so executors can report without importing the
 * runtime: `onStrayWorkerError(kind, error)` is called when a worker dies with no call on
 * it (a timer that throws after its call returned); the runtime logs it in debug mode.
 */
export const executorHooks: { onStrayWorkerError: ((kind: string, error: unknown) => void) | undefined } = {
  onStrayWorkerError: undefined,
};

/**
 * Tasks created and settled since the process started, by outcome (always counted, cheap).
 * Pending tasks = created - fulfilled - rejected - cancelled.
 */
export const taskCounters: { created: number; fulfilled: number; rejected: number; cancelled: number } = {
  created: 0,
  fulfilled: 0,
  rejected: 0,
  cancelled: 0,
};
