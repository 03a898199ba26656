/**
 * How a remote worker runs calls on its own event loop (`startWorker({ executor: 'loop' })`):
 * each call a library task whose Unfuture is the task's own, so what the call reports
 * (`reportProgress`) and a cancel reach it directly. (`LoopExecutor` hands back a second
 * Unfuture that settles with the task's and does not carry its progress.)
 */
import type { Unfuture } from '../../core/future';
import { onSettled } from '../../core/future-internal';
import { createTask } from '../../core/task';
import type { ExecutorState, ExecutorStatistics } from '../executor';
import { epochNow } from '../engine/pool-call';
import type { RegisteredRef } from '../registry';
import { ExecutorCounters } from '../statistics';

/** The calls a remote worker runs on its loop, and their statistics (the shape of every executor's). */
export class RemoteLoop {
  readonly #counters = new ExecutorCounters();
  readonly #running = new Set<Unfuture<unknown>>();
  #state: ExecutorState = 'open';

  /**
   * Start `ref.fn(...args)` as a task. A task ends cancelled only by cooperating (a loop
   * cannot be preempted), so each one counts as stopped cooperatively too.
   */
  submit(ref: RegisteredRef, args: readonly unknown[]): Unfuture<unknown> {
    const startedAt = epochNow();
    const task = createTask(() => ref.fn(...args));
    this.#running.add(task);
    this.#counters.waitTime.record(0);
    onSettled(task, () => {
      this.#running.delete(task);
      this.#counters.runTime.record(epochNow() - startedAt);
      if (task.cancelled()) {
        this.#counters.count('cancelled');
        this.#counters.stoppedCooperatively++;
      } else if (task.exception() !== null) this.#counters.count('failed');
      else this.#counters.count('completed');
    });
    return task;
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
