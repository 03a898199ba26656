/**
 * Structured concurrency: asyncio's `TaskGroup` and Trio's nursery, one engine.
 */
import { InvalidStateError, TaskGroupError, isCancelledError } from '../core/errors';
import { Unfuture } from '../core/future';
import { cancelFuture, onSettled, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { createTask, type CreateTaskOptions } from '../core/task';
import { assertCancelMessage, assertFunction } from '../core/validate';

type GroupState = 'new' | 'running' | 'aborting' | 'done';

/**
 * A scope that owns tasks: the block it runs does not finish until every child has.
 *
 * - `run(body)` runs `body(group)` as a task and resolves with its return value once the
 *   body and every child created with `createTask` have finished.
 * - The first child failure (or a failing body) cancels the body and every sibling; when
 *   all have finished, the failures are thrown together as a `TaskGroupError` (an
 *   `AggregateError`; `CancelledError`s are never in it).
 * - Cancelling the returned Unfuture (or the task awaiting it) cancels body and children;
 *   with no failures the caller then sees a plain `CancelledError`.
 * - `cancel()` stops everything from inside (Trio's `cancel_scope.cancel()`): the group
 *   then finishes normally with `undefined`, unless something failed.
 * A group runs once; creating tasks in a finished group is an `InvalidStateError`.
 *
 * @example
 * const result = await new TaskGroup().run(async (tg) => {
 *   tg.createTask(() => fetchUser(1));
 *   tg.createTask(() => fetchUser(2));
 *   return 'both fetched';
 * });
 */
export class TaskGroup {
  // Invariant: 'new' -> 'running' -> ('aborting' ->) 'done'; changed only in #setState.
  #state: GroupState = 'new';
  #children = new Set<Unfuture<unknown>>();
  #errors: unknown[] = [];
  #body: Unfuture<unknown> | undefined;
  #outer: Unfuture<unknown> | undefined;
  #cancelledFromOutside = false;
  #cancelledFromInside = false;
  #cancelMessage: string | undefined;

  /** Run `body(group)` inside the group; see the class comment for the rules. */
  run<T>(body: (group: this) => T | PromiseLike<T>): Unfuture<T> {
    assertFunction('body', body);
    if (this.#state !== 'new') throw new InvalidStateError('a TaskGroup can run only once');
    this.#setState('running');
    const outer = pendingFuture<T>({
      onCancel: (message) => {
        this.#cancelledFromOutside = true;
        this.#cancelMessage = message;
        this.#abort(message);
      },
    });
    this.#outer = outer;
    this.#body = this.#track(createTask(() => body(this)), true);
    return outer;
  }

  /**
   * Start `fn` as a child task of the group and return it. Throws `InvalidStateError`
   * unless the group is running (not finished, not cancelling).
   */
  createTask<T>(fn: () => T | PromiseLike<T>, options?: CreateTaskOptions): Unfuture<T> {
    assertFunction('fn', fn);
    if (this.#state !== 'running') {
      throw new InvalidStateError(
        this.#state === 'new' ? 'the TaskGroup has not started: call run() first' : `the TaskGroup is ${this.#state === 'done' ? 'finished' : 'shutting down'}`,
      );
    }
    return this.#track(createTask(fn, options), false);
  }

  /** Cancel the body and every child; the group then ends normally (unless something failed). */
  cancel(message?: string): void {
    assertCancelMessage(message);
    if (this.#state !== 'running') return;
    this.#cancelledFromInside = true;
    this.#abort(message);
  }

  /** Number of children still running. */
  get size(): number {
    let n = 0;
    for (const c of this.#children) if (!c.done()) n++;
    return n;
  }

  #setState(next: GroupState): void {
    this.#state = next;
  }

  #track<T>(task: Unfuture<T>, isBody: boolean): Unfuture<T> {
    this.#children.add(task);
    onSettled(task, (f) => this.#onChildDone(f, isBody));
    return task;
  }

  #onChildDone(f: Unfuture<unknown>, isBody: boolean): void {
    this.#children.delete(f);
    // Test the state, not `exception() !== null`: a child may be rejected with null.
    if (f.state === 'rejected') {
      const error = f.exception();
      if (!isCancelledError(error)) {
        this.#errors.push(error);
        this.#abort(isBody ? 'the TaskGroup body failed' : 'a sibling task failed');
      }
    }
    if (this.#children.size === 0) this.#finish();
  }

  #abort(message: string | undefined): void {
    if (this.#state === 'running') this.#setState('aborting');
    for (const child of this.#children) child.cancel(message);
  }

  #finish(): void {
    if (this.#state === 'done') return;
    this.#setState('done');
    const outer = this.#outer!;
    if (this.#errors.length > 0) rejectFuture(outer, new TaskGroupError(this.#errors));
    else if (this.#cancelledFromOutside) cancelFuture(outer, this.#cancelMessage);
    else if (this.#cancelledFromInside || this.#body!.cancelled()) resolveFuture(outer, undefined);
    else resolveFuture(outer, this.#body!.result());
  }
}

/** The nursery handle of {@link openNursery} (Trio's names over a {@link TaskGroup}). */
export interface Nursery {
  /** Start `fn(...args)` as a child task (Trio's `start_soon`); returns the task. */
  startSoon<A extends unknown[], T>(fn: (...args: A) => T | PromiseLike<T>, ...args: A): Unfuture<T>;
  /** Cancel everything in the nursery; the block then ends normally. */
  cancel(message?: string): void;
}

/**
 * Trio's nursery: `await openNursery(async (nursery) => { nursery.startSoon(fn, ...args) })`.
 * Same rules as {@link TaskGroup}: the block waits for every child, a failing child
 * cancels the others and the failures come out together as a `TaskGroupError`.
 *
 * @example
 * await openNursery(async (nursery) => {
 *   nursery.startSoon(child, 'one');
 *   nursery.startSoon(child, 'two');
 * });
 */
export function openNursery<T>(body: (nursery: Nursery) => T | PromiseLike<T>): Unfuture<T> {
  assertFunction('body', body);
  const group = new TaskGroup();
  const nursery: Nursery = {
    startSoon: (fn, ...args) => {
      assertFunction('fn', fn);
      return group.createTask(() => fn(...args));
    },
    cancel: (message) => group.cancel(message),
  };
  return group.run(() => body(nursery));
}
