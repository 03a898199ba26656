/**
 * The process executor: the pool engine (./engine/pool-engine.ts) over the process link
 * (./links/process/process-link.ts): child processes made with `child_process.fork`,
 * running registered functions by reference (docs/executors.md, docs/engine.md).
 */
import type { Unfuture } from '../core/future';
import type { CloseOptions, Executor, ExecutorStatistics, StreamOptions, SubmitOptions } from './executor';
import type { UnsyncStream } from './unsync-stream';
import { PoolEngine } from './engine/pool-engine';
import { resolveProcessPoolOptions, type ProcessPoolOptions } from './engine/pool-options';
import type { ProcessChild } from './links/process/process-child';
import { ProcessLink } from './links/process/process-link';
import type { CallRef } from './protocol';

/**
 * A pool of child processes running registered functions by reference.
 *
 * Created lazily by the runtime (`toProcess`, `@unsync({ executor: 'process' })`); construct
 * one yourself only for a pool with its own settings. Children start on the first call;
 * idle children never keep the parent alive, and exit by themselves if the parent dies.
 *
 * Ordering: calls start in submission order (FIFO). Cancellation: a call that has not
 * started is removed and never starts; a running call is asked to stop (`checkpoint()`,
 * `currentSignal()`), and its child is killed (a `while (true)` loop included) and
 * replaced only if it has not stopped within `cancelGrace`; its Unfuture ends cancelled
 * once it has stopped. Errors: what the function throws comes back whole (see
 * docs/executors.md); a child that dies mid-call fails that call only, with
 * `WorkerCrashedError` (`exitCode` or `signal`); unclonable arguments or results fail with
 * `CloneError`.
 *
 * @example
 * const pool = new ProcessExecutor({ maxWorkers: 2 });
 * console.log(await pool.submit<number>(unsyncRegister(fib), [30])); // 832040
 * await pool.close();
 */
export class ProcessExecutor implements Executor {
  readonly kind = 'process' as const;
  readonly #engine: PoolEngine<ProcessChild>;
  readonly #link: ProcessLink;

  constructor(options?: ProcessPoolOptions) {
    const o = resolveProcessPoolOptions(options, 'options');
    let link!: ProcessLink;
    const settings = { kind: 'process', maxWorkers: o.maxWorkers, minWorkers: o.minWorkers, maxTasksPerWorker: o.maxTasksPerWorker, cancelGrace: o.cancelGrace, callerStacks: o.callerStacks, maxQueue: o.maxQueue } as const;
    this.#engine = new PoolEngine<ProcessChild>(settings, (events, engine) => (link = new ProcessLink(events, engine, o)));
    this.#link = link;
  }

  /**
   * Run `ref` in a child process with `args`; see the class comment for ordering,
   * cancellation and errors. Throws `TypeError` for bad arguments and `InvalidStateError`
   * once closing.
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
   * Stop accepting calls, let the submitted ones finish (or cancel the ones not started
   * with `cancelPending`, every one with `force`), then let the children exit. Idempotent;
   * a later call with `force` still cancels what is left.
   */
  close(options?: CloseOptions): Promise<void> {
    return this.#engine.close(options);
  }

  /**
   * Have a child process ready for a call: true when one is idle and ready now (a call submitted
   * now starts at once); otherwise false, after starting one when there is room, nothing is
   * queued and none is starting, so that a call made a little later finds it ready. The
   * decorator's thread/process comparison sends a call to the other pool only when this says
   * true, so no call waits for a worker's startup to be measured.
   */
  warmUp(): boolean {
    return this.#engine.warmUp();
  }

  /** A plain frozen snapshot of the pool (see `ExecutorStatistics`). */
  statistics(): ExecutorStatistics {
    return this.#engine.statistics();
  }

  /**
   * The process ids of the pool's live child processes (read-only; a fresh array). The
   * benchmark harness reads their CPU time and memory from `/proc` with them.
   */
  childPids(): number[] {
    return this.#link.childPids();
  }
}
