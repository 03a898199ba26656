/**
 * Hook points the runtime's debug mode plugs into (src/runtime/debug*.ts), and the task
 * counters behind `statistics()`. The core calls a hook only when it is set, so with debug
 * off each costs one property read; the counters are plain increments.
 */
import type { FutureState, Unfuture } from './future';

/**
 * The small state object debug mode shares between a future and a `FinalizationRegistry`
 * (which must never hold the future itself). The future keeps it in its `observed` slot
 * and writes to it when it settles or is first observed; after the future is collected
 * the record says what happened to it.
 */
export interface DebugRecord {
  /** True once anything looked at the outcome (then/await, a done callback, result, exception). */
  observed: boolean;
  /** The future's state, updated when it settles. */
  state: FutureState;
  /** The future's name, updated by `setName`. */
  name: string;
}

/**
 * The hooks themselves: each undefined unless debug mode is on (set and cleared by
 * src/runtime/debug-futures.ts and debug-slow.ts). Nothing else may set them.
 */
export const futureHooks: {
  /**
   * Called from the constructor of every future except the children made by `then()`.
   * Returns the record to attach (debug mode), or undefined to track nothing.
   */
  onFutureCreated: ((future: Unfuture<unknown>) => DebugRecord | undefined) | undefined;
  /**
   * Called synchronously when a future that nobody observed yet settles as rejected, with
   * the error and its record if it has one. Returns the record to attach (a new one when
   * there was none).
   */
  onRejected: ((future: Unfuture<unknown>, error: unknown, record: DebugRecord | undefined) => DebugRecord | undefined) | undefined;
  /**
   * Wraps the first step of a task (its body up to the first await): debug mode times it
   * to report slow callbacks by task name, and watches the promise it returns (a task that
   * can never finish); src/runtime/debug-task-step.ts composes the two. Must call `step`
   * exactly once and return its result.
   */
  aroundTaskStep: ((task: Unfuture<unknown>, step: () => unknown) => unknown) | undefined;
} = {
  onFutureCreated: undefined,
  onRejected: undefined,
  aroundTaskStep: undefined,
};

/**
 * Set by the runtime (src/runtime/pools.ts) so executors can report without importing the
 * runtime: `onStrayWorkerError(kind, error)` is called when a worker dies with no call on
 * it (a timer that throws after its call returned); the runtime logs it in debug mode.
 */
export const executorHooks: { onStrayWorkerError: ((kind: string, error: unknown) => void) | undefined } = {
  onStrayWorkerError: undefined,
};

/**
 * Blocks the calling thread until `future` (pending, on this executor) has settled, then
 * returns; throws `TimeoutError` after `timeoutMs` (null: no limit). Installed by an
 * executor that owns a synchronous reply channel (threads: `Atomics.wait` plus
 * `receiveMessageOnPort`); `Unfuture.resultSync` refuses executors without one.
 */
export type SyncWaiter = (future: Unfuture<unknown>, timeoutMs: number | null) => void;

/** The installed {@link SyncWaiter}s, by executor name. */
export const syncWaiters: Record<string, SyncWaiter | undefined> = Object.create(null);

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
