/**
 * Tasks: functions running on the event loop inside their own context, cancellable
 * with asyncio's semantics. The model is written out in docs/cancellation.md; in short:
 *
 * - A task starts on a later microtask, never inside `createTask`; a task cancelled
 *   before that never runs its body.
 * - Every pending Unfuture whose `then` is called from the task's code (every `await` on
 *   a library awaitable) is linked to the task, as what its current await waits for; the
 *   links of an earlier await are dropped (see ./await-groups.ts). `task.cancel(msg)`
 *   cancels the linked futures, so the body sees `CancelledError` at the await where it
 *   is suspended.
 * - When the task is suspended on something foreign (a native promise), the request is
 *   remembered (`mustCancel`) and delivered at its next library await, or, if the body
 *   returns first, the task ends cancelled. The task's `signal` aborts at once, for
 *   foreign APIs that accept one.
 * - Edge-triggered: a body that catches the `CancelledError` and returns normally
 *   completes normally.
 */
import { linkEpoch, openGroup } from './await-groups';
import { CancelledError, InvalidStateError, isCancelledError } from './errors';
import { beginTaskStarts, contextState, noTaskPending, runAsTask, taskStorage, type AwaitingTask } from './current';
import { Unfuture } from './future';
import { cancelFuture, discardValue, interruptAwait, markStarted, onSettled, rejectFuture, resolveFuture } from './future-internal';
import { MicrotaskBatch } from './microtask-batch';
import { futureHooks } from './future';
import { taskCounters } from './hooks';
import { assertCancelMessage, assertOptions, expected, isThenable } from './validate';

/** Options for {@link createTask}. */
export interface CreateTaskOptions {
  /** The task's name (default `Task-N`). */
  name?: string;
}

/*
 * Every task that has not settled yet, in creation order: an intrusive doubly linked list
 * through #prev/#next (O(1) insert and remove, no allocation; a Set was measurably
 * slower under 100k-task churn). `pendingHead`/`pendingTail` are its ends.
 */
let pendingHead: Task<any> | undefined;
let pendingTail: Task<any> | undefined;
let listPending: () => Task<unknown>[];
let takeRequest: (task: Task<unknown>) => CancelledError | undefined;

/*
 * Tasks waiting for their first step, started in creation order, many per microtask
 * (cheaper than one microtask per task).
 */
let startQueue: MicrotaskBatch<Task<any>>;

/**
 * A function running as a task on the event loop. Create one with {@link createTask}.
 * Adds to `Unfuture` the task-only parts of asyncio's API: `signal`, `cancelling()`,
 * `uncancel()`.
 */
export class Task<T> extends Unfuture<T> implements AwaitingTask<Unfuture<unknown>> {
  // The body until its first step; undefined once started (so "started" = !done && !#body).
  #body: (() => T | PromiseLike<T>) | undefined;
  // Made by the first cancel() or signal read; undefined for the many tasks that see neither
  // (one slot instead of four on every task).
  #cancel: CancelState | undefined = undefined;
  // What the body is suspended on (one, or a set for Promise.all & co): the then-child of
  // each await (whose source is the awaited future), or the future the body returned.
  // Invariant: every member was linked in epoch #awaitingSince (./await-groups.ts).
  #awaiting: Unfuture<unknown> | Set<Unfuture<unknown>> | undefined = undefined;
  #awaitingSince = 0;
  // Neighbours in the pending-task list (undefined once settled).
  #prev: Task<any> | undefined = undefined;
  #next: Task<any> | undefined = undefined;

  static {
    startQueue = new MicrotaskBatch((task) => task.#step(), beginTaskStarts);
    takeRequest = (task) => {
      const c = task.#cancel;
      if (c === undefined || !c.mustCancel) return undefined;
      c.mustCancel = false;
      return new CancelledError(c.message);
    };
    listPending = () => {
      const out: Task<unknown>[] = [];
      for (let t = pendingHead; t !== undefined; t = t.#next) out.push(t);
      return out;
    };
  }

  /** @internal Use {@link createTask}. */
  constructor(body: () => T | PromiseLike<T>, name?: string) {
    // Timed in debug mode only: three clock reads per task were about a sixth of what a
    // task costs on Node 24 (docs/performance.md, "Foundation"); off, nothing is timed.
    super('loop', name, futureHooks.onFutureCreated !== undefined, true);
    this.#body = body;
    if (pendingTail === undefined) pendingHead = this;
    else {
      pendingTail.#next = this;
      this.#prev = pendingTail;
    }
    pendingTail = this;
    contextState.tasksEverCreated = true;
    taskCounters.created++;
    startQueue.push(this);
  }

  /**
   * An AbortSignal that aborts (reason: the `CancelledError`) as soon as the task is asked
   * to cancel. Pass it to foreign APIs (`fetch`, drivers) that cannot see unsync's
   * cancellation otherwise.
   */
  get signal(): AbortSignal {
    const c = (this.#cancel ??= newCancelState());
    if (c.controller === undefined) {
      c.controller = new AbortController();
      if (c.requests > 0 || this.cancelled()) c.controller.abort(new CancelledError(c.message));
    }
    return c.controller.signal;
  }

  /**
   * Request cancellation (asyncio's `Task.cancel`). Returns false once the task is done.
   * Not started yet: the task is cancelled now and its body never runs. Suspended on a
   * library awaitable: that awaitable is cancelled, so the body sees `CancelledError`
   * there. Otherwise the request waits for the body's next library await.
   */
  override cancel(message?: string): boolean {
    assertCancelMessage(message);
    if (this.done()) return false;
    const c = (this.#cancel ??= newCancelState());
    c.requests++;
    c.message = message;
    c.controller?.abort(new CancelledError(message));
    if (this.#body !== undefined) {
      this.#body = undefined;
      cancelFuture(this, message);
      return true;
    }
    if (!this.#cancelAwaited(message)) c.mustCancel = true;
    return true;
  }

  /** Number of pending cancellation requests (asyncio's `Task.cancelling`). */
  cancelling(): number {
    return this.#cancel?.requests ?? 0;
  }

  /**
   * Withdraw one cancellation request (asyncio's `Task.uncancel`); returns the remaining
   * count. At zero an undelivered request is dropped. For code that cancels a task itself
   * and wants to absorb that request; unsync's own `timeout` and `TaskGroup` do not need
   * it (they run their body as a child task and know which cancellations they made).
   */
  uncancel(): number {
    const c = this.#cancel;
    if (c === undefined) return 0;
    if (c.requests > 0) c.requests--;
    if (c.requests === 0) c.mustCancel = false;
    return c.requests;
  }

  /**
   * @internal Called by `Unfuture.then` from this task's code, for a pending `future`;
   * `via` is the then-child that will carry its outcome to the body (absent when the body
   * returned `future` itself). Joins the links of the await being made now, or starts a
   * new group and drops those of an earlier await (see ./await-groups.ts).
   */
  linkAwait(future: Unfuture<unknown>, via?: Unfuture<unknown>): void {
    if (this.done() || future === this) return;
    if (via !== undefined) future = via;
    const c = this.#cancel;
    if (c !== undefined && c.mustCancel) {
      // Deliver the remembered request at this await: the awaited future is cancelled
      // (or, if it declines because its outcome is on the way, the then-child delivers the
      // cancellation instead of that outcome). Without a then-child a declining future
      // leaves the request pending for the next await, or for the end of the body.
      if (interruptAwait(future, c.message)) c.mustCancel = false;
      return;
    }
    const current = this.#awaiting;
    if (current === undefined || this.#awaitingSince !== linkEpoch()) {
      this.#awaiting = future;
      this.#awaitingSince = openGroup();
    } else if (current instanceof Set) current.add(future);
    else if (current !== future) this.#awaiting = new Set([current, future]);
  }

  protected override onSettled(): void {
    const prev = this.#prev;
    const next = this.#next;
    if (prev === undefined) pendingHead = next;
    else prev.#next = next;
    if (next === undefined) pendingTail = prev;
    else next.#prev = prev;
    if (pendingHead === undefined) noTaskPending(anyTaskPending);
    this.#prev = this.#next = undefined;
    this.#awaiting = undefined;
    taskCounters[this.state as 'fulfilled' | 'rejected' | 'cancelled']++;
  }

  #cancelAwaited(message: string | undefined): boolean {
    const awaiting = this.#awaiting;
    this.#awaiting = undefined;
    if (awaiting === undefined) return false;
    if (!(awaiting instanceof Set)) return interruptAwait(awaiting, message);
    let delivered = false;
    for (const f of awaiting) if (interruptAwait(f, message)) delivered = true;
    return delivered;
  }

  #step(): void {
    if (this.done()) return;
    const around = futureHooks.aroundTaskStep;
    if (around === undefined) {
      runAsTask(this, Task.#firstStep);
      return;
    }
    Task.#stepAround(around, this);
  }

  /*
   * Debug mode wraps the first step to time it (slow-callback reports name the task) and
   * to watch the promise the body returns. Kept out of `#step` (as the closures below are
   * kept out of `#firstStep`): a function that makes a closure gets a context object on
   * every call, taken or not, and a pending task would carry it.
   */
  static #stepAround(around: (task: Unfuture<unknown>, step: () => unknown) => unknown, task: Task<unknown>): void {
    try {
      around(task as Unfuture<unknown>, () => taskStorage.run(task, Task.#firstStep, task));
    } catch (error) {
      task.#finish(false, error);
    }
  }

  /**
   * Run the body (in the task's context) and follow what it returns; returns that, for
   * debug mode's wrapper. Static, and handed around as `Task.#firstStep`: no closure per task.
   */
  static #firstStep(this: void, awaiting: AwaitingTask<Unfuture<unknown>>): unknown {
    const task = awaiting as Task<unknown>;
    const body = task.#body!;
    task.#body = undefined;
    markStarted(task);
    let result: unknown;
    try {
      result = body();
    } catch (error) {
      task.#finish(false, error);
      return undefined;
    }
    if (result instanceof Promise && result.constructor === Promise) {
      // The usual case, an async body. The reactions run in the context they were
      // registered in, this task's, where they find the task again: two shared functions
      // instead of two closures per task.
      result.then(Task.#bodyFulfilled, Task.#bodyRejected);
    } else if (result instanceof Unfuture) {
      task.#followFuture(result);
    } else if (isThenable(result)) {
      task.#followThenable(result);
    } else {
      task.#finish(true, result);
    }
    return result;
  }

  /** The body handed back a library future: the task is suspended on it. */
  #followFuture(result: Unfuture<unknown>): void {
    this.linkAwait(result);
    onSettled(result, (f) => {
      if (f.state !== 'fulfilled') this.#finish(false, safeException(f));
      else if (this.#finish(true, f.result())) discardValue(f, f.result());
    });
  }

  /** A foreign thenable may call back from any context: closures. */
  #followThenable(result: PromiseLike<unknown>): void {
    result.then(
      (value) => this.#finish(true, value),
      (error) => this.#finish(false, error),
    );
  }

  static #bodyFulfilled(this: void, value: unknown): void {
    Task.#running().#finish(true, value);
  }

  static #bodyRejected(this: void, error: unknown): void {
    Task.#running().#finish(false, error);
  }

  /** The task whose context a body reaction runs in (see `#firstStep`). */
  static #running(): Task<unknown> {
    const task = taskStorage.getStore();
    if (!(task instanceof Task)) throw new InvalidStateError('unsync: a task body settled outside its task context (internal error)');
    return task;
  }

  /** Settle from the body's outcome; true when a value was dropped because a late cancel won. */
  #finish(ok: boolean, payload: unknown): boolean {
    if (this.done()) return false;
    if (ok) {
      // A request that was never delivered still cancels the task (asyncio does the same).
      const c = this.#cancel;
      if (c === undefined || !c.mustCancel) {
        resolveFuture(this, payload as T);
        return false;
      }
      cancelFuture(this, c.message);
      return true;
    }
    if (isCancelledError(payload)) cancelFuture(this, payload as CancelledError);
    else rejectFuture(this, payload);
    return false;
  }
}

function anyTaskPending(): boolean {
  return pendingHead !== undefined;
}

/** A task's cancellation bookkeeping (see `Task.#cancel`). */
interface CancelState {
  // asyncio's cancel counter: requests minus `uncancel()` calls. Never negative.
  requests: number;
  // The message of the latest request.
  message: string | undefined;
  // A cancel request that no awaited future has carried to the body yet.
  mustCancel: boolean;
  // The AbortController behind `signal`, made when `signal` is first read.
  controller: AbortController | undefined;
}

function newCancelState(): CancelState {
  return { requests: 0, message: undefined, mustCancel: false, controller: undefined };
}

/** The error (or CancelledError) of a settled, unsuccessful future. */
function safeException(f: Unfuture<unknown>): unknown {
  try {
    f.result();
  } catch (error) {
    return error;
  }
  return undefined;
}

const TASK_OPTIONS: readonly string[] = ['name'];

/**
 * Schedule `fn` to run as a new task and return its Unfuture at once (asyncio's
 * `create_task`). The body starts on a later microtask, never inside this call.
 * Pass arguments through a closure: `createTask(() => work(1, 2))`.
 *
 * Given an awaitable instead of a function: an Unfuture is returned as is; a foreign
 * promise is wrapped (cancelling the wrapper abandons it, it cannot be stopped).
 *
 * @example
 * const t = createTask(async () => { await sleep(50); return 'done'; }, { name: 'worker' });
 * t.cancel('no longer needed');
 */
export function createTask<T>(fn: (() => T | PromiseLike<T>) | PromiseLike<T>, options?: CreateTaskOptions): Unfuture<T> {
  assertOptions('options', options, TASK_OPTIONS);
  const name = options?.name;
  if (name !== undefined && typeof name !== 'string') throw new TypeError(expected('options.name', 'a string', name));
  if (typeof fn === 'function') return new Task(fn as () => T | PromiseLike<T>, name);
  if (fn instanceof Unfuture) {
    if (name !== undefined) fn.setName(name);
    return fn;
  }
  if (isThenable(fn)) {
    const f = Unfuture.fromPromise(fn);
    if (name !== undefined) f.setName(name);
    return f;
  }
  throw new TypeError(expected('fn', 'a function or an awaitable', fn));
}

/** The task whose code is running now, or `null` outside any task. */
export function currentTask(): Task<unknown> | null {
  if (!contextState.tasksEverCreated) return null;
  const task = taskStorage.getStore();
  return task instanceof Task && !task.done() ? task : null;
}

/**
 * @internal A cancel request of `task` that no library await has delivered yet, as the
 * `CancelledError` to throw, now marked delivered (so the task's end follows the body, as
 * after an await that threw); undefined when there is none. Used by `checkpoint()`.
 */
export function takeCancelRequest(task: Task<unknown>): CancelledError | undefined {
  return takeRequest(task);
}

/** Every task that has not finished yet (asyncio's `all_tasks`), in creation order. */
export function allTasks(): Set<Task<unknown>> {
  return new Set(listPending());
}
