/** Types of `./keys.cjs` (see that file for what each key is). */
export const ERROR_BRAND: unique symbol;
export const REGISTRY_KEY: unique symbol;
export const WORKER_KEY: unique symbol;
export const CALL_SCOPE_KEY: unique symbol;
export const TASK_RUNNER_KEY: unique symbol;
export const ERROR_CLASSES_KEY: unique symbol;
export const MOVE_KEY: unique symbol;

/** What the worker core sets under `CALL_SCOPE_KEY` while a call runs. */
export interface CallScope {
  /** Aborted (reason: a `CancelledError`) once the parent asked the call to stop. */
  readonly signal: AbortSignal;
  /** Whether the parent asked the call to stop; readable without the event loop. */
  stopRequested(): boolean;
  /** The `CancelledError` to throw for the stop request. */
  reason(): Error;
  /** Send a progress value to the caller (`reportProgress`); absent where nobody listens. */
  report?(value: unknown): void;
}

/** What the library sets under `TASK_RUNNER_KEY` in a worker: run `body` as a task stopped by `scope`. */
export type TaskRunner = (body: () => unknown, scope: CallScope) => PromiseLike<unknown>;
