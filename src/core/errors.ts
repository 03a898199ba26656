/**
 * The brand every unsync error carries, and the core's own errors: cancellation, deadlines,
 * illegal states, task groups.
 *
 * Each class has a stable `name`, keeps `cause` where there is one, and carries a
 * brand (a property under a `Symbol.for` key) so that `isCancelledError(e)` and its
 * siblings hold across jest realms and after an error has been rebuilt on the far
 * side of a thread or process boundary, where `instanceof` cannot be trusted.
 *
 * The other families, each branded here and one module each: streams
 * (`./stream-errors.ts`), calls on workers (`./executor-errors.ts`), queues and barriers
 * (`./primitive-errors.ts`). `UnsyncErrorName` lists every brand; the executors' table of
 * every class by brand is `src/executors/branded-errors.ts`. (STYLE.md asks for the error
 * classes in one module; at 444 lines that module held four families for four layers, so
 * the one place is now the brand, and each family is a module of its own.) Argument errors
 * are the built-in `TypeError` / `RangeError`; see `./validate.ts`.
 */

/** The registry key of the brand property. Shared by every realm of the process. */
export const ERROR_BRAND: unique symbol = Symbol.for('unsync.error.brand') as never;

/** Names of every branded unsync error class (the brand values). */
export type UnsyncErrorName =
  | 'CancelledError'
  | 'TimeoutError'
  | 'InvalidStateError'
  | 'TaskGroupError'
  | 'QueueEmpty'
  | 'QueueFull'
  | 'QueueShutDown'
  | 'BrokenBarrierError'
  | 'WorkerCrashedError'
  | 'RemoteError'
  | 'RemoteJobError'
  | 'LocateError'
  | 'ModuleLoadError'
  | 'CloneError'
  | 'IncompleteReadError'
  | 'LimitOverrunError'
  | 'ConnectionResetError'
  | 'ClosedResourceError'
  | 'BrokenResourceError';

function brand(target: Error, name: UnsyncErrorName): void {
  Object.defineProperty(target, ERROR_BRAND, { value: name, enumerable: false });
  Object.defineProperty(target, 'name', {
    value: name,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

/** True when `e` carries the unsync brand `name` (works across realms and threads). */
export function hasErrorBrand(e: unknown, name: UnsyncErrorName): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[ERROR_BRAND] === name;
}

/** The unsync brand of `e`, or `undefined` when it is not an unsync error. */
export function errorBrandOf(e: unknown): UnsyncErrorName | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const value = (e as Record<symbol, unknown>)[ERROR_BRAND];
  return typeof value === 'string' ? (value as UnsyncErrorName) : undefined;
}

/**
 * The operation was cancelled: thrown into a task at the await where it is suspended
 * after `task.cancel(msg)`, and by `result()` / `await` on a cancelled Unfuture.
 *
 * Unlike {@link TimeoutError}, which is what a *caller* sees when a deadline it set
 * expired, `CancelledError` is what the *cancelled code itself* sees. Catching it and
 * returning normally un-cancels a task (asyncio's rule); re-throw it unless you mean that.
 */
export class CancelledError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? '', options);
    brand(this, 'CancelledError');
  }
}

/**
 * A deadline expired: thrown by `waitFor`, `timeout` and `asCompleted` to the caller that
 * set it. When the timed-out work was cancelled, `cause` is the `CancelledError` it saw.
 */
export class TimeoutError extends Error {
  constructor(message = 'the operation timed out', options?: ErrorOptions) {
    super(message, options);
    brand(this, 'TimeoutError');
  }
}

/**
 * An object was used in a state that does not allow the call: `result()` on a pending
 * Unfuture, settling an Unfuture twice, entering a TaskGroup twice, `run()` inside `run()`.
 */
export class InvalidStateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    brand(this, 'InvalidStateError');
  }
}

/**
 * One or more children of a `TaskGroup` / nursery failed. `errors` holds every failure
 * (never a `CancelledError`: the siblings cancelled because of the failure are not errors).
 * Compare {@link CancelledError}, which is what the group throws when it was cancelled from
 * outside without any child failing.
 */
export class TaskGroupError extends AggregateError {
  constructor(errors: Iterable<unknown>, message?: string) {
    const list = [...errors];
    super(list, message ?? `${list.length} task${list.length === 1 ? '' : 's'} in the group failed`);
    brand(this, 'TaskGroupError');
  }
}

/** Create a branded subclass constructor for the families other modules add (queues, pools, streams). */
export function defineBrand(target: Error, name: UnsyncErrorName): void {
  brand(target, name);
}

/** True for a {@link CancelledError} from any realm or thread. */
export const isCancelledError = (e: unknown): e is CancelledError => hasErrorBrand(e, 'CancelledError');
/** True for a {@link TimeoutError} from any realm or thread. */
export const isTimeoutError = (e: unknown): e is TimeoutError => hasErrorBrand(e, 'TimeoutError');
/** True for an {@link InvalidStateError} from any realm or thread. */
export const isInvalidStateError = (e: unknown): e is InvalidStateError =>
  hasErrorBrand(e, 'InvalidStateError');
/** True for a {@link TaskGroupError} from any realm or thread. */
export const isTaskGroupError = (e: unknown): e is TaskGroupError => hasErrorBrand(e, 'TaskGroupError');
