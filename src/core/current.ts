/**
 * The one place that knows "which task is running now".
 *
 * `AsyncLocalStorage` carries the current task through awaits. Where it is built on
 * async_hooks (Node 20 and 22) it costs something on every promise of the process while it
 * is enabled, so it is enabled only by a task's first step, and disabled again once no task
 * is pending ({@link noTaskPending}): a program that never creates a task never pays for it,
 * and one that runs tasks now and then pays only while they run. `Unfuture.then` skips the
 * lookup entirely until the first task exists (`contextState.tasksEverCreated`). Where it is
 * built on AsyncContextFrame (Node >= 24) untouched code pays nothing and the storage stays
 * on. See docs/cancellation.md and docs/performance.md.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { setImmediate } from 'node:timers'; // not the global: test fake timers replace that

/**
 * What `Unfuture.then` needs from the task that is awaiting it. `F` is the future type
 * (`Unfuture<unknown>`); it is a parameter so that this module, which future.ts imports,
 * does not import future.ts back.
 */
export interface AwaitingTask<F> {
  /** True once the task has settled: its context then counts as no task at all. */
  done(): boolean;
  /**
   * Record that this task is now suspended on `future`, whose outcome reaches the body
   * through the then-child `via` (cancel the future, or interrupt `via`, when the task is
   * cancelled).
   */
  linkAwait(future: F, via?: F): void;
}

// (any: the future type is fixed by the two users, future.ts and task.ts)
export const taskStorage = new AsyncLocalStorage<AwaitingTask<any>>();

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
export function callIn<F, A, R>(task: AwaitingTask<F> | undefined, fn: (arg: A) => R, arg: A): R {
  if (!contextState.tasksEverCreated) return fn(arg);
  // A settled task's context is no task's (currentTask() is null in it, awaits link to
  // nothing): run outside any, without re-enabling a storage that noTaskPending disabled.
  if (task !== undefined && task.done()) task = undefined;
  if (taskStorage.getStore() === task) return fn(arg);
  return taskStorage.run(task as AwaitingTask<F>, fn, arg);
}

/*
 * Whether AsyncLocalStorage is built on AsyncContextFrame (Node >= 24 by default, Node 22
 * with --experimental-async-context-frame) rather than on async_hooks. Probed, not guessed
 * from the version (flags and NODE_OPTIONS can switch it either way): the frame-based
 * `run()` enters through `enterWith()`, the async_hooks one never calls it.
 */
function probeFrameBased(): boolean {
  const probe = new AsyncLocalStorage<number>();
  let entered = false;
  const enterWith = probe.enterWith;
  probe.enterWith = function (this: AsyncLocalStorage<number>, store: number): void {
    entered = true;
    enterWith.call(this, store);
  };
  // Inside a resource's scope, which restores the frame exactly when it ends: the frame-based
  // run() restores by entering yet another frame, and the probe's entry would stay in the
  // module loader's frame (and be copied into every frame made after it).
  new AsyncResource('unsync-probe').runInAsyncScope(() => probe.run(1, () => undefined));
  // The async_hooks run() enabled the probe, and with it the promise hook for the whole
  // process: switch it off again (the frame-based disable() has nothing left to remove).
  probe.disable();
  return entered;
}
const frameBased = probeFrameBased();

/**
 * Run `step(task)` as the first step of `task`, with `task` current. Only for the start
 * batch (a microtask job that starts tasks one after another, task.ts).
 *
 * With AsyncContextFrame, `run()` costs two frames (each a Map copied from the current
 * one): one to enter and one more to restore the previous value. Each task needs the first
 * (it is the task's context, kept by every promise its body makes) but not the second:
 * nothing runs after the step in this job except the next task's step, which enters its
 * own frame, and V8 resets the frame when the job ends. With async_hooks, `run()` enters
 * and restores by writing a property of the current resource (no allocation), and
 * `enterWith()` without a restore could leave the store on a resource outside this job,
 * so `run()` it is.
 */
export function runAsTask<F, R>(task: AwaitingTask<F>, step: (task: AwaitingTask<F>) => R): R {
  if (!frameBased) return taskStorage.run(task, step, task);
  taskStorage.enterWith(task);
  return step(task);
}

let idleCheckArmed = false;

/**
 * The last pending task has settled. With async_hooks-based storage, disable it if the
 * loop turns with no task pending (`anyPending()` false at the next check phase): its
 * promise hook then stops costing unrelated code. Every task it still holds is settled, and
 * a settled task's context counts as none (see {@link callIn}), so nothing changes but the
 * cost; the next task's first step enables it again (`run()` does). Checked a turn later,
 * not at once, so that code that creates one task after another does not switch the hook on
 * and off for each.
 */
export function noTaskPending(anyPending: () => boolean): void {
  if (frameBased || idleCheckArmed) return;
  idleCheckArmed = true;
  setImmediate(() => {
    idleCheckArmed = false;
    if (!anyPending()) taskStorage.disable();
  }).unref();
}

/** The task whose code is running now, or undefined. */
export function currentAwaitingTask<F>(): AwaitingTask<F> | undefined {
  return contextState.tasksEverCreated ? taskStorage.getStore() : undefined;
}
