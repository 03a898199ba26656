/**
 * Answers ahead of the events (docs/remote.md, "Answers ahead of the events"): a caller with
 * few calls in flight has its worker publish each answer on its answer channel before
 * BullMQ stores it and publishes the `completed` event; the caller settles on whichever
 * comes first. Real redis-server and worker.
 *
 * That an answer came by the channel is made deterministic as in remote-missed-events.test.ts:
 * the caller connects as an ACL user of its own whose XREAD the test takes away (and whose
 * blocked read it ends), with no poll, so the events cannot settle a call; only the answer
 * channel can.
 */
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { startWorker, type RemoteJobReport, type RemoteWorker } from '../../../src';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import { REMOTE_PROTOCOL, encodePayload, moduleKey } from '../../../src/executors/remote/remote-wire';
import { MAX_TIMER_MS } from '../../../src/core/validate';
import { nativeDelay } from '../../helpers/async';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { clientsOf, readerBlocked, unblockReaders } from './caller-clients';

const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
const QUEUE = 'answers-ahead';
const USER = 'ahead-caller';
const CALLER_URL = (): string => `redis://${USER}:secret@127.0.0.1:${redis.port}`;

let redis: RedisServer;
let admin: Redis;
let worker: RemoteWorker;
const reports: RemoteJobReport[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  await admin.call('ACL', 'SETUSER', USER, 'on', '>secret', '~*', '&*', '+@all');
  worker = await startWorker({ modules: [MODULE], connection: redis.url, queue: QUEUE, concurrency: 8, onJob: (report) => reports.push(report) });
});

afterAll(async () => {
  await worker?.close();
  admin?.disconnect();
  await redis?.stop();
});

async function until(condition: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await condition())) await nativeDelay(10);
}

/** Take XREAD away from the caller's user and end its blocked read: no event reaches it from now on. */
async function cutEvents(): Promise<void> {
  await until(() => readerBlocked(admin, USER));
  await admin.call('ACL', 'SETUSER', USER, '-xread');
  await unblockReaders(admin, USER);
}

/** Give XREAD back, and wait until the caller's reader reads again (BullMQ retries a refused read after 5 s). */
async function restoreEvents(): Promise<void> {
  await admin.call('ACL', 'SETUSER', USER, '+xread');
  await until(() => readerBlocked(admin, USER));
}

/** How many PUBLISH commands Redis has run so far. */
async function publishes(): Promise<number> {
  const stats = (await admin.call('INFO', 'commandstats')) as string;
  return Number(/cmdstat_publish:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

const echo = { file: MODULE, name: 'echo' };

it('settles a call from the answer its worker published, with no event read and no poll', async () => {
  const caller = new RemoteExecutor({ connection: CALLER_URL(), queue: QUEUE, pollInterval: MAX_TIMER_MS, idleTimeout: 600_000 });
  try {
    // The first call opens the session (its job is added before the subscriber is known: by the events).
    expect(await caller.submit(echo, ['warm'])).toBe('warm');
    await cutEvents();
    expect(await caller.submit(echo, ['ahead'])).toBe('ahead');
    expect(await caller.submit(echo, [{ map: new Map([[1, 2n]]) }])).toEqual({ map: new Map([[1, 2n]]) });
    expect(caller.statistics()).toMatchObject({ submitted: 3, completed: 3, running: 0, queued: 0 });
    await restoreEvents();
  } finally {
    await admin.call('ACL', 'SETUSER', USER, '+xread');
    await caller.close({ force: true });
  }
});

it('asks for answers ahead only while few calls are in flight: the later ones of a burst wait for their events', async () => {
  const caller = new RemoteExecutor({ connection: CALLER_URL(), queue: QUEUE, pollInterval: MAX_TIMER_MS, idleTimeout: 600_000 });
  try {
    expect(await caller.submit(echo, ['warm'])).toBe('warm');
    await cutEvents();
    const before = reports.length;
    const burst = Array.from({ length: 6 }, (_, i) => caller.submit<number>(echo, [i]));
    // The first four (in flight with at most three others when submitted) settle by their answers.
    expect(await Promise.all(burst.slice(0, 4))).toEqual([0, 1, 2, 3]);
    // Every job ran; the last two are answered in Redis, but their calls wait for the events.
    await until(() => reports.length >= before + 6);
    expect(burst.slice(4).map((future) => future.done())).toEqual([false, false]);
    await admin.call('ACL', 'SETUSER', USER, '+xread');
    expect(await Promise.all(burst.slice(4))).toEqual([4, 5]);
    await restoreEvents();
  } finally {
    await admin.call('ACL', 'SETUSER', USER, '+xread');
    await caller.close({ force: true });
  }
});

it('gets every answer by the events when its Redis user may not subscribe to the answer channel', async () => {
  const user = 'no-channels';
  await admin.call('ACL', 'SETUSER', user, 'on', '>secret', '~*', 'resetchannels', '+@all');
  const caller = new RemoteExecutor({ connection: `redis://${user}:secret@127.0.0.1:${redis.port}`, queue: QUEUE, idleTimeout: 600_000 });
  try {
    const published = await publishes();
    for (const tag of ['a', 'b', 'c']) expect(await caller.submit(echo, [tag])).toBe(tag);
    // Its session opened without the subscriber, and its jobs did not ask.
    const list = await clientsOf(admin, user);
    expect(list.length).toBe(3);
    expect(list.some((line) => / flags=\S*P/.test(line))).toBe(false);
    expect(await publishes()).toBe(published);
  } finally {
    await caller.close({ force: true });
  }
});

it('drops what is not an answer to a call in flight, and keeps serving', async () => {
  const caller = new RemoteExecutor({ connection: CALLER_URL(), queue: QUEUE, idleTimeout: 600_000 });
  try {
    expect(await caller.submit(echo, ['open'])).toBe('open');
    const [channel] = (await admin.call('PUBSUB', 'CHANNELS', `bull:${QUEUE}:unsync-answer:*`)) as string[];
    expect(channel).toBeDefined();
    for (const message of ['not json', '[1, 2]', '{"jobId": "x"}', '["no-such-job", {"protocol": 2}]', '[]']) {
      expect(await admin.publish(channel!, message)).toBe(1);
    }
    expect(await caller.submit(echo, ['still'])).toBe('still');
    expect(caller.statistics()).toMatchObject({ submitted: 2, completed: 2, failed: 0, running: 0 });
  } finally {
    await caller.close({ force: true });
  }
});

it('answers a job whose reply is not an answer channel id by its events only, and keeps serving', async () => {
  const queue = new Queue(QUEUE, { connection: { url: redis.url } });
  try {
    const published = await publishes();
    const before = reports.length;
    const data = { protocol: REMOTE_PROTOCOL, module: moduleKey(MODULE, process.cwd()), name: 'echo', payload: encodePayload(['crafted']) };
    const job = await queue.add('echo', { ...data, reply: 'not an id: spaces and *' });
    await until(() => reports.length > before);
    expect(reports[before]).toMatchObject({ jobId: job.id, outcome: 'completed' });
    expect(await publishes()).toBe(published);
    // The same job with a well-formed id is answered on that channel.
    const listener = new Redis(redis.url);
    try {
      const heard = new Promise<string>((resolve) => listener.on('message', (_channel: string, message: string) => resolve(message)));
      await listener.subscribe(`bull:${QUEUE}:unsync-answer:test-listener`);
      const good = await queue.add('echo', { ...data, reply: 'test-listener' });
      const [jobId, answer] = JSON.parse(await heard) as [string, { protocol: number }];
      expect(jobId).toBe(good.id);
      expect(answer.protocol).toBe(REMOTE_PROTOCOL);
    } finally {
      listener.disconnect();
    }
  } finally {
    await queue.close();
  }
});
