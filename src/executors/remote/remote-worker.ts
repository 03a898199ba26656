/**
 * The worker side of the remote executor: `startWorker` loads modules (which registers
 * their functions), then takes jobs from the queue and runs the registered function each
 * job names, on this process's event loop, answering with the encoded value or error.
 * Only registered functions run; nothing is loaded or evaluated from a job. Design:
 * docs/remote.md.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as BullMQ from 'bullmq';
import { CloneError } from '../../core/errors';
import type { Unfuture } from '../../core/future';
import { createTask } from '../../core/task';
import { epochNow } from '../engine/pool-call';
import type { CallOutcome } from '../protocol';
import { lookupRef } from '../registry';
import { encodeError } from '../worker/error-codec.cjs';
import { cancelChannel, openRedis } from './remote-redis';
import { resolveWorkerOptions, type RemoteWorkerOptions } from './remote-options';
import { CRASHED_REASON, REMOTE_PROTOCOL, decodePayload, encodeAnswer, type RemoteJobAnswer } from './remote-wire';

/** A running remote worker (see {@link startWorker}). */
export interface RemoteWorker {
  /** The queue it takes jobs from. */
  readonly queue: string;
  /** Stop taking jobs, let the running ones finish, and disconnect from Redis. Idempotent. */
  close(): Promise<void>;
}

/**
 * Start a remote worker in this process: load `options.modules` (paths relative to
 * `options.root`, default the current folder; loading them registers their functions with
 * `unsync`/`unsyncRegister`), then take jobs from the queue and run each on this process's
 * event loop as a library task, up to `concurrency` at once. A caller's stop request (its
 * cancel or timeout) cancels that task: `currentSignal()` aborts, `checkpoint()` and library
 * awaits throw `CancelledError`. A job naming a function no loaded module
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
  for (const module of o.modules) await loadModule(path.resolve(o.root, module));
  const { Worker, UnrecoverableError } = require('bullmq') as typeof BullMQ;
  const refuse = (reason: string): never => {
    // Unrecoverable: a refused job is not retried whatever its attempts.
    throw new UnrecoverableError(reason);
  };
  const calls = new RunningCalls();
  // Stop requests first, so that none for a job taken below is missed.
  const subscriber = openRedis(o.connection);
  subscriber.on('message', (_channel: string, jobId: string) => calls.stop(jobId));
  await subscriber.subscribe(cancelChannel(o.queue, o.prefix));
  const worker = new Worker(
    o.queue,
    (job) => {
      // A job whose earlier runs' workers died (BullMQ's stalled check moved it back, counting
      // it in `stalledCounter`) runs again only while it has attempts left (docs/remote.md).
      // A job added without attempts has 0 (BullMQ's "not set"): one run.
      const attempts = Math.max(1, job.opts.attempts ?? 1);
      if (job.stalledCounter >= attempts) {
        return refuse(`${CRASHED_REASON} (its lock expired) ${job.stalledCounter} time(s); attempts: ${attempts}`);
      }
      return runJob(job.id ?? '', job.data, o, refuse, calls);
    },
    {
      connection: { ...o.connection },
      concurrency: o.concurrency,
      name: o.name,
      // Stalled-job detection is BullMQ's: the lock of a running job is renewed every
      // lockDuration / 2; a job whose lock expired is moved back to waiting by the check
      // every stalledInterval. The attempts are counted above, per job, not by
      // maxStalledCount (one number for the whole worker): it is set out of the way.
      lockDuration: o.stallTimeout,
      stalledInterval: o.stallTimeout,
      maxStalledCount: NEVER_FAIL_STALLED,
      ...(o.prefix === undefined ? {} : { prefix: o.prefix }),
    },
  );
  // Connection errors are retried by ioredis; a job's own failure is stored on the job.
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  let closed: Promise<void> | undefined;
  return Object.freeze({
    queue: o.queue,
    close: () =>
      (closed ??= (async () => {
        await worker.close();
        await subscriber.quit().catch(() => undefined);
      })()),
  });
}

/** `maxStalledCount`: BullMQ never fails a stalled job itself; the processor does, per job's attempts. */
const NEVER_FAIL_STALLED = 1_000_000;

/** How long a stop request for a job this worker does not run (yet) is remembered (ms). */
const EARLY_STOP_MS = 60_000;

/**
 * The calls this worker runs, by job id, and the stop requests that came before their job
 * started here (the request and the job's start race: BullMQ marks the job active before
 * the processor runs). Every worker hears every request; the one running the job acts.
 */
class RunningCalls {
  readonly #running = new Map<string, Unfuture<unknown>>();
  readonly #early = new Map<string, number>();

  stop(jobId: string): void {
    const task = this.#running.get(jobId);
    if (task !== undefined) {
      task.cancel('cancelled by its caller');
      return;
    }
    const now = Date.now();
    if (this.#early.size > 1000) for (const [id, at] of this.#early) if (now - at > EARLY_STOP_MS) this.#early.delete(id);
    this.#early.set(jobId, now);
  }

  /** Run `fn` as a task under `jobId` (a stop request that came first cancels it at once). */
  async run(jobId: string, fn: () => unknown): Promise<unknown> {
    const task = createTask(fn);
    this.#running.set(jobId, task);
    if (this.#early.delete(jobId)) task.cancel('cancelled by its caller before it started');
    try {
      return await task;
    } finally {
      this.#running.delete(jobId);
    }
  }
}

/** CommonJS `require` first (tsx, ts-node, jest hook it), `import()` for ES modules. */
async function loadModule(file: string): Promise<void> {
  try {
    require(file);
  } catch (error) {
    if ((error as { code?: unknown })?.code !== 'ERR_REQUIRE_ESM') throw error;
    await import(pathToFileURL(file).href);
  }
}

/** Check a job, run the function it names, and encode the outcome. */
async function runJob(
  jobId: string,
  data: unknown,
  o: { readonly root: string; readonly maxPayload: number },
  refuse: (reason: string) => never,
  calls: RunningCalls,
): Promise<RemoteJobAnswer> {
  if (typeof data !== 'object' || data === null) return refuse('malformed job: its data is not an unsync remote call');
  const { protocol, module, name, payload } = data as Record<string, unknown>;
  if (protocol !== REMOTE_PROTOCOL) return refuse(`the job speaks protocol ${String(protocol)}, this worker ${REMOTE_PROTOCOL}`);
  if (typeof module !== 'string' || typeof name !== 'string' || typeof payload !== 'string') {
    return refuse('malformed job: module, name and payload must be strings');
  }
  // Before decoding anything: the size of the encoded arguments.
  const bytes = Buffer.byteLength(payload);
  if (bytes > o.maxPayload) return refuse(`the job's arguments are ${bytes} bytes encoded, over this worker's maxPayload (${o.maxPayload})`);
  // A registry lookup only: a name nothing registered finds nothing, whatever the path says.
  const ref = lookupRef({ file: path.resolve(o.root, module), name });
  if (ref === undefined) return refuse(`\`${name}\` of ${module} is not registered on this worker (only functions its modules register run)`);
  let args: unknown;
  try {
    args = decodePayload(payload);
  } catch (error) {
    return refuse(`malformed job: its arguments cannot be decoded (${String(error)})`);
  }
  if (!Array.isArray(args)) return refuse('malformed job: its arguments are not an array');
  const startedAt = epochNow();
  let outcome: CallOutcome;
  try {
    const value: unknown = await calls.run(jobId, () => ref.fn(...args));
    outcome = { type: 'result', id: 0, value, startedAt, endedAt: epochNow() };
  } catch (error) {
    outcome = { type: 'error', id: 0, phase: 'run', error: encodeError(error), startedAt, endedAt: epochNow() };
  }
  try {
    return encodeAnswer(outcome);
  } catch (error) {
    const cloneError = new CloneError(`the result of \`${name}\` cannot be sent back to the caller: ${String(error)}`, 'result', { cause: error });
    return encodeAnswer({ type: 'error', id: 0, phase: 'result', error: encodeError(cloneError), startedAt, endedAt: outcome.endedAt });
  }
}
