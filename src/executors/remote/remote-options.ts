/**
 * Options of the remote executor (`configure({ remote })`) and of a remote worker
 * (`startWorker`), their defaults and their validation. Design: docs/remote.md.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_TIMER_MS, assertInteger, assertOptions, expected } from '../../core/validate';

/**
 * Where Redis is: a `redis://` or `rediss://` (TLS) URL, password in the URL
 * (`redis://:secret@host:6379/0`), or ioredis options (`{ host, port, password, tls, … }`).
 */
export type RemoteConnection = string | Readonly<Record<string, unknown>>;

/** Options shared by the caller (`configure({ remote })`) and a worker (`startWorker`). */
export interface RemoteQueueOptions {
  /** Redis: a URL or ioredis options. Required. */
  connection: RemoteConnection;
  /** The BullMQ queue's name (default `'unsync'`). Callers and workers must agree. */
  queue?: string;
  /** BullMQ's key prefix in Redis (default BullMQ's, `'bull'`). Callers and workers must agree. */
  prefix?: string;
  /**
   * Most bytes of a job's encoded arguments (default 16 MiB). The caller refuses a larger
   * call before sending it; a worker fails a larger job before decoding it.
   */
  maxPayload?: number;
  /**
   * The folder module paths are named relative to (default `process.cwd()`). A job names its
   * function by (module path relative to this folder, registered name), so a caller and a
   * worker on different machines agree when they run from the same project layout.
   */
  root?: string;
}

/** Options of the remote executor (`configure({ remote })`). */
export interface RemoteOptions extends RemoteQueueOptions {
  /**
   * Milliseconds between two looks at the state of the jobs this caller waits for
   * (default 1000). Results normally arrive through BullMQ's queue events at once; the look
   * bounds how long a missed event can delay one.
   */
  pollInterval?: number;
  /**
   * Milliseconds a running call that was cancelled (or timed out) gets to stop on its
   * worker (default 5000). The worker is asked at once (the call's `currentSignal()`
   * aborts, `checkpoint()` and library awaits throw; a worker running its calls in a pool
   * stops one by force after its own `cancelGrace`, default 1000); the Unfuture settles when the
   * worker answers, or when this time has passed, whichever comes first: the call may then
   * still run there (a call on a worker's loop that ignores cancellation, a lost request),
   * its answer discarded. `0` settles at once without asking.
   */
  cancelGrace?: number;
  /**
   * How many times a job may be started (default 1: no retry). A job whose worker died
   * mid-call (SIGKILL, out of memory, a lost machine: BullMQ's stalled-job check found its
   * lock expired, see the worker's `stallTimeout`) goes back to the queue and runs again on
   * another worker while it has attempts left; after the last, the Unfuture fails with
   * `WorkerCrashedError`. A call runs at least once and at most `attempts` times; only one
   * run's answer is ever reported. Errors the function throws are never retried.
   */
  attempts?: number;
  /**
   * How long a job whose worker died waits before it runs again (default: not at all):
   * milliseconds, or BullMQ's backoff `{ type: 'fixed' | 'exponential', delay, jitter }`
   * (exponential: `delay` after the first death, twice that after the second, …; `jitter`,
   * 0 to 1, draws that share of each wait at random). Only with `attempts` above 1. The
   * worker that takes the job after a death moves it to BullMQ's delayed set for the wait.
   */
  backoff?: number | RemoteBackoff;
  /**
   * Record the caller's stack at a submit, as the pools do (their `callerStacks`): `'auto'`
   * (the default) for every call submitted while fewer than `CALLER_STACKS_BACKLOG` (256)
   * remote calls are in flight, none beyond; `true` for every call; `false` for none (errors
   * then carry the worker's stack only, and each call saves the capture: 22-29 µs of the
   * caller's CPU at one call in flight, where the process wakes cold for every call).
   */
  callerStacks?: boolean | 'auto';
  /**
   * Milliseconds this caller keeps its Redis connections open with no remote call in flight
   * (default 1000); then they close, and the next call opens them again (a few round trips
   * to Redis). Open connections keep the process alive, as a pending timer does: a program
   * whose remote calls are done exits this long after the last one settled, without
   * `shutdown()`. `0` closes them as soon as the last call settled (calls awaited one after
   * another keep them: the next is submitted before the close).
   */
  idleTimeout?: number;
  /**
   * Milliseconds a remote call waits for its result when it has no `timeout` of its own
   * (default: no limit). End to end, as a call's `timeout`: the time waiting in the queue
   * counts, and past it the job is removed if it waits, or its call is stopped on its worker
   * if it runs (`cancelGrace`); the Unfuture fails with `TimeoutError`. A call's own
   * `timeout` wins (`Infinity`: none, for that call).
   */
  resultTimeout?: number;
}

/** A backoff between the runs of a job whose workers died (see {@link RemoteOptions.backoff}). */
export interface RemoteBackoff {
  /** `'fixed'`: every wait is `delay`; `'exponential'`: `delay` after the first death, doubled after each next one. */
  readonly type: 'fixed' | 'exponential';
  /** Milliseconds (exponential: the first wait). */
  readonly delay: number;
  /** The share of each wait drawn at random, 0 to 1 (default 0). */
  readonly jitter?: number;
}

/** Options of a remote worker (`startWorker`). */
export interface RemoteWorkerOptions extends RemoteQueueOptions {
  /** Modules to load (paths, relative to `root`): loading them registers their functions. */
  modules: readonly string[];
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
  /**
   * Milliseconds after which a job whose worker stopped renewing its lock counts as
   * abandoned (default 30000). It is BullMQ's `lockDuration` and `stalledInterval`: the
   * worker renews the lock of each job it runs every `stallTimeout / 2` ms, and every
   * `stallTimeout` ms one worker of the queue moves jobs whose lock expired back to waiting
   * (or, out of attempts, fails them with `WorkerCrashedError` on the caller). A worker
   * that dies is therefore noticed within about `2 × stallTimeout`; a shorter time notices
   * sooner but costs more Redis traffic, and must stay well above the longest pause of the
   * worker's event loop. Every worker of a queue should use the same value.
   */
  stallTimeout?: number;
  /** This worker's name, stored on the jobs it takes (BullMQ's `processedBy`; default `<host>:<pid>`). */
  name?: string;
  /**
   * Where the calls run. `'auto'` (default): each where its function's own routing says,
   * as a call on this machine would go: a decorated function's `executor` option (`'loop'`,
   * `'thread'`, `'process'`, `cpuBound`) or `'auto'`'s decision; the loop for a function
   * registered with `unsyncRegister` or decorated `executor: 'remote'`. Any other value
   * forces every call there: this process's event loop (each call a library task, or a
   * call scope once its function returned a value at once: docs/remote.md); or a
   * thread or process pool of `concurrency` workers owned by this remote worker (CPU-bound
   * functions; calls that ignore cancellation can be stopped by force).
   */
  executor?: RemoteWorkerExecutor;
  /**
   * Milliseconds a call its caller cancelled (or that timed out) gets to stop by itself
   * before the worker stops it by force (default 1000): the pools' `cancelGrace`, so for
   * calls run in a thread or process pool only (a call on the loop cannot be preempted).
   * Keep it below the callers' `cancelGrace`, so that they see the call stopped.
   */
  cancelGrace?: number;
  /**
   * Called after each job this worker took, with what became of it (the CLI's `--verbose`
   * line). A callback that throws is ignored.
   */
  onJob?: (report: RemoteJobReport) => void;
}

/** What became of one job a remote worker took (see {@link RemoteWorkerOptions.onJob}). */
export interface RemoteJobReport {
  /** The BullMQ job's id (a caller's job: a UUID). */
  readonly jobId: string;
  /** The function's registered name (the job's name when the job is not a call). */
  readonly name: string;
  /**
   * `completed`: the function returned; `failed`: it threw (both answer the caller);
   * `cancelled`: its caller stopped it; `refused`: the job is not a call this worker runs
   * (unregistered function, malformed, other protocol, over `maxPayload`, out of attempts);
   * `requeued`: the job waits for another run: the worker was closing and stopped the call,
   * or its last worker died and it waits its backoff first (`reason` says which).
   */
  readonly outcome: 'completed' | 'failed' | 'cancelled' | 'refused' | 'requeued';
  /** Milliseconds from taking the job to this report. */
  readonly ms: number;
  /** Why it was refused, or the error's message. */
  readonly reason?: string;
}

/** Where a remote worker runs its calls (see {@link RemoteWorkerOptions.executor}). */
export type RemoteWorkerExecutor = 'auto' | 'loop' | 'thread' | 'process';
const WORKER_EXECUTORS: readonly RemoteWorkerExecutor[] = ['auto', 'loop', 'thread', 'process'];

/** Options with every default filled in. */
export interface ResolvedQueueOptions {
  /** What BullMQ's `connection` option receives. */
  readonly connection: Readonly<Record<string, unknown>>;
  readonly queue: string;
  readonly prefix: string | undefined;
  readonly maxPayload: number;
  readonly root: string;
}

export const DEFAULT_QUEUE = 'unsync';
export const DEFAULT_MAX_PAYLOAD = 16 * 1024 * 1024;
export const DEFAULT_POLL_INTERVAL = 1000;
export const DEFAULT_REMOTE_IDLE_TIMEOUT = 1000;
export const DEFAULT_CANCEL_GRACE = 5000;
export const DEFAULT_ATTEMPTS = 1;
export const DEFAULT_STALL_TIMEOUT = 30_000;
export const DEFAULT_WORKER_GRACE = 1000;

const QUEUE_KEYS = ['connection', 'queue', 'prefix', 'maxPayload', 'root'] as const;

function resolveQueueOptions(options: RemoteQueueOptions, label: string): ResolvedQueueOptions {
  const { connection, queue = DEFAULT_QUEUE, prefix, maxPayload = DEFAULT_MAX_PAYLOAD, root = process.cwd() } = options;
  let resolved: Readonly<Record<string, unknown>>;
  if (connection === undefined) {
    throw new TypeError(expected(`${label}.connection`, "a Redis URL ('redis://host:6379') or ioredis options", connection));
  } else if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw new TypeError(expected(`${label}.connection`, "a URL starting with 'redis://' or 'rediss://'", connection));
    }
    resolved = { url: connection };
  } else if (typeof connection === 'object' && connection !== null && !Array.isArray(connection)) {
    resolved = { ...connection };
  } else {
    throw new TypeError(expected(`${label}.connection`, "a Redis URL ('redis://host:6379') or ioredis options", connection));
  }
  // BullMQ's key separator is ':'; a name holding one would read as two keys.
  if (typeof queue !== 'string' || queue === '' || queue.includes(':')) {
    throw new TypeError(expected(`${label}.queue`, "a non-empty string without ':'", queue));
  }
  if (prefix !== undefined && (typeof prefix !== 'string' || prefix === '')) {
    throw new TypeError(expected(`${label}.prefix`, 'a non-empty string', prefix));
  }
  assertInteger(`${label}.maxPayload`, maxPayload, 1);
  if (typeof root !== 'string' || !path.isAbsolute(root)) {
    throw new TypeError(expected(`${label}.root`, 'an absolute path', root));
  }
  return { connection: resolved, queue, prefix, maxPayload, root };
}

/** Validate `configure({ remote })`; throws `TypeError`/`RangeError` naming the option. */
export function resolveRemoteOptions(
  options: RemoteOptions,
  label = 'remote',
): ResolvedQueueOptions & {
  readonly pollInterval: number;
  readonly cancelGrace: number;
  readonly attempts: number;
  readonly callerStacks: boolean | 'auto';
  readonly idleTimeout: number;
  readonly resultTimeout: number | undefined;
  readonly backoff: number | RemoteBackoff | undefined;
} {
  assertOptions(label, options, [...QUEUE_KEYS, 'pollInterval', 'cancelGrace', 'attempts', 'callerStacks', 'idleTimeout', 'resultTimeout', 'backoff']);
  if (options === undefined || options === null) throw new TypeError(expected(label, 'an object', options));
  const {
    pollInterval = DEFAULT_POLL_INTERVAL,
    cancelGrace = DEFAULT_CANCEL_GRACE,
    attempts = DEFAULT_ATTEMPTS,
    callerStacks = 'auto',
    idleTimeout = DEFAULT_REMOTE_IDLE_TIMEOUT,
    resultTimeout,
    backoff,
  } = options;
  assertInteger(`${label}.pollInterval`, pollInterval, 1, MAX_TIMER_MS);
  assertInteger(`${label}.cancelGrace`, cancelGrace, 0, MAX_TIMER_MS);
  assertInteger(`${label}.attempts`, attempts, 1, 1000);
  assertInteger(`${label}.idleTimeout`, idleTimeout, 0, MAX_TIMER_MS);
  if (resultTimeout !== undefined) assertInteger(`${label}.resultTimeout`, resultTimeout, 1, MAX_TIMER_MS);
  if (backoff !== undefined) assertBackoff(`${label}.backoff`, backoff);
  if (typeof callerStacks !== 'boolean' && callerStacks !== 'auto') {
    throw new TypeError(expected(`${label}.callerStacks`, "a boolean or 'auto'", callerStacks));
  }
  return {
    ...resolveQueueOptions(options, label),
    pollInterval,
    cancelGrace,
    attempts,
    callerStacks,
    idleTimeout,
    resultTimeout,
    backoff: typeof backoff === 'object' ? Object.freeze({ ...backoff }) : backoff,
  };
}

function assertBackoff(label: string, backoff: unknown): void {
  if (typeof backoff === 'number') {
    assertInteger(label, backoff, 0, MAX_TIMER_MS);
    return;
  }
  if (typeof backoff !== 'object' || backoff === null || Array.isArray(backoff)) {
    throw new TypeError(expected(label, "milliseconds or { type: 'fixed' | 'exponential', delay, jitter }", backoff));
  }
  assertOptions(label, backoff, ['type', 'delay', 'jitter']);
  const { type, delay, jitter } = backoff as Record<string, unknown>;
  if (type !== 'fixed' && type !== 'exponential') throw new TypeError(expected(`${label}.type`, "'fixed' or 'exponential'", type));
  assertInteger(`${label}.delay`, delay, 0, MAX_TIMER_MS);
  if (jitter !== undefined && (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1))) {
    throw new RangeError(expected(`${label}.jitter`, 'a number from 0 to 1', jitter));
  }
}

/** `startWorker`'s options with every default filled in. */
export interface ResolvedWorkerOptions extends ResolvedQueueOptions {
  readonly modules: readonly string[];
  readonly concurrency: number;
  readonly stallTimeout: number;
  readonly name: string;
  readonly executor: RemoteWorkerExecutor;
  readonly cancelGrace: number;
  readonly onJob: ((report: RemoteJobReport) => void) | undefined;
}

/** Validate `startWorker(options)`; throws `TypeError`/`RangeError` naming the option. */
export function resolveWorkerOptions(
  options: RemoteWorkerOptions,
  label = 'options',
): ResolvedWorkerOptions {
  assertOptions(label, options, [...QUEUE_KEYS, 'modules', 'concurrency', 'stallTimeout', 'name', 'executor', 'cancelGrace', 'onJob']);
  if (options === undefined || options === null) throw new TypeError(expected(label, 'an object', options));
  const {
    modules,
    concurrency = 1,
    stallTimeout = DEFAULT_STALL_TIMEOUT,
    name = `${os.hostname()}:${process.pid}`,
    executor = 'auto',
    cancelGrace = DEFAULT_WORKER_GRACE,
    onJob,
  } = options;
  if (!Array.isArray(modules) || modules.length === 0 || !modules.every((m) => typeof m === 'string' && m !== '')) {
    throw new TypeError(expected(`${label}.modules`, 'a non-empty array of module paths', modules));
  }
  assertInteger(`${label}.concurrency`, concurrency, 1);
  // Below 100 ms a lock renewal (every stallTimeout / 2) is within a busy loop's pause.
  assertInteger(`${label}.stallTimeout`, stallTimeout, 100, MAX_TIMER_MS);
  if (typeof name !== 'string' || name === '') throw new TypeError(expected(`${label}.name`, 'a non-empty string', name));
  if (!WORKER_EXECUTORS.includes(executor)) {
    throw new TypeError(expected(`${label}.executor`, "'auto', 'loop', 'thread' or 'process'", executor));
  }
  assertInteger(`${label}.cancelGrace`, cancelGrace, 0, MAX_TIMER_MS);
  if (onJob !== undefined && typeof onJob !== 'function') throw new TypeError(expected(`${label}.onJob`, 'a function', onJob));
  return { ...resolveQueueOptions(options, label), modules: [...modules], concurrency, stallTimeout, name, executor, cancelGrace, onJob };
}
