/**
 * The calls a remote worker runs, by job id, and the stop requests that reach them
 * (docs/remote.md, "Stopping a running call"): the cancel channel's messages, the stop keys
 * looked up when a message may have been missed, and the closing worker's requeue. Part of
 * the remote worker (./remote-worker.ts), which starts and ends the calls.
 */
import type { Unfuture } from '../../core/future';
import { openRedis, stopKey } from './remote-redis';

/** Which of `jobIds` a caller asked to stop: their stop keys exist (none on a Redis error: the message may still come). */
export async function stopRequested(
  commands: ReturnType<typeof openRedis>,
  o: { readonly queue: string; readonly prefix: string | undefined },
  jobIds: readonly string[],
): Promise<string[]> {
  if (jobIds.length === 0) return [];
  try {
    const found = await commands.exists(...jobIds.map((id) => stopKey(o.queue, o.prefix, id)));
    if (found === 0) return [];
    if (jobIds.length === 1) return [...jobIds];
    const each = await commands.pipeline(jobIds.map((id) => ['exists', stopKey(o.queue, o.prefix, id)])).exec();
    return jobIds.filter((_, i) => each?.[i]?.[1] === 1);
  } catch {
    return [];
  }
}

/** How long a stop request for a job this worker does not run (yet) is remembered (ms). */
const EARLY_STOP_MS = 60_000;

/** Slack for `Date.now()` steps when comparing the subscription's start with a job's (ms). */
const CLOCK_SLACK_MS = 250;

/**
 * The calls this worker runs, by job id. Every worker hears every stop request; the one
 * running the job acts. A caller publishes one only for a job a worker holds, so a request
 * for a job this worker took comes after BullMQ made it active here: heard as the call
 * runs, or just before it started (remembered in `#early`). It is missed only if the
 * subscriber was away meanwhile, or if it was made while another worker held the job
 * (a closing worker put it back to waiting): then the request's key is looked up, once the
 * call is registered (the key or the message, whichever comes later, finds it), for a job
 * that became active here while the subscriber was not known to be subscribed, or that ran
 * before; and for every running call when the subscriber is subscribed again ({@link recheck}).
 */
export class RunningCalls {
  readonly #running = new Map<string, Unfuture<unknown>>();
  readonly #early = new Map<string, number>();
  readonly #requested: (jobIds: readonly string[]) => Promise<string[]>;
  /** When the subscriber last became subscribed (this process's clock); undefined while it is away. */
  #subscribedSince: number | undefined = undefined;

  constructor(requested: (jobIds: readonly string[]) => Promise<string[]>) {
    this.#requested = requested;
  }

  /** The subscriber is subscribed since `at`, or (undefined) it lost its connection. */
  subscribed(at: number | undefined): void {
    this.#subscribedSince = at;
  }

  /**
   * Whether a stop request for a job made active here at `activeAt` (its `processedOn`,
   * this process's clock) and started `starts` times may have been missed.
   */
  mayHaveMissed(activeAt: number | undefined, starts: number): boolean {
    const since = this.#subscribedSince;
    return starts > 1 || since === undefined || activeAt === undefined || activeAt < since + CLOCK_SLACK_MS;
  }

  /** A caller asked to stop `jobId`: cancel its call if it runs here, else remember it for a while. */
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

  /** Look for stop requests of every running call (the subscriber has just come back). */
  recheck(): void {
    void this.#requested([...this.#running.keys()]).then((ids) => ids.forEach((id) => this.stop(id)));
  }

  /** Jobs whose calls the closing worker stopped: back to waiting, unless they answered anyway. */
  readonly #requeued = new Set<string>();
  #closing = false;

  /** The worker is closing and its grace is over: stop every running call, to requeue its job. */
  requeueAll(): void {
    this.#closing = true;
    for (const [jobId, task] of this.#running) {
      this.#requeued.add(jobId);
      task.cancel('the remote worker is closing');
    }
  }

  /** Whether the call of `jobId` was stopped by {@link requeueAll}. */
  requeued(jobId: string): boolean {
    return this.#requeued.has(jobId);
  }

  /**
   * The call `task` of `jobId` started: it runs here until {@link ended}. A stop request
   * that came first cancels it at once; with `lookUp` (see {@link mayHaveMissed}) its key
   * is looked for too.
   */
  started(jobId: string, lookUp: boolean, task: Unfuture<unknown>): void {
    this.#running.set(jobId, task);
    if (this.#early.delete(jobId)) task.cancel('cancelled by its caller before it started');
    else if (this.#closing) {
      this.#requeued.add(jobId);
      task.cancel('the remote worker is closing');
    } else if (lookUp) {
      void this.#requested([jobId]).then((ids) => ids.length > 0 && this.stop(jobId));
    }
  }

  /** The call of `jobId` settled (see {@link started}). */
  ended(jobId: string): void {
    this.#running.delete(jobId);
  }
}
