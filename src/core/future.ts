/**
 * `Unfuture<T>`: the one awaitable every unsync API returns.
 *
 * An explicit state machine, PENDING -> FULFILLED | REJECTED | CANCELLED, changed only in
 * `#settle` (a second settle is refused). It does not wrap a native promise: it keeps
 * its own reaction list, so a failed future that nobody observes can never become an
 * unhandled rejection that kills the process (debug mode reports it instead).
 *
 * Cancellation: `cancel(msg)` on a plain future settles it as cancelled at once. A future
 * made by a producer that must undo work first (a pool call, a queue getter) carries a
 * cancel hook: `cancel()` calls the hook, and the hook settles the future when the work is
 * really gone. A future derived with `then()` forwards `cancel()` upstream (to its source
 * while that is pending, else to the thenable its continuation returned). Tasks override
 * `cancel()` with asyncio's request/deliver model (see `task.ts`, docs/cancellation.md).
 */
import { performance } from 'node:perf_hooks';
import { CancelledError, InvalidStateError } from './errors';
import { callIn, currentAwaitingTask, type AwaitingTask } from './current';
import { assertCancelMessage, assertFunction, assertTimeout, expected, isThenable } from './validate';
import type { CancelHook, DebugRecord, ExecutorKind, FutureHooks, FutureInternals, FutureState, FutureTiming } from './future-types';
import { assertFutureOptions, type FutureOptions } from './future-options';
import { MicrotaskBatch, rethrowLater } from './microtask-batch';
import { listenProgress, settleProgress } from './progress';

export type { CancelHook, DebugRecord, ExecutorKind, FutureState, FutureTiming } from './future-types';
export type { FutureOptions } from './future-options';

/*
 * Dependency direction: this module imports only leaves (errors, validate, current,
 * future-types, future-options, microtask-batch, progress). Everything that needs the
 * class builds on it — future-internal.ts (the producer's side), hooks.ts, task.ts — so the
 * types below that name `Unfuture` live here, next to the class, and no import circle
 * forms; the shapes of the hook slots and of the internal accessors are declared in
 * future-types.ts over a type parameter, and filled in with `Unfuture` here.
 */

/** A done callback: receives the settled future. */
export type DoneCallback<T> = (future: Unfuture<T>) => void;

/** The producer's side of a future made by {@link Unfuture.withResolvers}. */
export interface FutureController<T> {
  /** The pending future these controls settle. */
  readonly future: Unfuture<T>;
  /** Fulfil (or adopt a thenable). False when already settled. */
  resolve(value: T | PromiseLike<T>): boolean;
  /** Reject. False when already settled. */
  reject(error: unknown): boolean;
  /** Settle as cancelled. False when already settled. */
  cancel(message?: string): boolean;
  /** Record the moment the work actually started (timing data). */
  start(): void;
}

/** The task awaiting a future, as `then()` sees it (see current.ts). */
type Awaiter = AwaitingTask<Unfuture<unknown>>;

/**
 * The hooks debug mode plugs into (src/runtime/debug*.ts), each described on
 * {@link FutureHooks}: undefined unless debug mode is on. Re-exported by hooks.ts, with the
 * other hook points.
 */
export const futureHooks: FutureHooks<Unfuture<unknown>> = {
  onFutureCreated: undefined,
  onRejected: undefined,
  aroundTaskStep: undefined,
};

/**
 * Blocks the calling thread until `future` (pending, on this executor) has settled, then
 * returns; throws `TimeoutError` after `timeoutMs` (null: no limit). Installed by an
 * executor that owns a synchronous reply channel (threads: `Atomics.wait` plus
 * `receiveMessageOnPort`); `Unfuture.resultSync` refuses executors without one.
 */
export type SyncWaiter = (future: Unfuture<unknown>, timeoutMs: number | null) => void;

/** The installed {@link SyncWaiter}s, by executor name (re-exported by hooks.ts). */
export const syncWaiters: Record<string, SyncWaiter | undefined> = Object.create(null);

/** The accessors into Unfuture's #private state (see {@link FutureInternals}), made by its static block. */
let internals: FutureInternals<Unfuture<any>>;

/*
 * Discard hooks: what to do with a future's value when the one consumer that would have
 * received it drops it because a cancellation won (see `#discard`). Kept in a WeakMap, not
 * a field: few futures have one, and the drop path is rare. A fulfilled future may instead
 * hold its hook in the slot its cancel hook used while pending (no allocation).
 */
const discardHooks = new WeakMap<Unfuture<any>, (value: any) => void>();

// Default-name counters, as asyncio numbers its tasks: tasks are Task-1, Task-2, ... in
// creation order whatever else is made between them; every other future is Future-N.
let nextTaskNumber = 1;
let nextFutureNumber = 1;

/**
 * Settled futures whose reactions (then-children, done callbacks) must run, in settlement
 * order. Invariant: a settled future is in it exactly while it holds callbacks.
 */
let readyFutures: MicrotaskBatch<Unfuture<any>>;

/** Stands in for a producer's cancel hook once it has been called. */
const CANCEL_REQUESTED: CancelHook = () => undefined;

/** A registered reaction: a callback, or a child future made by `then` (no closure needed). */
type Reaction = ((f: Unfuture<any>) => void) | ThenChild<any>;

/** Stands in for a then-child's continuations once it has reacted. */
const REACTED: unique symbol = Symbol('reacted');

/**
 * Put in a then-child's `onFulfilled` slot (unused from then on) when the task awaiting
 * through it was cancelled after the source settled but before the child reacted: the
 * child then delivers `error` instead of the source's outcome.
 */
class Interrupt {
  constructor(readonly error: CancelledError) {}
}

/**
 * The awaitable result of every unsync call.
 *
 * Usable with `await`, `Promise.all` and `Promise.race`; adds asyncio's future API
 * (`done`, `cancelled`, `result`, `exception`, `cancel`, done callbacks, names).
 *
 * @example
 * const f = createTask(() => sleep(100, 'x'));
 * f.addDoneCallback((d) => console.log(d.result()));
 * await f; // 'x'
 */
export class Unfuture<T> implements PromiseLike<T> {
  // Invariant: #state changes exactly once, in #settle, from 'pending'.
  #state: FutureState = 'pending';
  // Fulfilled: the value. Rejected: the error. Cancelled: the CancelledError.
  #payload: unknown = undefined;
  // Reactions and done callbacks in registration order: none, one, or a list. Cleared once run.
  #callbacks: Reaction | Reaction[] | undefined = undefined;
  // What cancel() forwards to while pending: a producer hook, or an upstream/adopted
  // future. Once fulfilled: the value's discard hook, if the producer set one.
  #cancelTarget: CancelHook | Unfuture<unknown> | undefined = undefined;
  // Positive: a task's number (Task-N). Negative: another future's number (Future-N).
  readonly #id: number;
  #name: string | undefined;
  // False until anything looks at the outcome, then true. In debug mode it may hold a
  // DebugRecord instead of false: the record debug mode's finalizer reads, kept current
  // by #observe and #settle. Read it only through #observe / the `observed` getter.
  #observed: boolean | DebugRecord = false;
  // Timing is recorded for work (tasks, pool calls, producer futures), not for `then` children.
  #createdAt: number | undefined;
  #startedAt: number | undefined = undefined;
  #settledAt: number | undefined = undefined;

  /** Where the work of this future runs. */
  readonly executor: ExecutorKind;

  static {
    internals = {
      settle: (f, state, payload) => f.#settle(state, payload),
      resolve: (f, value) => f.#resolve(value),
      setCancelHook: (f, hook) => {
        f.#cancelTarget = hook;
      },
      setStarted: (f, at) => f.#markStarted(at),
      createdAt: (f) => f.#createdAt,
      subscribe: (f, callback) => {
        f.#observe();
        f.#addCallback(callback);
      },
      interrupt: (f, message) => f.#interrupt(message),
      setDiscardHook: (f, hook) => {
        discardHooks.set(f, hook);
      },
      // Settled futures never read #cancelTarget again (cancel() stops at the state check),
      // so a fulfilled one keeps its discard hook there.
      setSettledDiscardHook: (f, hook) => {
        if (f.#state === 'fulfilled') f.#cancelTarget = hook;
      },
      discard: (f, value) => f.#discard(value),
    };
    readyFutures = new MicrotaskBatch((f) => f.#runReactions());
  }


  /** @internal Use `createTask`, `Unfuture.withResolvers`, `fromValue` or `fromPromise`. */
  constructor(executor: ExecutorKind = 'loop', name?: string, timed = true, task = false) {
    this.#id = task ? nextTaskNumber++ : -nextFutureNumber++;
    this.executor = executor;
    this.#name = name;
    this.#createdAt = timed ? performance.now() : undefined;
    const created = futureHooks.onFutureCreated;
    // Debug mode only. `then` children are left out: `await` makes one and drops it.
    if (created !== undefined && !(this instanceof ThenChild)) this.#observed = created(this) ?? false;
  }

  /**
   * A pending future plus its producer's controls. `onCancel` lets the producer undo its
   * work before the future settles as cancelled; without it `cancel()` settles at once.
   */
  static withResolvers<T>(options?: FutureOptions): FutureController<T> {
    assertFutureOptions(options);
    const future = pendingFuture<T>(options);
    return {
      future,
      resolve: (value) => future.#resolve(value),
      reject: (error) => future.#settle('rejected', error),
      cancel: (message) => future.#settle('cancelled', new CancelledError(message)),
      start: () => future.#markStarted(),
    };
  }

  /** A future already fulfilled with `value`. */
  static fromValue<T>(value: T): Unfuture<T> {
    const f = new Unfuture<T>('loop', undefined, false);
    f.#settle('fulfilled', value);
    return f;
  }

  /**
   * Wrap a foreign promise or thenable. Cancelling the returned future settles it as
   * cancelled at once; the foreign work cannot be stopped and its outcome is then ignored.
   * An Unfuture is returned as is.
   */
  static fromPromise<T>(promise: PromiseLike<T>): Unfuture<T> {
    if (promise instanceof Unfuture) return promise;
    if (!isThenable(promise)) throw new TypeError(expected('promise', 'a promise or thenable', promise));
    const f = new Unfuture<T>();
    f.#startedAt = f.#createdAt;
    f.#resolveWith(promise);
    return f;
  }

  /** True once fulfilled, rejected or cancelled. */
  done(): boolean {
    return this.#state !== 'pending';
  }

  /** True once settled as cancelled. */
  cancelled(): boolean {
    return this.#state === 'cancelled';
  }

  /** The state machine's current state. */
  get state(): FutureState {
    return this.#state;
  }

  /**
   * The value. Throws `InvalidStateError` while pending, the `CancelledError` if
   * cancelled, and the error if it failed.
   */
  result(): T {
    this.#observe();
    switch (this.#state) {
      case 'fulfilled':
        return this.#payload as T;
      case 'pending':
        throw new InvalidStateError(`${this.getName()}: result is not set yet`);
      default:
        throw this.#payload;
    }
  }

  /**
   * The value, blocking the calling thread until the future is done (Python unsync's
   * `result()`, for sync callers). Done: like `result()`. Pending on a thread (or another
   * executor with a synchronous reply channel): blocks at most `timeoutMs` (then
   * `TimeoutError`; null/undefined: no limit). Pending on the event loop, or on an
   * executor without such a channel: throws `InvalidStateError`, since blocking this
   * thread would stop the loop that has to finish it.
   *
   * @example
   * const n = toThread(countLines, 'big.log').resultSync(5000);
   */
  resultSync(timeoutMs?: number | null): T {
    assertTimeout('timeoutMs', timeoutMs);
    if (this.#state === 'pending') {
      if (this instanceof ThenChild && this.executor !== 'loop') {
        // A chain carries its source's executor, but no pool holds it: its continuation
        // runs on this thread's event loop, so no synchronous reply channel can answer.
        throw new InvalidStateError(
          `${this.getName()} is a chain (made with then()) on a ${this.executor} call, not the call itself: its continuation runs on the event loop, so blocking cannot finish it; block on the call itself (resultSync(call)) and continue from its value, or await the chain`,
        );
      }
      const wait = syncWaiters[this.executor];
      if (wait === undefined) {
        throw new InvalidStateError(
          this.executor === 'loop'
            ? `${this.getName()} runs on the event loop and is not done: blocking for it would deadlock; await it instead`
            : `${this.getName()} runs on the '${this.executor}' executor, which has no synchronous reply channel: await it instead`,
        );
      }
      wait(this, timeoutMs ?? null);
    }
    return this.result();
  }

  /**
   * The error, or `null` on success. Throws `InvalidStateError` while pending and the
   * `CancelledError` if cancelled.
   */
  exception(): unknown {
    this.#observe();
    switch (this.#state) {
      case 'fulfilled':
        return null;
      case 'rejected':
        return this.#payload;
      case 'pending':
        throw new InvalidStateError(`${this.getName()}: exception is not set yet`);
      default:
        throw this.#payload;
    }
  }

  /**
   * Request cancellation. Returns false once done. A plain future is cancelled at once;
   * a producer-owned one (pool call, queue operation) after its producer undid the work;
   * a derived one (from `then`) at once, forwarding the request upstream.
   */
  cancel(message?: string): boolean {
    assertCancelMessage(message);
    if (this.#state !== 'pending') return false;
    const target = this.#cancelTarget;
    if (typeof target === 'function') {
      // Call the producer's hook once; later requests find the no-op marker. A hook that
      // declines (its outcome is already on the way) is kept for a later request.
      this.#cancelTarget = CANCEL_REQUESTED;
      if (target(message) === false) {
        if (this.#cancelTarget === CANCEL_REQUESTED) this.#cancelTarget = target;
        return false;
      }
      return true;
    }
    this.#settle('cancelled', new CancelledError(message));
    target?.cancel(message);
    return true;
  }

  /**
   * Run `callback(future)` once the future is done: in registration order, exactly once,
   * on a later microtask (never synchronously inside this call, even when already done),
   * in the task context it was registered from (`currentTask()` inside it is that task).
   */
  addDoneCallback(callback: DoneCallback<T>): void {
    assertFunction('callback', callback);
    this.#observe();
    // Like asyncio (which runs a done callback in the context it was added from), the
    // callback runs in the task that registered it, not in whichever task settled us.
    const task = currentAwaitingTask<Unfuture<unknown>>();
    this.#addCallback((f) => {
      try {
        callIn(task, callback, f);
      } catch (error) {
        // A throwing done callback is a bug in user code: surface it like any
        // uncaught error in a Node callback, without stopping the other callbacks.
        rethrowLater(error);
      }
    }, callback);
  }

  /**
   * Call `callback(value)` with the progress the call or task behind this future reports
   * (`reportProgress(value)` where it runs: a thread, a process, a loop task). Callbacks run
   * on this thread's event loop, in order. When values come faster than the loop takes them,
   * intermediate ones may be dropped, but the last value reported before the call ends is
   * delivered before the future settles. Returns a function that removes the callback: a
   * removed callback gets nothing more, not even a value already on its way. A callback
   * that throws is reported (debug mode's logger, else a process warning) and fails
   * nothing. On a future that is already done, nothing is ever called.
   */
  onProgress(callback: (value: unknown) => void): () => void {
    assertFunction('callback', callback);
    if (this.#state !== 'pending') return () => undefined;
    return listenProgress(this, callback);
  }

  /** Remove every registration of `callback`; returns how many were removed. */
  removeDoneCallback(callback: DoneCallback<T>): number {
    assertFunction('callback', callback);
    const held = this.#callbacks;
    if (held === undefined) return 0;
    if (!Array.isArray(held)) {
      if ((held as { original?: unknown }).original !== callback) return 0;
      this.#callbacks = undefined;
      return 1;
    }
    const list = held;
    let removed = 0;
    for (let i = list.length - 1; i >= 0; i--) {
      if ((list[i] as { original?: unknown }).original === callback) {
        list.splice(i, 1);
        removed++;
      }
    }
    return removed;
  }

  /**
   * The name. Defaults: `Task-N` for a task (N strictly increasing in task creation order,
   * as asyncio numbers tasks), `Future-N` for any other future (its own counter).
   */
  getName(): string {
    return this.#name ?? (this.#id > 0 ? `Task-${this.#id}` : `Future-${-this.#id}`);
  }

  /** Rename the future. */
  setName(name: string): void {
    if (typeof name !== 'string') throw new TypeError(expected('name', 'a string', name));
    this.#name = name;
    const o = this.#observed;
    if (o !== true && o !== false) o.name = this.#name;
  }

  /**
   * When the future was created, its work started, and it settled (`performance.now()` ms).
   * Futures derived with `then` record no timing of their own (all undefined), nor do
   * futures made with `timed: false`. Tasks record it only when debug mode was on at
   * their creation (docs/debug.md): outside it the clock reads were a large part of a
   * task's cost.
   */
  get timing(): FutureTiming {
    return { createdAt: this.#createdAt, startedAt: this.#startedAt, settledAt: this.#settledAt };
  }

  /** True once anything looked at the outcome (then/await, a done callback, result, exception). */
  get observed(): boolean {
    return this.#observed === true;
  }

  /**
   * Promise-style chaining. The continuation receives the value (or the error, for
   * `onRejected`), may be sync or async, and the result is again an Unfuture; cancelling
   * it cancels the chain (the source while pending, else what the continuation returned).
   *
   * Called from inside a task (which is what `await` does), it links this future to that
   * task: cancelling the task cancels this future, and a cancellation that arrives after
   * this future settled but before the continuation ran is delivered to the continuation
   * (`onRejected` gets the `CancelledError`), as asyncio delivers it at the await. The
   * continuations run in the task context `then` was called from, as with native promises.
   */
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Unfuture<R1 | R2> {
    this.#observe();
    const task = currentAwaitingTask<Unfuture<unknown>>();
    const child = new ThenChild<R1 | R2>(this.executor, onFulfilled, onRejected, task);
    child.#cancelTarget = this;
    if (task !== undefined && this.#state === 'pending') task.linkAwait(this, child);
    this.#addCallback(child);
    return child;
  }

  /** Promise-style error handler; returns an Unfuture. */
  catch<R = never>(onRejected?: ((reason: any) => R | PromiseLike<R>) | null): Unfuture<T | R> {
    return this.then(undefined, onRejected);
  }

  /** Promise-style `finally`; the outcome passes through unless `onFinally` throws. */
  finally(onFinally?: (() => void) | null): Unfuture<T> {
    if (typeof onFinally !== 'function') return this.then();
    return this.then(
      (value) => Unfuture.fromPromise(Promise.resolve(onFinally())).then(() => value),
      (error) =>
        Unfuture.fromPromise(Promise.resolve(onFinally())).then(() => {
          throw error;
        }),
    );
  }

  /** `'Unfuture'`: what `Object.prototype.toString` and `util.inspect` show. */
  get [Symbol.toStringTag](): string {
    return 'Unfuture';
  }

  toString(): string {
    return `Unfuture<${this.getName()} ${this.#state} on ${this.executor}>`;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }

  // ---- private steps -------------------------------------------------------------

  /** Fulfil from `value` (adopting a thenable); false when already settled. */
  #resolve(value: unknown): boolean {
    if (this.#state !== 'pending') return false;
    this.#resolveWith(value);
    return true;
  }

  /** Record the start of the work, now or at `at` (a worker's own clock); once; untimed: never. */
  #markStarted(at?: number): void {
    if (this.#createdAt === undefined) return;
    this.#startedAt ??= at ?? performance.now();
  }

  /**
   * `value` (fulfilled from this future) is being dropped unseen: run the discard hook,
   * once. A hook that throws is reported as an uncaught error, after the drop.
   */
  #discard(value: unknown): void {
    // Either place holds a hook at most once: taking it empties the slot / the map entry.
    let hook: ((value: any) => void) | undefined;
    const held = this.#cancelTarget;
    if (this.#state === 'fulfilled' && typeof held === 'function') {
      this.#cancelTarget = undefined;
      hook = held;
    } else hook = discardHooks.get(this);
    if (hook === undefined) return;
    discardHooks.delete(this);
    try {
      hook(value);
    } catch (error) {
      rethrowLater(error);
    }
  }

  #observe(): void {
    const o = this.#observed;
    if (o === true) return;
    if (o !== false) o.observed = true;
    this.#observed = true;
  }

  #addCallback(reaction: Reaction, original?: unknown): void {
    if (original !== undefined) (reaction as { original?: unknown }).original = original;
    const held = this.#callbacks;
    if (held === undefined) {
      this.#callbacks = reaction;
      // Invariant: a settled future is in the ready queue exactly while it holds callbacks.
      if (this.#state !== 'pending') readyFutures.push(this);
    }
    else if (Array.isArray(held)) held.push(reaction);
    else this.#callbacks = [held, reaction];
  }

  #runReactions(): void {
    const held = this.#callbacks;
    this.#callbacks = undefined;
    if (held === undefined) return;
    if (!Array.isArray(held)) {
      this.#runOne(held, true);
      return;
    }
    for (let i = 0; i < held.length; i++) this.#runOne(held[i]!, false);
  }

  #runOne(reaction: Reaction, sole: boolean): void {
    if (reaction instanceof ThenChild) reaction.#react(this, sole);
    else reaction(this);
  }

  /**
   * Core-internal (see {@link interruptAwait}): a task awaiting through this then-child is
   * cancelled. While the source is pending, cancel the source (the usual path). Once it
   * settled, or when it declines, make this child deliver the `CancelledError` instead of
   * the source's outcome, handing a value nobody else will see to the source's discard hook
   * (a queue item goes back, a lock guard is released). False once the child reacted.
   * A source that is itself a then-child (`await a.then(f)`: the task links only the
   * await's child, see task.ts) is interrupted first, back along the chain, so a settled
   * `a` hands its value to the discard hook as under a direct await.
   */
  #interrupt(this: Unfuture<unknown>, message: string | undefined): boolean {
    if (!(this instanceof ThenChild)) {
      // A future a task's body returned: the task copies its outcome. Settled already, the
      // request cannot reach it (false: the task ends cancelled when it copies), but a value
      // only the task would have seen goes back now rather than a microtask later.
      if (this.#state === 'pending') return this.cancel(message);
      const held = this.#callbacks;
      if (this.#state === 'fulfilled' && held !== undefined && !Array.isArray(held)) this.#discard(this.#payload);
      return false;
    }
    if (this.#state !== 'pending' || this.onFulfilled === REACTED || this.onFulfilled instanceof Interrupt) return false;
    const source = this.#cancelTarget;
    if (!(source instanceof Unfuture)) return false;
    if (source instanceof ThenChild) source.#interrupt(message);
    if (source.#state === 'pending' && source.cancel(message)) return true;
    // Settled with only this child waiting: give the value back now, so the producer's
    // state (qsize, locked) is right from this moment on, as if it was never handed over.
    // (A hook runs once: #react's own attempt, for a source that settles later, is then a no-op.)
    if (source.#state === 'fulfilled' && source.#callbacks === this) source.#discard(source.#payload);
    this.onFulfilled = new Interrupt(new CancelledError(message));
    return true;
  }

  #settle(state: Exclude<FutureState, 'pending'>, payload: unknown): boolean {
    if (this.#state !== 'pending') return false;
    this.#state = state;
    this.#payload = payload;
    if (this.#createdAt !== undefined) this.#settledAt = performance.now();
    this.#cancelTarget = undefined;
    // A progress value still on its way goes first (a no-op unless progress was used).
    settleProgress(this);
    if (this.#callbacks !== undefined) readyFutures.push(this);
    const o = this.#observed;
    if (o !== true) {
      if (o !== false) o.state = state;
      if (state === 'rejected' && futureHooks.onRejected !== undefined) {
        this.#observed = futureHooks.onRejected(this, payload, o === false ? undefined : o) ?? o;
      }
    }
    this.onSettled();
    return true;
  }

  /** Subclass hook, called once right after settling (tasks leave the pending set). */
  protected onSettled(): void {}

  /** Settle from a value that may be a thenable (Promise resolution procedure). */
  #resolveWith(value: unknown): void {
    if (this.#state !== 'pending') return;
    if (value === this) {
      this.#settle('rejected', new TypeError('An Unfuture cannot be resolved with itself'));
      return;
    }
    if (value instanceof Unfuture) {
      if (value.#state !== 'pending') {
        this.#settle(value.#state as Exclude<FutureState, 'pending'>, value.#payload);
        value.#observe();
        return;
      }
      if (typeof this.#cancelTarget !== 'function') this.#cancelTarget = value;
      value.#observe();
      value.#addCallback((inner) => this.#settle(inner.#state as Exclude<FutureState, 'pending'>, inner.#payload));
      return;
    }
    if (!isThenable(value)) {
      this.#settle('fulfilled', value);
      return;
    }
    if (typeof this.#cancelTarget !== 'function') this.#cancelTarget = undefined;
    let called = false;
    try {
      value.then(
        (v) => {
          if (called) return;
          called = true;
          this.#resolveWith(v);
        },
        (e) => {
          if (called) return;
          called = true;
          this.#settle('rejected', e);
        },
      );
    } catch (error) {
      if (!called) {
        called = true;
        this.#settle('rejected', error);
      }
    }
  }

  #react(this: ThenChild<T>, source: Unfuture<any>, sole: boolean): void {
    const fulfilled = this.onFulfilled;
    let state = source.#state as Exclude<FutureState, 'pending'>;
    let payload = source.#payload;
    // (typeof first: the common case, a function, is told apart without a prototype walk)
    if (typeof fulfilled === 'object' && fulfilled instanceof Interrupt) {
      // The awaiting task was cancelled before this continuation ran: deliver that instead.
      if (state === 'fulfilled' && sole) source.#discard(payload);
      state = 'cancelled';
      payload = fulfilled.error;
    }
    const handler = state === 'fulfilled' ? fulfilled : this.onRejected;
    this.onFulfilled = REACTED;
    this.onRejected = undefined;
    if (this.#state !== 'pending') return;
    if (typeof handler !== 'function') {
      this.#settle(state, payload);
      return;
    }
    this.#cancelTarget = undefined;
    let next: unknown;
    try {
      next = callIn(this.awaiter, handler as (value: unknown) => unknown, payload);
    } catch (error) {
      this.#settle('rejected', error);
      return;
    }
    this.#resolveWith(next);
  }
}

/**
 * Make a pending future (no validation). Internal API, re-exported by future-internal.ts
 * with the rest of the producer's side; public callers use `Unfuture.withResolvers`.
 */
export function pendingFuture<T>(options?: FutureOptions): Unfuture<T> {
  const f = new Unfuture<T>(options?.executor ?? 'loop', options?.name, options?.timed ?? true);
  if (options?.onCancel) internals.setCancelHook(f, options.onCancel);
  return f;
}

/** @internal The accessors made by Unfuture's static block; for future-internal.ts only. */
export const futureInternals: FutureInternals<Unfuture<any>> = internals!;

/**
 * The future `then()` returns: an Unfuture that also holds its continuations until it has
 * reacted (kept off the base class so tasks and pool futures do not carry the two slots).
 * @internal
 */
class ThenChild<T> extends Unfuture<T> {
  // The continuations until the child reacts; then REACTED / undefined. An Interrupt in
  // `onFulfilled` means: deliver a cancellation instead of the source's outcome.
  onFulfilled: unknown;
  onRejected: unknown;
  // The task `then` was called from (undefined: none): the continuations run in it.
  readonly awaiter: Awaiter | undefined;

  constructor(executor: ExecutorKind, onFulfilled: unknown, onRejected: unknown, awaiter: Awaiter | undefined) {
    super(executor, undefined, false);
    this.onFulfilled = onFulfilled;
    this.onRejected = onRejected;
    this.awaiter = awaiter;
  }
}
