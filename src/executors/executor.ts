/**
 * The one interface every executor implements: the event loop (`loop`), the thread pool
 * (`thread`), the process pool (`process`), and later the remote executor. The runtime
 * knows executors only through it (see docs/executors.md).
 */
import type { ExecutorKind, Unfuture } from '../core/future';
import type { CallRef } from './protocol';
import type { UnsyncStream } from './unsync-stream';

/** Per-call options accepted by every executor. */
export interface SubmitOptions {
  /**
   * Milliseconds before the call is stopped (cancelled where it runs) and its future fails
   * with `TimeoutError`. `null`/`undefined`: no limit.
   */
  timeout?: number | null;
  /** Name of the returned Unfuture (default `Future-N`). */
  name?: string;
  /**
   * Called once, before the Unfuture settles, with how long the worker ran the call by its
   * own clock, when a worker answered (a value or an error). Not called for a call that was
   * cancelled, timed out, or lost with its worker (no worker measured it), nor by the loop
   * executor. The decorator's measured evidence is one such observer; any caller may pass
   * one. An observer that throws fails nothing: the error is dropped.
   */
  onRun?: (run: PoolRun) => void;
  /**
   * Ask the worker to measure the call's CPU time (a thread or process pool): `onRun` then
   * gets {@link PoolRun.cpuMs} and {@link PoolRun.preemptedMs} where the worker can tell.
   * Default false: reading the clocks costs about a microsecond, which a tiny call notices.
   */
  cpuTime?: boolean;
}

/**
 * How long a worker ran one call, by its own clock, and whether that run was cold (see
 * {@link SubmitOptions.onRun}); the parent-side `future.timing` also counts the queue, the
 * message round trip and a new worker's startup.
 */
export interface PoolRun {
  /** From the worker starting the call to its end (ms), as the worker measured it. */
  readonly runMs: number;
  /**
   * True when this was the worker's first call into the function's module (or the worker is
   * unknown): `runMs` then includes loading that module in the worker, not only the call.
   */
  readonly cold: boolean;
  /** True when the function returned a promise, which the worker awaited (it is async in fact). */
  readonly thenable: boolean;
  /**
   * CPU time (ms) the worker's thread spent in the run, when the call asked for it
   * ({@link SubmitOptions.cpuTime}) and the worker could measure it: `process.threadCpuUsage()`,
   * in a child process without it `process.cpuUsage()`, on Node 20 threads (Linux) the
   * thread's schedstat when exact. Absent for a run that returned a promise.
   */
  readonly cpuMs?: number;
  /** Time (ms) the run was preempted (runnable, waiting for a core), when asked and known (Linux). */
  readonly preemptedMs?: number;
}

/** Per-call options of a stream call (a generator function run by a pool). */
export interface StreamOptions extends SubmitOptions {
  /** Values the worker may run ahead of the consumer (default 16; an integer >= 1). */
  highWaterMark?: number;
}

/** Options of {@link Executor.close}. */
export interface CloseOptions {
  /** Cancel every call, running ones included (their workers are stopped). Default false. */
  force?: boolean;
  /** Cancel calls that have not started yet; running ones finish. Default false. */
  cancelPending?: boolean;
}

/** Count and spread of a duration, in milliseconds. Zeroes when `count` is 0. */
export interface DurationSummary {
  /** How many durations were recorded. */
  readonly count: number;
  /** Their mean (ms). */
  readonly mean: number;
  /** The shortest (ms). */
  readonly min: number;
  /** The longest (ms). */
  readonly max: number;
}

/** A snapshot of one executor (a plain frozen object). */
export interface ExecutorStatistics {
  /** Which executor this is. */
  readonly executor: ExecutorKind;
  /** `'open'`, `'closing'` (close() called, calls still finishing) or `'closed'`. */
  readonly state: ExecutorState;
  /**
   * Live workers: child processes (idle ones included) for the process pool; for the thread
   * pool, threads serving this executor (a thread idle for 250 ms ends its session and goes
   * back to piscina, which keeps it warm until `idleTimeout` without it being counted here);
   * 0 for the loop.
   */
  readonly workers: number;
  /** Calls waiting for a worker. */
  readonly queued: number;
  /** Calls handed to a worker and not finished. */
  readonly running: number;
  /** Calls that ended with a value. */
  readonly completed: number;
  /** Calls that failed (the function threw, the worker crashed, a timeout, a clone or locate error). */
  readonly failed: number;
  /** Calls that ended cancelled (timed-out calls count under `failed`, with `TimeoutError`). */
  readonly cancelled: number;
  /**
   * Running calls that were cancelled (or timed out) and stopped on their own within the
   * pool's `cancelGrace`, so their worker was kept. 0 for the loop.
   */
  readonly stoppedCooperatively: number;
  /**
   * Workers terminated (thread) or killed (process) because a call asked to stop did not
   * end within `cancelGrace` (or `cancelGrace` is 0). 0 for the loop.
   */
  readonly terminatedForCancel: number;
  /** From submit to the worker starting the call, over finished calls. */
  readonly waitTime: DurationSummary;
  /** From the worker starting the call to its end, over finished calls. */
  readonly runTime: DurationSummary;
}

/** The lifecycle of an executor: `open` -> `closing` -> `closed`, one way. */
export type ExecutorState = 'open' | 'closing' | 'closed';

/**
 * Runs calls somewhere. `submit` never throws for a call that fails where it runs: the
 * failure arrives through the Unfuture. It throws `InvalidStateError` once the executor is
 * closing or closed (the runtime then makes a fresh one).
 */
export interface Executor {
  /** Where calls run: `'loop'`, `'thread'`, `'process'`. Also each Unfuture's `executor`. */
  readonly kind: ExecutorKind;
  /**
   * Run the function `ref` names with `args`. Cancelling the returned Unfuture removes a
   * queued call, or stops a running one (the worker is terminated and replaced).
   */
  submit<T>(ref: CallRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<T>;
  /**
   * Run the generator function `ref` names with `args` as a stream of what it yields
   * (pools only). Cancelling the stream, or leaving its loop early, stops the generator.
   */
  stream?<T>(ref: CallRef, args: readonly unknown[], options?: StreamOptions): UnsyncStream<T>;
  /**
   * Stop accepting calls, then finish (or cancel, per `options`) the ones already
   * submitted and release the workers. Idempotent: later calls return the same promise.
   */
  close(options?: CloseOptions): Promise<void>;
  /** A plain frozen snapshot. */
  statistics(): ExecutorStatistics;
}
