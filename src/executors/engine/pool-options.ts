/**
 * Options of the worker pools, their defaults and their validation. Types and their
 * documentation live here, apart from the pool logic.
 */
import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import { MAX_TIMER_MS, assertInteger, assertOptions, expected } from '../../core/validate';

/** Options of the thread pool (`configure({ thread })`). */
export interface ThreadPoolOptions {
  /** Threads kept alive even when idle (default 0). Idle threads never keep the process alive. */
  minWorkers?: number;
  /** Most threads at once (default `os.availableParallelism()`). */
  maxWorkers?: number;
  /** Milliseconds an idle thread above `minWorkers` lives (default 10 000). */
  idleTimeout?: number;
  /** V8 heap limits of each thread; a thread that exceeds them crashes (`WorkerCrashedError`). */
  resourceLimits?: ResourceLimits;
  /** Node flags of each thread (default: the parent's `process.execArgv`). */
  execArgv?: string[];
  /** `process.env` seen by the threads (default: a copy of the parent's). */
  env?: Record<string, string>;
  /**
   * Record the caller's stack at a submit, so an error rebuilt from the worker shows where
   * the call was made above the worker's own stack. `'auto'` (the default): for every call
   * submitted while fewer than {@link CALLER_STACKS_BACKLOG} calls wait for a worker, and for
   * none submitted into a longer queue (a bulk fan-out, whose calls come from the same few
   * places and where the capture, a few microseconds, is most of a tiny call's cost);
   * `true`: for every call; `false`: for none (errors carry the worker's stack only).
   * docs/executors.md, "Caller stacks".
   */
  callerStacks?: boolean | 'auto';
  /**
   * Milliseconds a running call that was cancelled (or timed out) gets to stop on its own
   * before its worker is terminated (default 1000). Within that time the call sees the
   * request (`checkpoint()` throws, `currentSignal()` aborts, library awaits throw); if it
   * ends, its `finally` blocks have run and the worker is kept for the next call. `0`
   * terminates the worker at once.
   */
  cancelGrace?: number;
  /**
   * Most calls waiting for a worker (default `Infinity`: unbounded). A call sent ahead to a
   * busy worker still waits; only calls that run do not. When that many wait, a new call's
   * Unfuture rejects at once with `QueueFull` and nothing is queued; the waiting calls are
   * not affected. `0`: a call runs at once on an idle worker or is refused.
   */
  maxQueue?: number;
}

/** Options of the process pool (`configure({ process })`). */
export interface ProcessPoolOptions {
  /** Children kept alive even when idle (default 0). */
  minWorkers?: number;
  /** Most children at once (default `os.availableParallelism()`). */
  maxWorkers?: number;
  /** Milliseconds an idle child above `minWorkers` lives (default 10 000). */
  idleTimeout?: number;
  /** Replace a child after this many calls (default: never). */
  maxTasksPerWorker?: number;
  /** Node flags of each child (default: the parent's `process.execArgv`). */
  execArgv?: string[];
  /** Environment of each child (default: the parent's). */
  env?: Record<string, string>;
  /**
   * Record the caller's stack at a submit, so an error rebuilt from the worker shows where
   * the call was made above the worker's own stack. `'auto'` (the default): for every call
   * submitted while fewer than {@link CALLER_STACKS_BACKLOG} calls wait for a worker, and for
   * none submitted into a longer queue (a bulk fan-out, whose calls come from the same few
   * places and where the capture, a few microseconds, is most of a tiny call's cost);
   * `true`: for every call; `false`: for none (errors carry the worker's stack only).
   * docs/executors.md, "Caller stacks".
   */
  callerStacks?: boolean | 'auto';
  /**
   * Milliseconds a running call that was cancelled (or timed out) gets to stop on its own
   * before its worker is terminated (default 1000). Within that time the call sees the
   * request (`checkpoint()` throws, `currentSignal()` aborts, library awaits throw); if it
   * ends, its `finally` blocks have run and the worker is kept for the next call. `0`
   * terminates the worker at once.
   */
  cancelGrace?: number;
  /**
   * Most calls waiting for a worker (default `Infinity`: unbounded). A call sent ahead to a
   * busy worker still waits; only calls that run do not. When that many wait, a new call's
   * Unfuture rejects at once with `QueueFull` and nothing is queued; the waiting calls are
   * not affected. `0`: a call runs at once on an idle worker or is refused.
   */
  maxQueue?: number;
}

/**
 * Under `callerStacks: 'auto'`, a call submitted while this many calls (or more) wait for a
 * worker records no caller stack: it joined a bulk fan-out, whose first calls recorded where
 * it came from.
 */
export const CALLER_STACKS_BACKLOG = 256;

/** Whether a call submitted while `waiting` other calls wait records the caller's stack, under the `callerStacks` setting. */
export function recordsCallerStack(setting: boolean | 'auto', waiting: number): boolean {
  return setting === true || (setting === 'auto' && waiting < CALLER_STACKS_BACKLOG);
}

export const THREAD_OPTION_KEYS = ['minWorkers', 'maxWorkers', 'idleTimeout', 'resourceLimits', 'execArgv', 'env', 'callerStacks', 'cancelGrace', 'maxQueue'] as const;
export const PROCESS_OPTION_KEYS = ['minWorkers', 'maxWorkers', 'idleTimeout', 'maxTasksPerWorker', 'execArgv', 'env', 'callerStacks', 'cancelGrace', 'maxQueue'] as const;
const RESOURCE_LIMIT_KEYS = ['maxYoungGenerationSizeMb', 'maxOldGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb'];

/** Thread options with every default filled in. */
export type ResolvedThreadPoolOptions = Required<Omit<ThreadPoolOptions, 'resourceLimits' | 'execArgv' | 'env'>> &
  Pick<ThreadPoolOptions, 'resourceLimits' | 'execArgv' | 'env'>;

/** Process options with every default filled in. */
export type ResolvedProcessPoolOptions = Required<Omit<ProcessPoolOptions, 'execArgv' | 'env'>> &
  Pick<ProcessPoolOptions, 'execArgv' | 'env'>;

const DEFAULT_IDLE_TIMEOUT = 10_000;
/** Default {@link ThreadPoolOptions.cancelGrace} / {@link ProcessPoolOptions.cancelGrace}. */
export const DEFAULT_CANCEL_GRACE = 1000;

/**
 * @internal The thread pool's fixed settings, adjustable only so that
 * benchmarks/executors-thread-settings.ts can measure the alternatives (docs/performance.md,
 * "Executors: thread pool settings"); not part of `configure()`.
 */
export interface ThreadTuning {
  /**
   * piscina's `atomics`: how an idle worker waits for its next session. Default `'async'`:
   * the worker's event loop keeps running between sessions, so background work a call left
   * (a timer, an unawaited write) goes on; with `'sync'` it stalls until the next session,
   * and the first call after a pause is no faster (docs/performance.md).
   */
  readonly atomics?: 'sync' | 'async' | 'disabled';
  /**
   * Calls sent to one thread at a time, the running one included (default 2; at most 63,
   * fewer than a thread's 64 claim cells, which its unanswered calls each hold). Applies to
   * short calls: while the pool's calls run longer than 1 ms on average, each thread gets one.
   */
  readonly pipelineDepth?: number;
  /**
   * Calls sent to one thread at a time once the pool's calls are known to be tiny (a mean
   * run under 0.1 ms over the calls measured so far; default 32, or `pipelineDepth` when only
   * that is given; at most 63). More calls then leave per message and a thread seldom waits
   * for its next.
   */
  readonly tinyPipelineDepth?: number;
}

/** @internal The `atomics` setting unsync's thread pools use. */
export const DEFAULT_ATOMICS = 'async';

/** @internal Validate a {@link ThreadTuning} and fill in the defaults. */
export function resolveThreadTuning(tuning: ThreadTuning | undefined, defaultDepth: number, defaultTinyDepth: number, maxDepth: number): Required<ThreadTuning> {
  assertOptions('tuning', tuning, ['atomics', 'pipelineDepth', 'tinyPipelineDepth']);
  const atomics = tuning?.atomics ?? DEFAULT_ATOMICS;
  if (atomics !== 'sync' && atomics !== 'async' && atomics !== 'disabled') {
    throw new TypeError(expected('tuning.atomics', "'sync', 'async' or 'disabled'", atomics));
  }
  const pipelineDepth = tuning?.pipelineDepth ?? defaultDepth;
  assertInteger('tuning.pipelineDepth', pipelineDepth, 1, maxDepth);
  // A depth given alone holds for tiny calls too (benchmarks compare depths that way).
  const tinyPipelineDepth = tuning?.tinyPipelineDepth ?? (tuning?.pipelineDepth !== undefined ? pipelineDepth : defaultTinyDepth);
  assertInteger('tuning.tinyPipelineDepth', tinyPipelineDepth, 1, maxDepth);
  return { atomics, pipelineDepth, tinyPipelineDepth };
}

function validateCommon(name: string, options: ThreadPoolOptions | ProcessPoolOptions): void {
  if (options.minWorkers !== undefined) assertInteger(`${name}.minWorkers`, options.minWorkers, 0);
  if (options.maxWorkers !== undefined) assertInteger(`${name}.maxWorkers`, options.maxWorkers, 1);
  if (options.idleTimeout !== undefined) {
    const t = options.idleTimeout;
    if (typeof t !== 'number' || Number.isNaN(t)) throw new TypeError(expected(`${name}.idleTimeout`, 'a number of milliseconds', t));
    if (!(t >= 0 && t <= MAX_TIMER_MS)) {
      throw new RangeError(expected(`${name}.idleTimeout`, `a number of milliseconds from 0 to ${MAX_TIMER_MS} (to keep workers forever, set minWorkers)`, t));
    }
  }
  if (options.execArgv !== undefined && (!Array.isArray(options.execArgv) || options.execArgv.some((a) => typeof a !== 'string'))) {
    throw new TypeError(expected(`${name}.execArgv`, 'an array of strings', options.execArgv));
  }
  const env = options.env;
  if (env !== undefined && (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string'))) {
    throw new TypeError(expected(`${name}.env`, 'an object of string values', env));
  }
  const stacks = options.callerStacks;
  if (stacks !== undefined && typeof stacks !== 'boolean' && stacks !== 'auto') {
    throw new TypeError(expected(`${name}.callerStacks`, "a boolean or 'auto'", stacks));
  }
  if (options.cancelGrace !== undefined) {
    const g = options.cancelGrace;
    if (typeof g !== 'number' || Number.isNaN(g)) throw new TypeError(expected(`${name}.cancelGrace`, 'a number of milliseconds', g));
    if (!(g >= 0 && g <= MAX_TIMER_MS)) throw new RangeError(expected(`${name}.cancelGrace`, `a number of milliseconds from 0 to ${MAX_TIMER_MS}`, g));
  }
  if (options.maxQueue !== undefined && options.maxQueue !== Infinity) assertInteger(`${name}.maxQueue`, options.maxQueue, 0);
}

function resolveCounts(name: string, options: ThreadPoolOptions | ProcessPoolOptions): { minWorkers: number; maxWorkers: number } {
  const maxWorkers = options.maxWorkers ?? Math.max(options.minWorkers ?? 1, availableParallelism());
  const minWorkers = options.minWorkers ?? 0;
  if (minWorkers > maxWorkers) {
    throw new RangeError(expected(`${name}.minWorkers`, `an integer <= maxWorkers (${maxWorkers})`, minWorkers));
  }
  return { minWorkers, maxWorkers };
}

/** Validate thread options (unknown keys rejected) and fill in the defaults. */
export function resolveThreadPoolOptions(options: ThreadPoolOptions | undefined, name = 'thread'): ResolvedThreadPoolOptions {
  assertOptions(name, options, THREAD_OPTION_KEYS);
  const o = options ?? {};
  validateCommon(name, o);
  if (o.resourceLimits !== undefined) {
    assertOptions(`${name}.resourceLimits`, o.resourceLimits, RESOURCE_LIMIT_KEYS);
    for (const [key, value] of Object.entries(o.resourceLimits)) {
      if (typeof value !== 'number' || !(value > 0)) throw new RangeError(expected(`${name}.resourceLimits.${key}`, 'a positive number', value));
    }
  }
  return {
    ...resolveCounts(name, o),
    idleTimeout: o.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
    callerStacks: o.callerStacks ?? 'auto',
    cancelGrace: o.cancelGrace ?? DEFAULT_CANCEL_GRACE,
    maxQueue: o.maxQueue ?? Infinity,
    resourceLimits: o.resourceLimits,
    execArgv: o.execArgv,
    env: o.env,
  };
}

/** Validate process options (unknown keys rejected) and fill in the defaults. */
export function resolveProcessPoolOptions(options: ProcessPoolOptions | undefined, name = 'process'): ResolvedProcessPoolOptions {
  assertOptions(name, options, PROCESS_OPTION_KEYS);
  const o = options ?? {};
  validateCommon(name, o);
  const maxTasks = o.maxTasksPerWorker;
  if (maxTasks !== undefined && maxTasks !== Infinity) assertInteger(`${name}.maxTasksPerWorker`, maxTasks, 1);
  return {
    ...resolveCounts(name, o),
    idleTimeout: o.idleTimeout ?? DEFAULT_IDLE_TIMEOUT,
    maxTasksPerWorker: maxTasks ?? Infinity,
    callerStacks: o.callerStacks ?? 'auto',
    cancelGrace: o.cancelGrace ?? DEFAULT_CANCEL_GRACE,
    maxQueue: o.maxQueue ?? Infinity,
    execArgv: o.execArgv,
    env: o.env,
  };
}
