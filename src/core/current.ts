/**
 * The one place that knows "which task is running now".
 *
 * `AsyncLocalStorage` carries the current task through awaits. On Node 20 it costs
 * something on every promise once it has been entered, so it is entered only by
 * `createTask`/`run`: a program that never creates a task never pays for it, and
 * `Unfuture.then` skips the lookup entirely until the first task exists
 * (`contextState.tasksEverCreated`). See docs/cancellation.md.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Unfuture } from './future';

/** What `Unfuture.then` needs from the task that is awaiting it. */
export interface AwaitingTask {
  /**
   * Record that this task is now suspended on `future`, whose outcome reaches the body
   * through the then-child `via` (cancel the future, or interrupt `via`, when the task is
   * cancelled).
   */
  linkAwait(future: Unfuture<unknown>, via?: Unfuture<unknown>): void;
}

export const taskStorage = new AsyncLocalStorage<AwaitingTask>();

/** Mutable module state (an object so every importer sees the same live values). */
export const contextState = {
  /** Set by the first `createTask`; until then `then()` never touches the storage. */
  tasksEverCreated: false,
};

/**
 * Run `fn(arg)` in the task context `task` (undefined: outside any task), as a native
 * promise runs a reaction in the context its `then` was called in. Enters the storage
 * only when the context differs from the current one.
 */
export function callIn<A, R>(task: AwaitingTask | undefined, fn: (arg: A) => R, arg: A): R {
  if (!contextState.tasksEverCreated || taskStorage.getStore() === task) return fn(arg);
  return taskStorage.run(task as AwaitingTask, fn, arg);
}

/** The task whose code is running now, or undefined. */
export function currentAwaitingTask(): AwaitingTask | undefined {
  return contextState.tasksEverCreated ? taskStorage.getStore() : undefined;
}
