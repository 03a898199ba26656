/**
 * The producer's side of `Unfuture`: settle, adopt, mark started, subscribe without
 * linking. Internal API for the core, combinators, primitives, executors and streams;
 * never exported from the package. Public code uses `Unfuture.withResolvers`.
 *
 * Built on future.ts (its `internals`, made by the class's static block), never the other
 * way round: future.ts does not import this module.
 */
import { CancelledError } from './errors';
import { type Unfuture, futureInternals } from './future';
import type { CancelHook } from './future-types';

export { pendingFuture } from './future';

// Copied once: future.ts has finished loading before this module's body runs, and a local
// binding is cheaper on hot paths than a property read through the module object.
const { settle, resolve, setCancelHook, setStarted, createdAt, subscribe, interrupt, setDiscardHook: setHook, setSettledDiscardHook: setSettledHook, discard } =
  futureInternals;

/**
 * Deliver a task's cancellation through `awaited`, what the task is suspended on: the
 * child `then()` made for its await (or, for a task whose body returned a future, that
 * future). Pending source: the source is cancelled. Source already settled but the
 * continuation not run yet: the continuation gets the `CancelledError` instead, and a
 * value only it would have seen goes to the source's discard hook. Returns false when
 * nothing could carry the request (the continuation already ran). Internal API for tasks.
 */
export function interruptAwait(awaited: Unfuture<any>, message: string | undefined): boolean {
  return interrupt(awaited, message);
}

/**
 * Run `callback(f)` once `f` is done, like `addDoneCallback` but without the user-error
 * guard and without linking `f` to the current task. Internal API for combinators.
 */
export function onSettled<T>(f: Unfuture<T>, callback: (f: Unfuture<T>) => void): void {
  subscribe(f, callback);
}

/** Fulfil `f` with `value` (adopting a thenable). Internal API for executors and primitives. */
export function resolveFuture<T>(f: Unfuture<T>, value: T | PromiseLike<T>): boolean {
  return resolve(f, value);
}
/** Reject `f`. Internal API. */
export function rejectFuture(f: Unfuture<any>, error: unknown): boolean {
  return settle(f, 'rejected', error);
}
/** Settle `f` as cancelled. Internal API. */
export function cancelFuture(f: Unfuture<any>, message?: string | CancelledError): boolean {
  return settle(f, 'cancelled', message instanceof Error ? message : new CancelledError(message));
}
/** Mark the start of `f`'s work, now or at `at` (`performance.now()` ms, e.g. a worker's own clock). Internal API. */
export function markStarted(f: Unfuture<any>, at?: number): void {
  setStarted(f, at);
}
/** When `f` was made (`performance.now()` ms), or undefined for a future that records no timing. Internal API. */
export function createdAtOf(f: Unfuture<any>): number | undefined {
  return createdAt(f);
}
/** Replace `f`'s cancel hook (e.g. once a queued pool call starts running). Internal API. */
export function setFutureCancelHook(f: Unfuture<any>, hook: CancelHook | undefined): void {
  setCancelHook(f, hook);
}

/**
 * Give `f` a hook that releases its value (close a socket, give bytes back) when a consumer
 * drops that value unseen: a task whose body *is* `f` and that ends cancelled because the
 * cancel came after `f` fulfilled but before the task copied the value. The hook is kept
 * in a WeakMap (few futures have one). Internal API.
 */
export function setDiscardHook<T>(f: Unfuture<T>, hook: (value: T) => void): void {
  setHook(f, hook);
}

/**
 * Give the *fulfilled* future `f` a discard hook (see {@link setDiscardHook}) without the
 * WeakMap write: a settled future keeps it in the slot its cancel hook used while
 * pending. For the primitives' hot paths (a woken waiter, a no-wait `get()`): one store,
 * no allocation when `hook` is shared. No-op unless `f` is fulfilled. Internal API.
 */
export function setSettledDiscardHook<T>(f: Unfuture<T>, hook: (value: T) => void): void {
  setSettledHook(f, hook);
}

/**
 * `value` (fulfilled from `f`) is being dropped unseen: run `f`'s discard hook, once.
 * A hook that throws is reported as an uncaught error, after the drop. Internal API.
 */
export function discardValue<T>(f: Unfuture<T>, value: T): void {
  discard(f, value);
}
