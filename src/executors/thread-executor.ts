/**
 * The thread executor: the pool engine (./engine/pool-engine.ts) over the thread link
 * (./links/thread/thread-link.ts). piscina owns the worker threads; each of this
 * executor's workers is a piscina session serving our protocol (docs/executors.md,
 * "Thread pool design"; docs/engine.md).
 */
import type { Unfuture } from '../core/future';
import type { CloseOptions, Executor, ExecutorStatistics, StreamOptions, SubmitOptions } from './executor';
import type { UnsyncStream } from './unsync-stream';
import { PoolEngine } from './engine/pool-engine';
import { resolveThreadPoolOptions, resolveThreadTuning, type ThreadPoolOptions, type ThreadTuning } from './engine/pool-options';
import { CELLS, type Thread } from './links/thread/piscina-sessions';
import { ThreadLink } from './links/thread/thread-link';
import type { CallRef } from './protocol';

export { BOOTSTRAP_FILE } from './links/thread/piscina-sessions';
export { SESSION_IDLE_MS } from './links/thread/thread-link';

/**
 * Calls sent to one thread at a time (running + waiting in its port). 2 removes the idle
 * round trip between calls; deeper saves a few µs per call only with many tiny calls in
 * flight and adds head-of-line waiting behind a long call
 * (benchmarks/executors-thread-settings.ts).
 */
export const PIPELINE_DEPTH = 2;

/**
 * Calls sent to one thread at a time once the pool's calls are known to be tiny (mean run
 * under `TINY_RUN_MS`): many tiny calls in flight then leave several to a message, and a
 * thread seldom waits for its next; a call that turns out long holds at most this many
 * behind it (benchmarks/executors-threads.ts --tiny, docs/performance.md).
 */
export const TINY_PIPELINE_DEPTH = 32;

/**
 * A pool of worker threads running registered functions by reference.
 *
 * Created lazily by the runtime (`toThread`, `@unsync({ executor: 'thread' })`); construct
 * one yourself only for a pool with its own settings. Threads start on the first call.
 *
 * Ordering: calls start in submission order (FIFO). Cancellation: a call that has not
 * started is removed and never starts; a running call is asked to stop (`checkpoint()`,
 * `currentSignal()`) and its thread is terminated and replaced only if it has not stopped
 * within `cancelGrace`; its Unfuture ends cancelled once it has stopped. Errors: what the
 * function throws comes back whole (see docs/executors.md); a thread that dies mid-call
 * fails that call only, with `WorkerCrashedError`; unclonable arguments or results fail
 * with `CloneError`. `future.resultSync(ms)` blocks for a call of this pool.
 *
 * @example
 * const pool = new ThreadExecutor({ maxWorkers: 2 });
 * const f = pool.submit<number>(unsyncRegister(fib), [30]);
 * console.log(await f); // 832040
 * await pool.close();
 */
export class ThreadExecutor implements Executor {
  readonly kind = 'thread' as const;
  readonly #engine: PoolEngine<Thread>;

  /** `tuning` is internal: it exists for benchmarks/executors-thread-settings.ts (see `ThreadTuning`). */
  constructor(options?: ThreadPoolOptions, /** @internal */ tuning?: ThreadTuning) {
    const o = resolveThreadPoolOptions(options, 'options');
    const t = resolveThreadTuning(tuning, PIPELINE_DEPTH, TINY_PIPELINE_DEPTH, CELLS - 1);
    // minWorkers: piscina keeps that many threads warm itself; sessions start on demand.
    const settings = { kind: 'thread', maxWorkers: o.maxWorkers, minWorkers: 0, maxTasksPerWorker: Infinity, cancelGrace: o.cancelGrace, callerStacks: o.callerStacks, maxQueue: o.maxQueue } as const;
    this.#engine = new PoolEngine<Thread>(settings, (events, engine) => new ThreadLink(events, engine, o, t));
  }

  /**
   * Run `ref` on a thread with `args`; see the class comment for ordering, cancellation
   * and errors. Throws `TypeError` for bad arguments and `InvalidStateError` once closing.
   */
  submit<T>(ref: CallRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<T> {
    return this.#engine.submit<T>(ref, args, options, this.submit);
  }

  /**
   * Run the generator function `ref` names with `args` in a worker, as a stream of what it
   * yields: at most `highWaterMark` values (default 16) ahead of the consumer. Leaving the
   * `for await` loop early or `cancel()` stops the generator there (its `finally` runs).
   */
  stream<T>(ref: CallRef, args: readonly unknown[], options?: StreamOptions): UnsyncStream<T> {
    return this.#engine.stream<T>(ref, args, options, this.stream);
  }

  /**
   * Stop accepting calls, let the submitted ones finish (or cancel queued ones with
   * `cancelPending`, every one with `force`), then end the sessions and destroy the
   * threads. Idempotent; a later call with `force` still cancels what is left.
   */
  close(options?: CloseOptions): Promise<void> {
    return this.#engine.close(options);
  }

  /**
   * Have a thread ready for a call: true when one is idle and ready now (a call submitted
   * now starts at once); otherwise false, after starting one when there is room, nothing is
   * queued and none is starting, so that a call made a little later finds it ready. The
   * decorator's thread/process comparison sends a call to the other pool only when this says
   * true, so no call waits for a worker's startup to be measured.
   */
  warmUp(): boolean {
    return this.#engine.warmUp();
  }

  /**
   * A plain frozen snapshot of the pool (see `ExecutorStatistics`). `running` counts the
   * call at the head of each thread (running or about to); calls waiting behind it in the
   * thread's pipeline count as queued.
   */
  statistics(): ExecutorStatistics {
    return this.#engine.statistics();
  }
}
