/**
 * The loop executor: runs a registered function as a task on this thread's event loop.
 * It exists so the runtime can treat "run it here" like any other executor.
 */
import { InvalidStateError, TimeoutError, CancelledError, isCancelledError } from '../core/errors';
import { LocateError } from '../core/executor-errors';
import { Unfuture } from '../core/future';
import { cancelFuture, onSettled, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { emitProgress } from '../core/progress';
import { createTask } from '../core/task';
import { assertOptions, timerDelay } from '../core/validate';
import type { CloseOptions, Executor, ExecutorState, ExecutorStatistics, SubmitOptions } from './executor';
import { epochNow, validateSubmit } from './engine/pool-call';
import type { CallRef } from './protocol';
import { lookupRef, type RegisteredRef } from './registry';
import { ExecutorCounters } from './statistics';

/**
 * Runs calls as tasks on the event loop (`createTask`), in submission order.
 *
 * Cancellation is the task's: cancelling the Unfuture cancels the task (asyncio
 * semantics), and its progress (`reportProgress`) is the task's. A `timeout` cancels the task and fails the call with `TimeoutError`. Errors
 * are the function's own, untouched. `ref` may carry the function itself
 * (`RegisteredRef.fn`); otherwise it is looked up in this thread's registry (`LocateError`
 * if absent).
 *
 * @example
 * const loop = new LoopExecutor();
 * await loop.submit(unsyncRegister(add), [1, 2]); // 3
 */
export class LoopExecutor implements Executor {
  readonly kind = 'loop' as const;
  // Invariant: moves only open -> closing -> closed.
  #state: ExecutorState = 'open';
  readonly #running = new Set<Unfuture<unknown>>();
  readonly #counters = new ExecutorCounters();
  #closed: Promise<void> | undefined = undefined;

  /** Run `ref` with `args` as a task; see the class comment. */
  submit<T>(ref: CallRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<T> {
    validateSubmit(ref, args, options);
    if (this.#state !== 'open') throw new InvalidStateError(`the loop executor is ${this.#state}`);
    const fn = (ref as Partial<RegisteredRef>).fn ?? lookupRef(ref)?.fn;
    if (fn === undefined) {
      throw new LocateError(`\`${ref.name}\` is not registered in ${ref.file}`, { file: ref.file, qualifiedName: ref.name });
    }
    const submittedAt = epochNow();
    let startedAt = submittedAt;
    const task = createTask(
      () => {
        startedAt = epochNow();
        this.#counters.waitTime.record(startedAt - submittedAt);
        return fn(...args) as T | PromiseLike<T>;
      },
      options?.name === undefined ? undefined : { name: options.name },
    );
    let timedOut = false;
    const timeout = options?.timeout;
    const timer =
      timeout != null && timeout !== Infinity
        ? setTimeout(() => {
            timedOut = true;
            task.cancel(`\`${ref.name}\` timed out after ${timeout} ms`);
          }, timerDelay(timeout))
        : undefined;
    const result = pendingFuture<T>({ executor: 'loop', name: task.getName(), onCancel: (message) => task.cancel(message) });
    this.#running.add(result as Unfuture<unknown>);
    // What the task reports (`reportProgress`) reaches the caller's Unfuture: the task's last
    // value is delivered when the task settles, before the callback below settles `result`.
    task.onProgress((value) => emitProgress(result, value));
    onSettled(task, () => {
      if (timer !== undefined) clearTimeout(timer);
      this.#running.delete(result as Unfuture<unknown>);
      this.#counters.runTime.record(epochNow() - startedAt);
      if (task.cancelled()) {
        const cancelled = safeException(task) as CancelledError;
        if (timedOut) {
          this.#counters.count('failed');
          rejectFuture(result, new TimeoutError(cancelled.message, { cause: cancelled }));
        } else {
          this.#counters.count('cancelled');
          cancelFuture(result, isCancelledError(cancelled) ? cancelled : undefined);
        }
      } else if (task.exception() !== null) {
        this.#counters.count('failed');
        rejectFuture(result, task.exception());
      } else {
        this.#counters.count('completed');
        resolveFuture(result, task.result());
      }
    });
    return result;
  }

  /** Stop accepting calls and wait for running ones (`force`/`cancelPending` cancel them). */
  close(options?: CloseOptions): Promise<void> {
    assertOptions('options', options, ['force', 'cancelPending']);
    if (options?.force || options?.cancelPending) for (const f of this.#running) f.cancel('the loop executor was closed');
    if (this.#closed === undefined) {
      if (this.#state === 'open') this.#state = 'closing';
      const pending = [...this.#running].map((f) => new Promise<void>((resolve) => onSettled(f, () => resolve())));
      this.#closed = Promise.all(pending).then(() => {
        this.#state = 'closed';
      });
    }
    return this.#closed;
  }

  /** A plain frozen snapshot. Tasks start on the next microtask, so nothing is ever "queued". */
  statistics(): ExecutorStatistics {
    return this.#counters.snapshot('loop', this.#state, { workers: 0, queued: 0, running: this.#running.size });
  }
}

function safeException(f: Unfuture<unknown>): unknown {
  try {
    return f.exception();
  } catch (error) {
    return error;
  }
}
