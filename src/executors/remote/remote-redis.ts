/**
 * A plain ioredis connection from the remote options' connection (a `{ url, … }` or ioredis
 * options), for what BullMQ does not carry: the cancel channel (docs/remote.md).
 */
import type * as IORedis from 'ioredis';

/** The Redis pub/sub channel on which callers ask workers to stop a running job (the message is the job id). */
export function cancelChannel(queue: string, prefix: string | undefined): string {
  return `${prefix ?? 'bull'}:${queue}:unsync-cancel`;
}

/** Open a connection (ioredis is loaded on first use: importing unsync must not load it). */
export function openRedis(connection: Readonly<Record<string, unknown>>): IORedis.Redis {
  const { Redis } = require('ioredis') as typeof IORedis;
  const { url, ...rest } = connection;
  const redis = typeof url === 'string' ? new Redis(url, rest) : new Redis(rest);
  // Reconnects are ioredis's; a lost message is covered by the caller's grace (docs/remote.md).
  redis.on('error', () => undefined);
  return redis;
}
