/**
 * The remote executor's connections to Redis, one session of them (docs/remote.md,
 * "Connections"): BullMQ's `Queue` (adds, removes and looks at jobs), its `QueueEvents`
 * (the queue's event stream) and a plain connection (stop requests, Redis's clock). Opened
 * together by the executor's ./idle-session.ts when a call needs them, closed together once
 * it is idle. Part of the remote executor (./remote-executor.ts), which follows the events.
 */
import type * as BullMQ from 'bullmq';
import { epochNow } from '../engine/pool-call';
import type { RedisClock } from './redis-clock';
import type { ResolvedQueueOptions } from './remote-options';
import { openRedis } from './remote-redis';

/**
 * How far back in Redis's time a session's event reader starts (ms): far more than the
 * clock offset's error (half a round trip) and its drift between two measures (a minute).
 */
const EVENTS_REPLAY_MS = 1000;

/** One session of a caller's connections. */
export interface CallerConnections {
  readonly queue: BullMQ.Queue;
  readonly events: BullMQ.QueueEvents;
  /** Publishes stop requests on the cancel channel, and reads Redis's clock. */
  readonly publisher: ReturnType<typeof openRedis>;
}

/**
 * Open a session: the queue, its event stream and the publisher; `follow` listens to the
 * events before the reader's first read. `clock` is measured on the publisher first if it
 * never was (the first call's answer then already converts to this process's clock). The
 * event stream is read from a point before the opening, not from whatever is last when
 * the reader's first read reaches Redis: no event of a job added after the opening is
 * missed, however late that read. On a failure, what was opened is closed.
 */
export async function openCallerConnections(
  options: Pick<ResolvedQueueOptions, 'connection' | 'queue' | 'prefix'>,
  clock: RedisClock,
  follow: (events: BullMQ.QueueEvents, queue: BullMQ.Queue) => void,
): Promise<CallerConnections> {
  // Loaded on first use: importing unsync must not load BullMQ and ioredis.
  const { Queue, QueueEvents } = require('bullmq') as typeof BullMQ;
  const base = { connection: { ...options.connection }, ...(options.prefix === undefined ? {} : { prefix: options.prefix }) };
  const queue = new Queue(options.queue, base);
  // Connection errors are retried by ioredis; the executor's poll bounds what they delay.
  queue.on('error', () => undefined);
  // Its commands wait for Redis through an outage, as BullMQ's do (they are few: the
  // clock's reads, stop requests).
  const publisher = openRedis(options.connection, { maxRetriesPerRequest: null });
  let events: BullMQ.QueueEvents | undefined;
  try {
    if (clock.offset === undefined) await clock.measure(publisher);
    else clock.refreshIfStale(publisher);
    const lastEventId = await eventsFrom(clock, publisher, queue.keys.events);
    events = new QueueEvents(options.queue, { ...base, connection: { ...base.connection }, lastEventId });
    follow(events, queue);
  } catch (error) {
    await closeCallerConnections({ queue, events, publisher });
    throw error;
  }
  return { queue, events, publisher };
}

/** Close a session's connections (what of them was opened); never rejects. */
export async function closeCallerConnections(c: { readonly queue: BullMQ.Queue; readonly events: BullMQ.QueueEvents | undefined; readonly publisher: ReturnType<typeof openRedis> }): Promise<void> {
  await Promise.all([c.events?.close(), c.queue.close(), c.publisher.quit()].map((p) => p?.catch(() => undefined)));
}

/**
 * Where a new session reads the event stream from: a stream id is Redis's time in ms when
 * the event was added (or later), so with Redis's clock known, {@link EVENTS_REPLAY_MS}
 * before Redis's now (no round trip: the reader connects at once, beside the queue);
 * without it, the stream's last entry now (`XREVRANGE`). Earlier events of other jobs are
 * read again and dropped (only calls in flight are looked up).
 */
async function eventsFrom(clock: RedisClock, publisher: ReturnType<typeof openRedis>, stream: string): Promise<string> {
  const redisNow = clock.toRedis(epochNow());
  if (redisNow !== undefined) return `${Math.max(0, Math.floor(redisNow) - EVENTS_REPLAY_MS)}-0`;
  const [last] = await publisher.xrevrange(stream, '+', '-', 'COUNT', 1);
  return last?.[0] ?? '0-0';
}
