/**
 * What of the remote executor goes through Redis beside BullMQ: the stop requests (the
 * cancel channel and the stop keys; docs/remote.md, "Stopping a running call"), and a plain
 * ioredis connection for them, from the remote options' connection (a `{ url, … }` or
 * ioredis options).
 */
import type * as IORedis from 'ioredis';

/** The Redis pub/sub channel on which callers ask workers to stop a running job (the message is the job id). */
export function cancelChannel(queue: string, prefix: string | undefined): string {
  return `${prefix ?? 'bull'}:${queue}:unsync-cancel`;
}

/**
 * The pub/sub channel on which workers send a caller the answers of its jobs added with
 * `reply` (`RemoteJobData.reply`), ahead of BullMQ's `completed` event (the message is
 * `[jobId, answer]` as JSON): docs/remote.md, "Answers ahead of the events".
 */
export function answerChannel(queue: string, prefix: string | undefined, reply: string): string {
  return `${prefix ?? 'bull'}:${queue}:unsync-answer:${reply}`;
}

/**
 * The key that records a caller's stop request for `jobId`, set just before the request is
 * published: pub/sub is fire-and-forget (a worker whose subscriber reconnects misses it), so
 * a worker also looks for this key when it takes a job and, for its running jobs, when its
 * subscriber connects again (docs/remote.md, "Stopping a running call").
 */
export function stopKey(queue: string, prefix: string | undefined, jobId: string): string {
  return `${prefix ?? 'bull'}:${queue}:unsync-stop:${jobId}`;
}

/**
 * How long a stop request's key lives (ms): long after any caller stops waiting (its
 * `cancelGrace`), so that a worker coming back from a Redis outage still finds it.
 */
export const STOP_KEY_TTL_MS = 10 * 60_000;

/**
 * Ask the worker running `jobId` to stop it: record the request under its stop key (kept
 * {@link STOP_KEY_TTL_MS}, or twice the caller's `cancelGrace` if longer), then publish it on
 * the cancel channel. The key first, on one connection (which runs commands in order): a
 * worker that misses the message finds the request when it takes the job or when its
 * subscriber reconnects. Fire-and-forget: a failure is swallowed (the caller's grace bounds
 * a lost request).
 */
export function requestStop(redis: IORedis.Redis, queue: string, prefix: string | undefined, jobId: string, cancelGrace: number): void {
  redis
    .pipeline()
    .set(stopKey(queue, prefix, jobId), '1', 'PX', Math.max(STOP_KEY_TTL_MS, 2 * cancelGrace))
    .publish(cancelChannel(queue, prefix), jobId)
    .exec()
    .catch(() => undefined);
}

/**
 * Open a connection (ioredis is loaded on first use: importing unsync must not load it);
 * `defaults` are ioredis options the connection's own override.
 */
export function openRedis(connection: Readonly<Record<string, unknown>>, defaults: Readonly<Record<string, unknown>> = {}): IORedis.Redis {
  const { Redis } = require('ioredis') as typeof IORedis;
  const { url, ...rest } = { ...defaults, ...connection };
  const redis = typeof url === 'string' ? new Redis(url, rest) : new Redis(rest);
  // Reconnects are ioredis's; a stop request missed meanwhile is found by its key (see stopKey).
  redis.on('error', () => undefined);
  return redis;
}
