/**
 * The worker side of the remote executor: `startWorker` loads modules (which registers
 * their functions), then takes jobs from the queue and runs the registered function each
 * job names, on this process's event loop or in its own thread or process pool
 * (./worker-executors.ts), answering with the encoded value or error. Only registered
 * functions run; nothing is loaded or evaluated from a job. Design: docs/remote.md.
 */
import * as path from 'node:path';
import type * as BullMQ from 'bullmq';
import { isCancelledError } from '../../core/errors';
import { CloneError } from '../../core/executor-errors';
import { MAX_TIMER_MS, assertInteger, assertOptions } from '../../core/validate';
import type { Unfuture } from '../../core/future';
import { onSettled } from '../../core/future-internal';
import { epochNow } from '../engine/pool-call';
import type { CallOutcome } from '../protocol';
import { loadUserModule } from '../load-user-module';
import { lookupRef } from '../registry';
import { encodeError } from '../worker/error-codec.cjs';
import { RedisClock } from './redis-clock';
import { answerChannel, cancelChannel, openRedis } from './remote-redis';
import { resolveWorkerOptions, type RemoteJobReport, type RemoteWorkerExecutor, type RemoteWorkerOptions } from './remote-options';
import { CRASHED_REASON, PROGRESS_KEY, REMOTE_PROTOCOL, REPLY_ID, decodePayload, encodeAnswerMessage, encodeAnswer, encodePayload, moduleFile, type RemoteJobAnswer } from './remote-wire';
import { retryBackoff } from './retry-backoff';
import { RunningCalls, stopRequested } from './running-calls';
import { runScopedCallNow } from './scoped-call';
import { WorkerExecutors, type RemoteWorkerStatistics } from './worker-executors';

/** A running remote worker (see {@link startWorker}). */
export interface RemoteWorker {
  /** The queue it takes jobs from. */
  readonly queue: string;
  /**
   * Where it runs the calls: `'auto'`, each where its function's routing says; or always on
   * its event loop, or in its local thread or process pool.
   */
  readonly executor: RemoteWorkerExecutor;
  /**
   * Stop taking jobs, let the running ones finish, then disconnect from Redis and close the
   * local pool. With `grace` (ms), calls still running after it are stopped (cancelled
   * here, by force after `cancelGrace` in a pool) and their jobs go back to waiting for
   * another worker, whole: nothing is lost, nothing is half-reported; a call that ends
   * with an answer anyway is reported. Without it, the running calls are waited for.
   * Idempotent (the first call's `grace` counts). `RangeError` for a bad `grace`.
   */
  close(options?: { grace?: number }): Promise<void>;
  /**
   * The statistics of the executors the calls ran on here, by kind: `loop` always,
   * `thread` and `process` once a call ran in that pool. Each has its calls, its workers,
   * `stoppedCooperatively` and `terminatedForCancel` for calls its callers cancelled. Plain
   * frozen objects.
   */
  statistics(): RemoteWorkerStatistics;
}

/**
 * Start a remote worker in this process: load `options.modules` (paths relative to
 * `options.root`, default the current folder; loading them registers their functions with
 * `unsync`/`unsyncRegister`), then take jobs from the queue and run each, up to
 * `concurrency` at once, where the function's own routing says (`executor: 'auto'`, the
 * default: a decorated function's `executor` option or `'auto'`'s decision; the loop for a
 * function registered with `unsyncRegister` or routed `'remote'`), or always on
 * `options.executor`: this process's event loop (`'loop'`: each call a library task, or,
 * once its function returned a value at once, a call scope without one), or
 * its own thread or process pool of `concurrency` workers (`'thread'`, `'process'`:
 * CPU-bound functions, and calls that can be stopped by force). A caller's stop request (its cancel or timeout) cancels the call here:
 * `currentSignal()` aborts, `checkpoint()` and library awaits throw `CancelledError`; in a
 * pool, a call still running `cancelGrace` ms later has its thread terminated or its child
 * killed (the pool replaces it) and the caller's Unfuture ends cancelled. A job naming a function no loaded module
 * registered, a malformed job, one of another protocol version or one whose arguments are
 * over `maxPayload` fails with a clear reason stored on the job (the caller gets
 * `RemoteJobError`), and the worker keeps serving.
 *
 * A job whose worker died mid-call (its lock expired: see `stallTimeout`) is moved back to
 * waiting by whichever worker of the queue checks next, and runs again while it has
 * attempts left (the caller's `remote.attempts`); out of attempts, it is failed and its
 * caller gets `WorkerCrashedError`.
 *
 * @example
 * const worker = await startWorker({ modules: ['./dist/jobs.js'], connection: 'redis://127.0.0.1:6379' });
 * process.on('SIGTERM', () => void worker.close());
 */
export async function startWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const o = resolveWorkerOptions(options);
  for (const module of o.modules) await loadUserModule(path.resolve(o.root, module));
  const { Worker, UnrecoverableError, WaitingError, DelayedError } = require('bullmq') as typeof BullMQ;
  const local = new WorkerExecutors(o);
  // Stop requests: the message stops a running call at once; the key (set before it is
  // published) is looked for when the subscriber is subscribed again, for the running
  // calls, and when a job is taken that may have been asked to stop while the subscriber
  // was away (see RunningCalls), so a request the subscriber missed still reaches the call.
  const commands = openRedis(o.connection);
  const calls = new RunningCalls((jobIds) => stopRequested(commands, o, jobIds));
  // The calls' start and end times go to the caller on Redis's clock (docs/remote.md, "Wait and run times").
  const clock = new RedisClock();
  await clock.measure(commands);
  const subscriber = openRedis(o.connection);
  const channel = cancelChannel(o.queue, o.prefix);
  subscriber.on('message', (_channel: string, jobId: string) => calls.stop(jobId));
  await subscriber.subscribe(channel);
  calls.subscribed(Date.now());
  subscriber.on('close', () => calls.subscribed(undefined));
  // On each reconnect ioredis says 'ready', then resubscribes: once subscribed again (our
  // own SUBSCRIBE answered), what was published while it was away is found by the keys.
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(() => {
      calls.subscribed(Date.now());
      calls.recheck();
    }, () => undefined);
  });
  const processor = async (job: BullMQ.Job, token?: string): Promise<RemoteJobAnswer> => {
    const takenAt = Date.now();
    clock.refreshIfStale(commands);
    // Taken again after its worker died, with a backoff: it waits that long first (no await otherwise).
    const wait = job.stalledCounter > 0 && job.opts.backoff !== undefined ? await retryBackoff(job, commands, o.queue, o.prefix) : undefined;
    if (wait !== undefined) {
      report(o.onJob, job, { kind: 'requeue', reason: `its last worker died: it waits ${wait} ms (backoff) before it runs again` }, Date.now() - takenAt);
      await job.moveToDelayed(Date.now() + wait, token);
      throw new DelayedError();
    }
    const running = runJob(job, o, calls, local, clock.offset);
    // No await for an end that is there: a microtask's wait puts the answer behind BullMQ's.
    const end = running instanceof Promise ? await running : running;
    // Only for a call that ran to its end: a stopped one may be this worker's own stop of a
    // job whose lock it lost (Redis restarted empty, the stalled check gave it back), whose
    // answer BullMQ will refuse to store; its caller learns the job's fate from Redis.
    if (end.kind === 'answer' && end.outcome !== 'cancelled') answerAhead(commands, o, job, end.answer);
    report(o.onJob, job, end, Date.now() - takenAt);
    switch (end.kind) {
      case 'refused':
        // Unrecoverable: a refused job is not retried whatever its attempts.
        throw new UnrecoverableError(end.reason);
      case 'requeue':
        // Back to waiting, whole (stalledCounter untouched: no worker died), and BullMQ
        // told not to fail it.
        await job.moveToWait(token);
        throw new WaitingError();
      default:
        return end.answer;
    }
  };
  const worker = new Worker(o.queue, processor, {
    connection: { ...o.connection },
    concurrency: o.concurrency,
    name: o.name,
    // Stalled-job detection is BullMQ's: the lock of a running job is renewed every
    // lockDuration / 2; a job whose lock expired is moved back to waiting by the check
    // every stalledInterval. The attempts are counted by runJob, per job, not by
    // maxStalledCount (one number for the whole worker): it is set out of the way.
    lockDuration: o.stallTimeout,
    stalledInterval: o.stallTimeout,
    maxStalledCount: NEVER_FAIL_STALLED,
    ...(o.prefix === undefined ? {} : { prefix: o.prefix }),
  });
  // Connection errors are retried by ioredis; a job's own failure is stored on the job.
  worker.on('error', () => undefined);
  // A running job whose lock could not be renewed is no longer this worker's: Redis lost it
  // (restarted empty, flushed) or the stalled-job check gave it back to the queue. Nobody
  // takes this run's answer, so its call is stopped (the cooperative rules, then force after
  // the grace) and frees its place instead of running on for nothing.
  worker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const jobId of jobIds) calls.stop(jobId);
  });
  await worker.waitUntilReady();
  let closed: Promise<void> | undefined;
  return Object.freeze({
    queue: o.queue,
    executor: o.executor,
    close: (closeOptions?: { grace?: number }) => {
      if (closed !== undefined) return closed;
      assertOptions('options', closeOptions, ['grace']);
      const grace = closeOptions?.grace;
      if (grace !== undefined) assertInteger('options.grace', grace, 0, MAX_TIMER_MS);
      return (closed = (async () => {
        // BullMQ's close stops taking jobs, then waits for the running ones.
        const closing = worker.close();
        const timer = grace === undefined ? undefined : setTimeout(() => calls.requeueAll(), grace);
        await closing;
        if (timer !== undefined) clearTimeout(timer);
        await Promise.all([subscriber.quit(), commands.quit()].map((p) => p.catch(() => undefined)));
        await local.close();
      })());
    },
    statistics: () => local.statistics(),
  });
}

/**
 * Publish `answer` on the answer channel of `job`'s caller, if the job asks for it (its
 * `reply`), before BullMQ stores it and publishes the `completed` event: the caller settles
 * the call on whichever comes first. Best-effort: a failed publish, or a caller not
 * listening, leaves the call to the event (docs/remote.md, "Answers ahead of the events").
 * Not for a job that reported progress: its progress events would come after the answer,
 * to a call already settled.
 */
function answerAhead(commands: ReturnType<typeof openRedis>, o: { readonly queue: string; readonly prefix: string | undefined }, job: BullMQ.Job, answer: RemoteJobAnswer): void {
  if (progressed.has(job)) return;
  const reply = (job.data as { reply?: unknown } | null)?.reply;
  if (typeof reply !== 'string' || !REPLY_ID.test(reply)) return;
  // The answer is JSON already (BullMQ stores it as such): the message cannot fail to encode.
  commands.publish(answerChannel(o.queue, o.prefix, reply), encodeAnswerMessage(job.id, answer)).catch(() => undefined);
}

/** Tell `onJob` (if any) what became of `job`; a throwing callback is ignored. */
function report(onJob: ((report: RemoteJobReport) => void) | undefined, job: BullMQ.Job, end: JobEnd, ms: number): void {
  if (onJob === undefined) return;
  const data = job.data as { name?: unknown } | null;
  const name = typeof data?.name === 'string' ? data.name : job.name;
  const reason = end.reason;
  const outcome = end.kind === 'answer' ? end.outcome : end.kind === 'refused' ? 'refused' : 'requeued';
  try {
    onJob(Object.freeze({ jobId: job.id ?? '', name, outcome, ms, ...(reason === undefined ? {} : { reason }) }));
  } catch {
    // An observer's failure is not the job's.
  }
}

/** `maxStalledCount`: BullMQ never fails a stalled job itself; the processor does, per job's attempts. */
const NEVER_FAIL_STALLED = 1_000_000;

/**
 * How a job ended here: `answer` (the call's outcome for the caller), `refused` (not a call
 * this worker runs: failed, never retried) or `requeue` (stopped by a closing worker: back
 * to waiting).
 */
type JobEnd =
  | { readonly kind: 'answer'; readonly answer: RemoteJobAnswer; readonly outcome: 'completed' | 'failed' | 'cancelled'; readonly reason?: string }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'requeue'; readonly reason?: string };

const refused = (reason: string): JobEnd => ({ kind: 'refused', reason });

/**
 * Check a job, run the function it names, and encode the outcome, its start and end times
 * on Redis's clock when `redisOffset` (Redis's clock minus this process's) is known. The
 * end comes back at once (not a promise) for a call that settled as it was started: a
 * synchronous function's call on the loop runs here and now (`runScopedCallNow`), so that
 * its answer is not queued behind the microtasks BullMQ and ioredis queued meanwhile.
 */
function runJob(
  job: BullMQ.Job,
  o: { readonly root: string; readonly maxPayload: number },
  calls: RunningCalls,
  local: WorkerExecutors,
  redisOffset: number | undefined,
): JobEnd | Promise<JobEnd> {
  // A job whose earlier runs' workers died (BullMQ's stalled check moved it back, counting
  // it in `stalledCounter`) runs again only while it has attempts left (docs/remote.md).
  // A job added without attempts has 0 (BullMQ's "not set"): one run.
  const attempts = Math.max(1, job.opts.attempts ?? 1);
  if (job.stalledCounter >= attempts) return refused(`${CRASHED_REASON} (its lock expired) ${job.stalledCounter} time(s); attempts: ${attempts}`);
  const data: unknown = job.data;
  if (typeof data !== 'object' || data === null) return refused('malformed job: its data is not an unsync remote call');
  const { protocol, module, name, payload } = data as Record<string, unknown>;
  if (protocol !== REMOTE_PROTOCOL) return refused(`the job speaks protocol ${String(protocol)}, this worker ${REMOTE_PROTOCOL}`);
  if (typeof module !== 'string' || typeof name !== 'string' || typeof payload !== 'string') {
    return refused('malformed job: module, name and payload must be strings');
  }
  // Before decoding anything: the size of the encoded arguments.
  const bytes = Buffer.byteLength(payload);
  if (bytes > o.maxPayload) return refused(`the job's arguments are ${bytes} bytes encoded, over this worker's maxPayload (${o.maxPayload})`);
  // A registry lookup only: a name nothing registered finds nothing, whatever the path says.
  const ref = lookupRef({ file: moduleFile(module, o.root), name });
  if (ref === undefined) return refused(`\`${name}\` of ${module} is not registered on this worker (only functions its modules register run)`);
  let args: unknown;
  try {
    args = decodePayload(payload);
  } catch (error) {
    return refused(`malformed job: its arguments cannot be decoded (${String(error)})`);
  }
  if (!Array.isArray(args)) return refused('malformed job: its arguments are not an array');
  const offset = redisOffset ?? 0;
  const run: JobRun = { job, jobId: job.id ?? '', name, calls, startedAt: epochNow() + offset, offset, onRedisClock: redisOffset !== undefined };
  let task: Unfuture<unknown>;
  try {
    // The loop runs `ref.fn` here; a pool's workers find the function by (file, name),
    // loading its module there.
    task = local.submit(ref, args, progressTo(job));
  } catch (error) {
    return endOf(run, false, error);
  }
  // First what may cancel the call before it runs (a stop request that came first, a
  // closing worker), then its body if it is a synchronous one.
  calls.started(run.jobId, calls.mayHaveMissed(job.processedOn, job.attemptsStarted), task);
  runScopedCallNow(task);
  if (task.done()) return settledEnd(run, task);
  return new Promise((resolve) => onSettled(task, () => resolve(settledEnd(run, task))));
}

/** A job's call while it runs: what its end needs. */
interface JobRun {
  readonly job: BullMQ.Job;
  readonly jobId: string;
  readonly name: string;
  readonly calls: RunningCalls;
  /** On Redis's clock when `onRedisClock` (this process's plus `offset`). */
  readonly startedAt: number;
  readonly offset: number;
  readonly onRedisClock: boolean;
}

/** The end of `run`, whose call `task` settled: its value, or its error (its `CancelledError` when cancelled). */
function settledEnd(run: JobRun, task: Unfuture<unknown>): JobEnd {
  let value: unknown;
  try {
    value = task.result();
  } catch (error) {
    return endOf(run, false, error);
  }
  return endOf(run, true, value);
}

/**
 * The end of `run`, whose call returned `payload` (`ok`) or threw it: the answer for the
 * caller, or back to waiting for a call the closing worker stopped.
 */
function endOf(run: JobRun, ok: boolean, payload: unknown): JobEnd {
  const { job, jobId, startedAt, offset, onRedisClock } = run;
  run.calls.ended(jobId);
  let outcome: CallOutcome;
  let ended: 'completed' | 'failed' | 'cancelled';
  let reason: string | undefined;
  if (ok) {
    outcome = { type: 'result', id: 0, value: payload, startedAt, endedAt: epochNow() + offset };
    ended = 'completed';
  } else {
    if (isCancelledError(payload) && run.calls.requeued(jobId)) return { kind: 'requeue' };
    outcome = { type: 'error', id: 0, phase: 'run', error: encodeError(payload), startedAt, endedAt: epochNow() + offset };
    ended = isCancelledError(payload) ? 'cancelled' : 'failed';
    reason = payload instanceof Error ? payload.message : String(payload);
  }
  try {
    return { kind: 'answer', answer: encodeAnswer(outcome, job.stalledCounter, onRedisClock), outcome: ended, ...(reason === undefined ? {} : { reason }) };
  } catch (error) {
    const cloneError = new CloneError(`the result of \`${run.name}\` cannot be sent back to the caller: ${String(error)}`, 'result', { cause: error });
    const answer = encodeAnswer({ type: 'error', id: 0, phase: 'result', error: encodeError(cloneError), startedAt, endedAt: outcome.endedAt }, job.stalledCounter, onRedisClock);
    return { kind: 'answer', answer, outcome: 'failed', reason: cloneError.message };
  }
}

/** The jobs whose calls reported progress (their answers go by the events only: see answerAhead). */
const progressed = new WeakSet<BullMQ.Job>();

/**
 * Where a call's progress goes: to the caller as the job's (coalesced locally; a value that
 * cannot travel, or a failed write, loses only that report).
 */
function progressTo(job: BullMQ.Job): (progress: unknown) => void {
  return (progress) => {
    progressed.add(job);
    let encoded: string;
    try {
      encoded = encodePayload(progress);
    } catch {
      return;
    }
    job.updateProgress({ [PROGRESS_KEY]: encoded }).catch(() => undefined);
  };
}
