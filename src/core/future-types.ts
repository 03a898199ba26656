/**
 * The types around `Unfuture` that do not mention the class itself: states, cancel
 * hooks, timing data, debug records, and the shapes of the debug hook slots and of the
 * internal accessors, over a type parameter `F` that future.ts fills in with `Unfuture`.
 * Kept apart from the class so the state machine's file stays about logic. This module
 * imports nothing, so every core module may use it; the types that name `Unfuture` (done
 * callbacks, the producer's controller) are declared in future.ts, next to the class, and
 * the options of `withResolvers` with their check in future-options.ts.
 */

/** Where a future's work runs. The remote executor will add its own name. */
export type ExecutorKind = 'loop' | 'thread' | 'process' | 'remote' | (string & {});

/** The public state of an Unfuture. */
export type FutureState = 'pending' | 'fulfilled' | 'rejected' | 'cancelled';

/**
 * Cancel hook of a producer-owned future: undo the work, then settle via `cancelFuture`.
 * Returning `false` declines: the work already produced its outcome (which is about to be
 * delivered), so `cancel()` returns false and a cancelled task receives the request at its
 * next await instead of losing that outcome.
 */
export type CancelHook = (message: string | undefined) => void | boolean;

/** Timing data of one future, in `performance.now()` milliseconds. */
export interface FutureTiming {
  /** When the future was made (`performance.now()`); undefined for a task made outside debug mode. */
  readonly createdAt: number | undefined;
  /** When the work started (a task's body, a pool call picked up by a worker); undefined if never. */
  readonly startedAt: number | undefined;
  /** When it settled (`performance.now()`); undefined while pending or when not timed. */
  readonly settledAt: number | undefined;
}

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
 * The hook slots debug mode plugs into (src/runtime/debug*.ts), over the future type `F`:
 * each undefined unless debug mode is on (set and cleared by src/runtime/debug-futures.ts
 * and debug-slow.ts; nothing else may set them). The core calls a hook only when it is set,
 * so with debug off each costs one property read. The slots are `futureHooks` (future.ts).
 */
export interface FutureHooks<F> {
  /**
   * Called from the constructor of every future except the children made by `then()`.
   * Returns the record to attach (debug mode), or undefined to track nothing.
   */
  onFutureCreated: ((future: F) => DebugRecord | undefined) | undefined;
  /**
   * Called synchronously when a future that nobody observed yet settles as rejected, with
   * the error and its record if it has one. Returns the record to attach (a new one when
   * there was none).
   */
  onRejected: ((future: F, error: unknown, record: DebugRecord | undefined) => DebugRecord | undefined) | undefined;
  /**
   * Wraps the first step of a task (its body up to the first await): debug mode times it
   * to report slow callbacks by task name, and watches the promise it returns (a task that
   * can never finish); src/runtime/debug-task-step.ts composes the two. Must call `step`
   * exactly once and return its result.
   */
  aroundTaskStep: ((task: F, step: () => unknown) => unknown) | undefined;
}

/**
 * The only ways into a future's #private state from outside its class, over the future
 * type `F`: Unfuture's static block makes them (`futureInternals`, future.ts).
 * @internal Used by future-internal.ts alone, which wraps them as the producer's API.
 */
export interface FutureInternals<F> {
  settle(f: F, state: Exclude<FutureState, 'pending'>, payload: unknown): boolean;
  /** Fulfil from a value that may be a thenable; false when already settled. */
  resolve(f: F, value: unknown): boolean;
  setCancelHook(f: F, hook: CancelHook | undefined): void;
  setStarted(f: F, at?: number): void;
  createdAt(f: F): number | undefined;
  subscribe(f: F, callback: (f: F) => void): void;
  interrupt(f: F, message: string | undefined): boolean;
  setDiscardHook(f: F, hook: (value: any) => void): void;
  setSettledDiscardHook(f: F, hook: (value: any) => void): void;
  discard(f: F, value: unknown): void;
}
