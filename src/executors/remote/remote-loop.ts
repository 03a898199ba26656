/**
 * How a remote worker runs calls on its own event loop (the jobs ./worker-executors.ts
 * routes there): a call of a function that may wait (an `async function`, one that returned
 * a promise, or one not seen yet) as a library task, whose Unfuture is the task's own, so
 * what the call reports (`reportProgress`) and a cancel reach it directly; a call of a
 * function that returned a value at once before in a call scope, without a task
 * (./scoped-call.ts: on Node 20 and 22 a task costs every promise of the process while it
 * is pending).
 *
 * Why not `LoopExecutor` (../loop-executor.ts): the calls in a call scope are no tasks, and
 * one statistics section counts both kinds (two executors' time spreads cannot be merged
 * into one). For the tasks alone it would add work a job's call does not need (a second
 * Unfuture around the task, argument validation, a timeout check) and lacks what it does
 * need (noting a function that returned at once, counting `stoppedCooperatively`), so
 * handing the tasks to it saves little code here and adds work to every task call.
 */
import type { Unfuture } from '../../core/future';
import { onSettled } from '../../core/future-internal';
import { createTask } from '../../core/task';
import { isThenable } from '../../core/validate';
import type { ExecutorState, ExecutorStatistics } from '../executor';
import { epochNow } from '../engine/pool-call';
import type { RegisteredRef, RunObserver } from '../registry';
import { ExecutorCounters } from '../statistics';
import { endRunTiming, startRunTiming } from './run-timing';
import { startScopedCall } from './scoped-call';

/** The calls a remote worker runs on its loop, and their statistics (the shape of every executor's). */
export class RemoteLoop {
  readonly #counters = new ExecutorCounters();
  readonly #running = new Set<Unfuture<unknown>>();
  #state: ExecutorState = 'open';
  /**
   * The functions whose last call as a task returned a value at once (not a promise): their
   * calls run in a call scope. One that returns a promise there after all leaves the set.
   */
  readonly #returnsAtOnce = new WeakSet<Function>();

  /**
   * Start `ref.fn(...args)`: in a call scope if the function returned a value at once
   * before, else as a task. What it reports goes to `onProgress` (coalesced: see
   * `Unfuture.onProgress` and {@link startScopedCall}). A call ends cancelled only by
   * cooperating (a loop cannot be preempted), so each one counts as stopped cooperatively too.
   * `observer` (the function's routing) is told how its synchronous run went.
   */
  submit(ref: RegisteredRef, args: readonly unknown[], onProgress?: (value: unknown) => void, observer?: RunObserver): Unfuture<unknown> {
    const startedAt = epochNow();
    const fn = ref.fn;
    let future: Unfuture<unknown>;
    if (this.#returnsAtOnce.has(fn)) {
      future = startScopedCall(fn, args, { onProgress, onPromise: () => this.#returnsAtOnce.delete(fn), observer });
    } else {
      future = this.#asTask(fn, args, observer);
      if (onProgress !== undefined) future.onProgress(onProgress);
    }
    this.#running.add(future);
    this.#counters.waitTime.record(0);
    onSettled(future, () => {
      this.#running.delete(future);
      this.#counters.runTime.record(epochNow() - startedAt);
      if (future.cancelled()) {
        this.#counters.count('cancelled');
        this.#counters.stoppedCooperatively++;
      } else if (future.exception() !== null) this.#counters.count('failed');
      else this.#counters.count('completed');
    });
    return future;
  }

  /** Run `fn(...args)` as a task; note the function if it returns a value at once. */
  #asTask(fn: (...args: any[]) => unknown, args: readonly unknown[], observer: RunObserver | undefined): Unfuture<unknown> {
    return createTask(() => {
      const timing = startRunTiming(observer);
      let result: unknown;
      try {
        result = fn(...args);
      } catch (error) {
        endRunTiming(timing, 'loop', false);
        throw error;
      }
      const thenable = isThenable(result);
      endRunTiming(timing, 'loop', thenable);
      if (!thenable) this.#returnsAtOnce.add(fn);
      return result;
    });
  }

  /** Wait for the running calls to end. */
  async close(): Promise<void> {
    this.#state = 'closing';
    await Promise.all([...this.#running].map((task) => new Promise<void>((resolve) => onSettled(task, () => resolve()))));
    this.#state = 'closed';
  }

  statistics(): ExecutorStatistics {
    return this.#counters.snapshot('loop', this.#state, { workers: 0, queued: 0, running: this.#running.size });
  }
}
