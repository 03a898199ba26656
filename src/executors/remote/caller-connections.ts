/**
 * The remote executor's connections to Redis, one session of them (docs/remote.md,
 * "Connections"): BullMQ's `Queue` (adds, removes and looks at jobs), its `QueueEvents`
 * (the queue's event stream), a plain connection (stop requests, Redis's clock) and a
 * subscriber to the caller's answer channel (answers ahead of the events). Opened
 * together by the executor's ./idle-session.ts when a call needs them, closed together once
 * it is idle. Part of the remote executor (./remote-executor.ts), which follows the events.
 */
import type * as BullMQ from 'bullmq';
import { epochNow } from '../engine/pool-call';
import type { RedisClock } from './redis-clock';
import type { ResolvedQueueOptions } from './remote-options';
import { answerChannel, openRedis } from './remote-redis';

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
  /**
   * Subscribed to the caller's answer channel, or undefined when the subscription failed
   * (a Redis user without the channel in its ACL): answers then come by the events alone.
   */
  readonly answers: ReturnType<typeof openRedis> | undefined;
}

/** The caller's answer channel: its id (`RemoteJobData.reply`), and what to do with each message. */
export interface AnswerChannel {
  readonly reply: string;
  readonly onAnswer: (message: string) => void;
}

/**
 * Open a session: the queue, its event stream and the publisher; `follow` listens to the
 * events before the reader's first read. `clock` is measured on the publisher first if it
 * never was (the first call's answer then already converts to this process's clock). The
 * event stream is read from a point before the opening, not from whatever is last when
 * the reader's first read reaches Redis: no event of a job added after the opening is
 * missed, however late that read. The answer channel is subscribed to before the session
 * is open, so a job added with its `reply` finds the caller listening (or, if refused,
 * without: see {@link CallerConnections.answers}). On a failure, what was opened is closed.
 */
export async function openCallerConnections(
  options: Pick<ResolvedQueueOptions, 'connection' | 'queue' | 'prefix'>,
  clock: RedisClock,
  follow: (events: BullMQ.QueueEvents, queue: BullMQ.Queue) => void,
  answers: AnswerChannel,
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
  // Beside the rest: a session opens no later for it.
  const subscribing = subscribeAnswers(options, answers);
  let events: BullMQ.QueueEvents | undefined;
  try {
    if (clock.offset === undefined) await clock.measure(publisher);
    else clock.refreshIfStale(publisher);
    const lastEventId = await eventsFrom(clock, publisher, queue.keys.events);
    events = new QueueEvents(options.queue, { ...base, connection: { ...base.connection }, lastEventId });
    follow(events, queue);
  } catch (error) {
    await closeCallerConnections({ queue, events, publisher, answers: await subscribing });
    throw error;
  }
  return { queue, events, publisher, answers: await subscribing };
}

/** Close a session's connections (what of them was opened); never rejects. */
export async function closeCallerConnections(c: {
  readonly queue: BullMQ.Queue;
  readonly events: BullMQ.QueueEvents | undefined;
  readonly publisher: ReturnType<typeof openRedis>;
  readonly answers: ReturnType<typeof openRedis> | undefined;
}): Promise<void> {
  await Promise.all([c.events?.close(), c.queue.close(), c.publisher.quit(), c.answers?.quit()].map((p) => p?.catch(() => undefined)));
}

/**
 * A connection subscribed to the answer channel of `answers.reply`, handing each message to
 * `answers.onAnswer`; undefined (the connection closed) if the subscription failed. ioredis
 * subscribes again after a reconnect; an answer published meanwhile is lost, and its call
 * settles by the events (or the poll) as any call does.
 */
async function subscribeAnswers(options: Pick<ResolvedQueueOptions, 'connection' | 'queue' | 'prefix'>, answers: AnswerChannel): Promise<ReturnType<typeof openRedis> | undefined> {
  const channel = answerChannel(options.queue, options.prefix, answers.reply);
  // A refusal must not wait out ioredis's retries of the connection: one try.
  const subscriber = openRedis(options.connection, { maxRetriesPerRequest: 1 });
  subscriber.on('message', (from: string, message: string) => {
    if (from === channel) answers.onAnswer(message);
  });
  try {
    await subscriber.subscribe(channel);
    return subscriber;
  } catch {
    subscriber.disconnect();
    return undefined;
  }
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
