/**
 * The remote executor's poll for missed events (docs/remote.md, "A call's life";
 * src/executors/remote/job-poll.ts): a call whose `completed` event never reaches the
 * caller still settles, from the job's stored state.
 *
 * The miss is made deterministic with Redis's own ACLs, not a mock: the caller connects as
 * an ACL user of its own; the test takes XREAD away from that user and unblocks the
 * caller's blocked stream read (CLIENT UNBLOCK), so its QueueEvents can no longer read the
 * events stream (each read is refused). The worker (the default user) completes the job;
 * once its `completed` event is in the stream, the test trims the stream (as BullMQ's
 * `maxLenEvents` does to a reader left behind) and gives XREAD back: the caller's stream
 * reader resumes after the last event it read, and the `completed` event is gone for good.
 * Only the poll can settle the call (without it the test times out).
 *
 * The same refusal shows the other side: a caller's event reader whose first read reaches
 * Redis after its job finished still reads that job's events, since each session of
 * connections reads the stream from a point before its opening (a second back on Redis's
 * clock, or the stream's last entry when the clock is unknown), not from whatever is last
 * at the first read: the call settles with no poll.
 */
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { startWorker, type RemoteJobReport, type RemoteWorker } from '../../../src';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import { MAX_TIMER_MS } from '../../../src/core/validate';
import { nativeDelay } from '../../helpers/async';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { readerBlocked as readerBlockedOf, unblockReaders } from './caller-clients';

const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
const QUEUE = 'missed-events';
const EVENTS = `bull:${QUEUE}:events`;
const USER = 'caller';

let redis: RedisServer;
let admin: Redis;
let worker: RemoteWorker;
let executor: RemoteExecutor;
const reports: RemoteJobReport[] = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  // No pub/sub channels: the caller cannot subscribe to its answer channel, so every answer
  // comes by the events (or the poll), which is what these tests are about.
  await admin.call('ACL', 'SETUSER', USER, 'on', '>secret', '~*', 'resetchannels', '+@all');
  worker = await startWorker({ modules: [MODULE], connection: redis.url, queue: QUEUE, onJob: (report) => reports.push(report) });
  // One session of connections for the whole test (idle between its calls for longer than the default idleTimeout).
  executor = new RemoteExecutor({ connection: `redis://${USER}:secret@127.0.0.1:${redis.port}`, queue: QUEUE, pollInterval: 50, idleTimeout: 600_000 });
});

afterAll(async () => {
  await executor?.close({ force: true });
  await worker?.close();
  admin?.disconnect();
  await redis?.stop();
});

/** Whether the caller's event stream reader waits in a blocking XREAD. */
const readerBlocked = (): Promise<boolean> => readerBlockedOf(admin, USER);

/** Whether the events stream holds a `completed` event of `jobId`. */
async function completedEventOf(jobId: string): Promise<boolean> {
  const entries = await admin.xrange(EVENTS, '-', '+');
  return entries.some(([, fields]) => {
    const event: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
    return event.event === 'completed' && event.jobId === jobId;
  });
}

it('settles a call whose completed event the caller never reads, from the job stored in Redis', async () => {
  // The executor's queue and event stream are open and serving.
  expect(await executor.submit({ file: MODULE, name: 'echo' }, ['warm'])).toBe('warm');
  while (!(await readerBlocked())) await nativeDelay(10);

  // Cut the caller's event stream: a read from now on is refused, the one blocked now is ended.
  await admin.call('ACL', 'SETUSER', USER, '-xread');
  await unblockReaders(admin, USER);

  const missed = executor.submit<string>({ file: MODULE, name: 'echo' }, ['missed']);
  // Wait for state: the worker answered the job and BullMQ published its completed event.
  while (reports.length < 2) await nativeDelay(10);
  const { jobId, outcome } = reports[1]!;
  expect(outcome).toBe('completed');
  while (!(await completedEventOf(jobId))) await nativeDelay(10);

  // Lose the event for good (trimmed past the reader), then let the reader read again.
  await admin.xtrim(EVENTS, 'MAXLEN', 0);
  expect(await completedEventOf(jobId)).toBe(false);
  await admin.call('ACL', 'SETUSER', USER, '+xread');

  expect(await missed).toBe('missed');
  expect(executor.statistics()).toMatchObject({ submitted: 2, completed: 2, failed: 0, running: 0, queued: 0 });
  // The reader reads again (BullMQ retries a refused read after 5 s): wait for it, so that
  // its retry timer does not outlive the file.
  while (!(await readerBlocked())) await nativeDelay(20);
});

it.each([
  ["with Redis's clock known (the reader starts a second back in Redis's time)", []],
  ["without it (TIME refused: the reader starts at the stream's last entry)", ['-time']],
])("reads the events of a job that finished before the caller's event reader first read, %s", async (_, rules: string[]) => {
  // A new caller, whose first read is refused until the job has finished; no poll.
  await admin.call('ACL', 'SETUSER', USER, '-xread', ...rules);
  const late = new RemoteExecutor({ connection: `redis://${USER}:secret@127.0.0.1:${redis.port}`, queue: QUEUE, pollInterval: MAX_TIMER_MS });
  try {
    const before = reports.length;
    const call = late.submit<string>({ file: MODULE, name: 'echo' }, ['late']);
    while (reports.length === before) await nativeDelay(10);
    const { jobId, outcome } = reports[before]!;
    expect(outcome).toBe('completed');
    while (!(await completedEventOf(jobId))) await nativeDelay(10);
    await admin.call('ACL', 'SETUSER', USER, '+xread');
    // Its first read that Redis serves (the first one, or BullMQ's retry 5 s after a refusal) starts where this session's stream began.
    expect(await call).toBe('late');
  } finally {
    await admin.call('ACL', 'SETUSER', USER, '+xread', '+time');
    await late.close({ force: true });
  }
});
