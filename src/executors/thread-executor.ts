/**
 * The thread executor: worker threads on piscina (the only file that imports piscina).
 *
 * Calls wait in this executor's own FIFO and are handed to piscina only when a thread is
 * free (at most `maxWorkers` at once, one per thread). That keeps three promises simple:
 * a queued call is really not started, so cancelling it just removes it; a running call is
 * alone on its thread, so stopping it (piscina's abort signal terminates the thread) or a
 * crash of that thread never takes another call down; and `statistics()` can tell queued
 * from running. piscina itself creates threads lazily, replaces dead ones, and unrefs idle
 * ones so an idle pool never keeps the process alive.
 */
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { CloneError, InvalidStateError, WorkerCrashedError, CancelledError } from '../core/errors';
import type { Unfuture } from '../core/future';
import { debugState } from '../runtime/debug';
import type { CloseOptions, Executor, ExecutorState, ExecutorStatistics, SubmitOptions } from './executor';
import { resolveThreadPoolOptions, type ResolvedThreadPoolOptions, type ThreadPoolOptions } from './pool-options';
import { PoolCall, validateSubmit } from './pool-call';
import type { CallOutcome, CallRef } from './protocol';
import { argumentCloneError } from './serialization';
import { ExecutorCounters } from './statistics';
import { assertOptions } from '../core/validate';

/**
 * Calls handed to piscina per thread. Kept at 1: with a second call waiting in piscina's
 * own queue (measured ~2x faster on tiny calls), a thread terminated by a cancellation is
 * not replaced when `minThreads` is 0 and that waiting call hangs (piscina only refills to
 * `minThreads`). See docs/executors.md, "what is left".
 */
const DISPATCH_DEPTH = 1;

/** The worker entry, shipped next to this file in `src/` and `dist/`. */
export const BOOTSTRAP_FILE = path.join(__dirname, 'bootstrap.cjs');

/**
 * A pool of worker threads running registered functions by reference.
 *
 * Created lazily by the runtime (`toThread`, `@unsync({ executor: 'thread' })`); construct
 * one yourself only for a pool with its own settings. Threads start on the first call.
 *
 * Ordering: calls start in submission order (FIFO). Cancellation: a queued call is removed
 * and never starts; a running call's thread is terminated (a `while (true)` loop included)
 * and replaced, and its Unfuture ends cancelled. Errors: what the function throws comes back
 * whole (see docs/executors.md); a thread that dies mid-call fails that call only, with
 * `WorkerCrashedError`; unclonable arguments or results fail with `CloneError`.
 *
 * @example
 * const pool = new ThreadExecutor({ maxWorkers: 2 });
 * const f = pool.submit<number>(unsyncRegister(fib), [30]);
 * console.log(await f); // 832040
 * await pool.close();
 */
export class ThreadExecutor implements Executor {
  readonly kind = 'thread' as const;
  readonly #options: ResolvedThreadPoolOptions;
  // Invariant: moves only open -> closing -> closed; submit() is refused unless open.
  #state: ExecutorState = 'open';
  // Created on the first call; undefined again once closed.
  #pool: Piscina | undefined = undefined;
  // FIFO of calls not handed to piscina. Cancelled entries stay (state 'done') and are
  // skipped when reached; #queued counts the live ones.
  #queue: PoolCall[] = [];
  #head = 0;
  #queued = 0;
  // Invariant: exactly the calls handed to piscina and not yet answered; size <= maxWorkers.
  readonly #running = new Set<PoolCall>();
  readonly #counters = new ExecutorCounters();
  #closed: Promise<void> | undefined = undefined;
  #onIdle: (() => void) | undefined = undefined;

  constructor(options?: ThreadPoolOptions) {
    this.#options = resolveThreadPoolOptions(options, 'options');
  }

  /**
   * Run `ref` on a thread with `args`; see the class comment for ordering, cancellation
   * and errors. Throws `TypeError` for bad arguments and `InvalidStateError` once closing.
   */
  submit<T>(ref: CallRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<T> {
    validateSubmit(ref, args, options);
    if (this.#state !== 'open') throw new InvalidStateError(`the thread executor is ${this.#state}; a new one is made after shutdown()`);
    const call = new PoolCall<T>('thread', ref, args, options, (c, message) => this.#cancel(c, message), this.submit);
    this.#queue.push(call as PoolCall);
    this.#queued++;
    this.#pump();
    return call.future;
  }

  /**
   * Stop accepting calls, let the submitted ones finish (or cancel queued ones with
   * `cancelPending`, every one with `force`), then terminate the threads. Idempotent; a
   * later call with `force` still cancels what is left.
   */
  close(options?: CloseOptions): Promise<void> {
    assertOptions('options', options, ['force', 'cancelPending']);
    if (options?.force || options?.cancelPending) this.#cancelQueued('the thread executor was closed');
    if (options?.force) for (const call of [...this.#running]) call.future.cancel('the thread executor was closed');
    if (this.#closed === undefined) {
      if (this.#state === 'open') this.#state = 'closing';
      this.#closed = this.#drain().then(async () => {
        const pool = this.#pool;
        this.#pool = undefined;
        await pool?.destroy();
        this.#state = 'closed';
      });
    }
    return this.#closed;
  }

  /** A plain frozen snapshot of the pool (see `ExecutorStatistics`). */
  statistics(): ExecutorStatistics {
    return this.#counters.snapshot('thread', this.#state, {
      workers: this.#pool?.threads.length ?? 0,
      queued: this.#queued,
      running: this.#running.size,
    });
  }

  // ---- private steps -------------------------------------------------------------

  #ensurePool(): Piscina {
    if (this.#pool !== undefined) return this.#pool;
    const o = this.#options;
    const pool = new Piscina({
      filename: BOOTSTRAP_FILE,
      minThreads: o.minWorkers,
      maxThreads: o.maxWorkers,
      idleTimeout: o.idleTimeout,
      // One call per thread: a crash or a cancellation must take down only its own call.
      concurrentTasksPerWorker: 1,
      // The thread sleeps in Atomics.wait between calls and picks the next one up without
      // an event-loop turn (measured in benchmarks/executors-threads.ts).
      atomics: 'sync',
      resourceLimits: o.resourceLimits,
      execArgv: o.execArgv,
      env: o.env,
      recordTiming: false,
    });
    // piscina emits 'error' for a thread that dies with no call on it (e.g. a timer that
    // throws after its call returned). An unhandled 'error' event would kill the process.
    pool.on('error', (error: unknown) => {
      if (debugState.enabled) debugState.logger.warn('unsync: a worker thread crashed between calls', error);
    });
    this.#pool = pool;
    return pool;
  }

  #pump(): void {
    while (this.#queued > 0 && this.#running.size < this.#options.maxWorkers * DISPATCH_DEPTH) {
      const call = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as never;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (call.state !== 'queued') continue;
      this.#queued--;
      this.#start(call);
    }
  }

  #start(call: PoolCall): void {
    this.#running.add(call);
    call.markRunning();
    const abort = (call.stopHandle = new AbortController());
    this.#ensurePool()
      .run(call.message(), { signal: abort.signal })
      .then(
        (outcome: CallOutcome) => this.#finished(call, outcome, undefined),
        (error: unknown) => this.#finished(call, undefined, error),
      );
  }

  #finished(call: PoolCall, outcome: CallOutcome | undefined, error: unknown): void {
    this.#running.delete(call);
    if (outcome !== undefined) call.settleOutcome(outcome, this.#counters);
    else if (call.stopRequested) call.settleStopped(this.#counters);
    else call.fail(this.#failure(call, error), this.#counters);
    this.#pump();
    this.#checkIdle();
  }

  #cancel(call: PoolCall, message: string | undefined): void {
    if (call.state === 'queued') {
      this.#queued--;
      call.settleStopped(this.#counters);
      this.#checkIdle();
    } else if (call.state === 'running') {
      call.stopRequested = true;
      // piscina rejects the run with an AbortError and terminates the thread; #finished
      // then settles the call as cancelled and the next queued call takes the slot.
      call.stopHandle?.abort(new CancelledError(message));
    }
  }

  #cancelQueued(message: string): void {
    for (let i = this.#head; i < this.#queue.length; i++) {
      const call = this.#queue[i];
      if (call !== undefined && call.state === 'queued') call.future.cancel(message);
    }
  }

  /** Turn a rejection from piscina (no outcome message) into the error the caller sees. */
  #failure(call: PoolCall, error: unknown): Error {
    const name = call.ref.name;
    const e = error as { name?: unknown; message?: unknown; code?: unknown } | undefined;
    const message = typeof e?.message === 'string' ? e.message : String(error);
    if (e?.name === 'DataCloneError') {
      return (
        argumentCloneError(name, call.args) ??
        new CloneError(`a value of \`${name}\` cannot be cloned: ${message}`, 'argument', { cause: error })
      );
    }
    const exited = /worker exited with code: (-?\d+)/.exec(message);
    if (exited !== null) {
      const exitCode = Number(exited[1]);
      return new WorkerCrashedError(`the worker thread running \`${name}\` exited with code ${exitCode}`, { exitCode });
    }
    if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      return new WorkerCrashedError(`the worker thread running \`${name}\` ran out of memory (resourceLimits): ${message}`, { cause: error });
    }
    return new WorkerCrashedError(`the worker thread running \`${name}\` crashed: ${message}`, { cause: error });
  }

  #drain(): Promise<void> {
    if (this.#queued === 0 && this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  #checkIdle(): void {
    if (this.#onIdle !== undefined && this.#queued === 0 && this.#running.size === 0) {
      const resolve = this.#onIdle;
      this.#onIdle = undefined;
      resolve();
    }
  }
}
