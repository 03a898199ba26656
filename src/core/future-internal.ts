/**
 * The producer's side of `Unfuture`: settle, adopt, mark started, subscribe without
 * linking. Internal API for the core, combinators, primitives, executors and streams;
 * never exported from the package. Public code uses `Unfuture.withResolvers`.
 */
import { CancelledError } from './errors';
import { Unfuture } from './future';
import type { CancelHook, FutureOptions, FutureState } from './future-types';
import { rethrowLater } from './microtask-batch';

/*
 * Accessors to Unfuture's #private state, installed by its static block. `var`, not `let`:
 * when this module is the first of the pair to load, its `import` of ./future runs that
 * static block before these lines, and a `let` would still be in its temporal dead zone.
 * (Hot paths import these functions from here rather than through ./future's re-exports,
 * which cost a getter call per use in CommonJS output.)
 */
var settle: (f: Unfuture<any>, state: Exclude<FutureState, 'pending'>, payload: unknown) => boolean;
var adopt: (f: Unfuture<any>, value: unknown) => void;
var setCancelHook: (f: Unfuture<any>, hook: CancelHook | undefined) => void;
var setStarted: (f: Unfuture<any>, at?: number) => void;
var subscribe: (f: Unfuture<any>, callback: (f: Unfuture<any>) => void) => void;
var interrupt: (f: Unfuture<any>, message: string | undefined) => boolean;
var settledDiscard: (f: Unfuture<any>, hook: ((value: any) => void) | undefined) => ((value: any) => void) | undefined;

/** What Unfuture's static block hands over: the only ways to reach its private state. */
export interface FutureInternals {
  settle: typeof settle;
  adopt: typeof adopt;
  setCancelHook: typeof setCancelHook;
  setStarted: typeof setStarted;
  subscribe: typeof subscribe;
  interrupt: typeof interrupt;
  settledDiscard: typeof settledDiscard;
}

/** Called once, by Unfuture's static block. */
export function installFutureInternals(internals: FutureInternals): void {
  ({ settle, adopt, setCancelHook, setStarted, subscribe, interrupt, settledDiscard } = internals);
}

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
  if (f.done()) return false;
  adopt(f, value);
  return true;
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
/** Replace `f`'s cancel hook (e.g. once a queued pool call starts running). Internal API. */
export function setFutureCancelHook(f: Unfuture<any>, hook: CancelHook | undefined): void {
  setCancelHook(f, hook);
}
/*
 * Discard hooks: what to do with a future's value when the one consumer that would have
 * received it drops it because a cancellation won (see {@link discardValue}). Kept in a
 * WeakMap, not a field: few futures have one, and the drop path is rare.
 */
const discardHooks = new WeakMap<Unfuture<any>, (value: any) => void>();

/**
 * Give `f` a hook that releases its value (close a socket, give bytes back) when a consumer
 * drops that value unseen: a task whose body *is* `f` and that ends cancelled because the
 * cancel came after `f` fulfilled but before the task copied the value. Internal API.
 */
export function setDiscardHook<T>(f: Unfuture<T>, hook: (value: T) => void): void {
  discardHooks.set(f, hook);
}

/**
 * Give the *fulfilled* future `f` a discard hook (see {@link setDiscardHook}) without the
 * WeakMap write: a settled future keeps it in the slot its cancel hook used while
 * pending. For the primitives' hot paths (a woken waiter, a no-wait `get()`): one store,
 * no allocation when `hook` is shared. No-op unless `f` is fulfilled. Internal API.
 */
export function setSettledDiscardHook<T>(f: Unfuture<T>, hook: (value: T) => void): void {
  settledDiscard(f, hook);
}

/**
 * `value` (fulfilled from `f`) is being dropped unseen: run `f`'s discard hook, once.
 * A hook that throws is reported as an uncaught error, after the drop. Internal API.
 */
export function discardValue<T>(f: Unfuture<T>, value: T): void {
  // Either place holds a hook at most once: taking it empties the slot / the map entry.
  const hook = settledDiscard(f, undefined) ?? discardHooks.get(f);
  if (hook === undefined) return;
  discardHooks.delete(f);
  try {
    hook(value);
  } catch (error) {
    rethrowLater(error);
  }
}

/** Make a pending future. Internal API (public callers use `Unfuture.withResolvers`). */
export function pendingFuture<T>(options?: FutureOptions): Unfuture<T> {
  const f = new Unfuture<T>(options?.executor ?? 'loop', options?.name, options?.timed ?? true);
  if (options?.onCancel) setCancelHook(f, options.onCancel);
  return f;
}
