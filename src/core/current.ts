/**
 * The one place that knows "which task is running now".
 *
 * `AsyncLocalStorage` carries the current task through awaits. Where it is built on
 * async_hooks (Node 20 and 22) it costs something on every promise of the process while it
 * is enabled, so it is enabled only by a task's first step, and disabled again once no task
 * has been pending for a moment ({@link noTaskPending}): a program that never creates a task
 * never pays for it, and one that runs tasks now and then pays only while they run (and
 * {@link IDLE_DISABLE_MS} after). `Unfuture.then` skips the lookup entirely until the
 * first task exists (`contextState.tasksEverCreated`). Where it is
 * built on AsyncContextFrame (Node >= 24) untouched code pays nothing and the storage stays
 * on. See docs/cancellation.md and docs/performance.md.
 */
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { setTimeout } from 'node:timers'; // not the global: test fake timers replace that

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

/*
 * The scope the tasks of the current start batch enter their frames from (frame-based
 * storage only, and only for a batch of more than one task): an AsyncResource made at the
 * start of the batch, so it holds the frame the batch job runs in.
 */
let startScope: AsyncResource | undefined;

/**
 * A start batch of `count` tasks begins (task.ts's start queue calls this before the first
 * of them). See {@link runAsTask}.
 */
export function beginTaskStarts(count: number): void {
  // (Destroyed when collected: async_hooks users that track resources see it end.)
  startScope = frameBased && count > 1 ? new AsyncResource('unsync-task-start') : undefined;
}

/**
 * Run `step(task)` as the first step of `task`, with `task` current. Only for the start
 * batch (a microtask job that starts tasks one after another, task.ts), after
 * {@link beginTaskStarts}.
 *
 * With AsyncContextFrame, `run()` costs two frames (each a Map copied from the current
 * one): one to enter and one more to restore the previous value. Each task needs the first
 * (it is the task's context, kept by every promise its body makes) but not the second:
 * `enterWith()` makes only the first. Copying the current frame is the expensive part:
 * Node copies it entry by entry through the iterator protocol (an iterator, a result and
 * an entry array per entry, ~190 bytes and ~60 ns for a frame holding one store). So
 * every task of a batch enters its frame from the batch's own frame (usually empty when
 * tasks are made outside any task), not from the frame the previous task left behind:
 * `runInAsyncScope` of the batch's resource enters that frame, and puts it back afterwards
 * without making one. A batch of one task needs no scope: V8 resets the frame when the
 * job ends. With async_hooks, `run()` enters and restores by writing a property of the
 * current resource (no allocation), and `enterWith()` without a restore could leave the
 * store on a resource outside this job, so `run()` it is.
 */
export function runAsTask<F, R>(task: AwaitingTask<F>, step: (task: AwaitingTask<F>) => R): R {
  if (!frameBased) return taskStorage.run(task, step, task);
  const scope = startScope;
  if (scope === undefined) return enterAndStep.call(step, task) as R;
  // (`step` travels as `this`: one argument less in the array `runInAsyncScope` collects)
  return scope.runInAsyncScope(enterAndStep, step, task) as R;
}

function enterAndStep<F, R>(this: (task: AwaitingTask<F>) => R, task: AwaitingTask<F>): R {
  taskStorage.enterWith(task);
  return this(task);
}

let idleCheckArmed = false;

/**
 * How long the async_hooks-based storage stays enabled after the last pending task settled
 * (ms), when no other task came meanwhile. Enabling and disabling it switches the process's
 * promise hook (about 5-10 µs of CPU each way on Node 20); a program whose tasks come one
 * after another with gaps (a server, a remote worker at one job in flight) would otherwise
 * pay that for every task. The storage is switched at most once per window.
 */
export const IDLE_DISABLE_MS = 20;

/**
 * The last pending task has settled. With async_hooks-based storage, disable it if no task
 * is pending {@link IDLE_DISABLE_MS} later: its promise hook then stops costing unrelated
 * code. Every task it still holds is settled, and a settled task's context counts as none
 * (see {@link callIn}), so nothing changes but the cost; the next task's first step enables
 * it again (`run()` does). A check that finds tasks pending does nothing: the next time the
 * last of them settles arms another.
 */
export function noTaskPending(anyPending: () => boolean): void {
  if (frameBased || idleCheckArmed) return;
  idleCheckArmed = true;
  setTimeout(() => {
    idleCheckArmed = false;
    if (!anyPending()) taskStorage.disable();
  }, IDLE_DISABLE_MS).unref();
}

/** The task whose code is running now, or undefined. */
export function currentAwaitingTask<F>(): AwaitingTask<F> | undefined {
  return contextState.tasksEverCreated ? taskStorage.getStore() : undefined;
}
