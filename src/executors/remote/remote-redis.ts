/**
 * A plain ioredis connection from the remote options' connection (a `{ url, … }` or ioredis
 * options), for what BullMQ does not carry: the cancel channel (docs/remote.md).
 */
import type * as IORedis from 'ioredis';

/** The Redis pub/sub channel on which callers ask workers to stop a running job (the message is the job id). */
export function cancelChannel(queue: string, prefix: string | undefined): string {
  return `${prefix ?? 'bull'}:${queue}:unsync-cancel`;
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

/** Open a connection (ioredis is loaded on first use: importing unsync must not load it). */
export function openRedis(connection: Readonly<Record<string, unknown>>): IORedis.Redis {
  const { Redis } = require('ioredis') as typeof IORedis;
  const { url, ...rest } = connection;
  const redis = typeof url === 'string' ? new Redis(url, rest) : new Redis(rest);
  // Reconnects are ioredis's; a stop request missed meanwhile is found by its key (see stopKey).
  redis.on('error', () => undefined);
  return redis;
}
