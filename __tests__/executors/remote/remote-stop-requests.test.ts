/**
 * Stop requests that the worker's pub/sub subscriber misses (docs/remote.md, "Stopping a
 * running call"): the caller also records each one under the job's stop key, and the worker
 * looks for it when it takes a job and, for its running calls, when its subscriber is back.
 * The misses are made deterministic: the worker process is frozen (SIGSTOP) while Redis
 * drops its subscriber (CLIENT KILL TYPE pubsub), so the request is published to nobody.
 * The callers' grace is long: a call that ends cancelled by its worker within it (counted
 * in `stoppedCooperatively`) was reached by the recorded request.
 */
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { Worker } from 'bullmq';
import { CancelledError } from '../../../src';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import { cancelChannel, stopKey } from '../../../src/executors/remote/remote-redis';
import { errorOf, nativeDelay } from '../../helpers/async';
import { killSpawned } from '../../helpers/child-processes';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { spawnWorker, type WorkerProcess } from './worker-processes';

const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
const QUEUE = 'stop-requests';
/** Far longer than a stop through the recorded request takes; the test fails (stoppedCooperatively 0) if it is waited out. */
const CALLER_GRACE = 20_000;

let redis: RedisServer;
let admin: Redis;
let worker: WorkerProcess;
let caller: RemoteExecutor;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  worker = await spawnWorker(redis.url, QUEUE);
  caller = new RemoteExecutor({ connection: redis.url, queue: QUEUE, cancelGrace: CALLER_GRACE });
});

afterAll(async () => {
  await killSpawned();
  if (worker !== undefined) {
    worker.child.kill('SIGCONT');
    await worker.kill();
  }
  await caller?.close({ force: true });
  admin?.disconnect();
  await redis?.stop();
});

/**
 * Freeze the worker process and have Redis drop its subscriber: what is published now
 * reaches no one. (The caller's answer subscriber, while its session is open, is dropped
 * too: it subscribes again, and answers go by the events meanwhile.)
 */
async function freezeWithoutSubscriber(): Promise<void> {
  worker.child.kill('SIGSTOP');
  expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(1);
  expect(await subscribers()).toBe(0);
}

async function subscribers(): Promise<number> {
  const [, count] = (await admin.call('PUBSUB', 'NUMSUB', cancelChannel(QUEUE, undefined))) as [string, number];
  return count;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await nativeDelay(5);
}

const requested = async (jobId: string): Promise<boolean> => (await admin.exists(stopKey(QUEUE, undefined, jobId))) === 1;

it('stops a call whose stop request came before its worker took the job', async () => {
  await freezeWithoutSubscriber();
  const future = caller.submit<string>({ file: MODULE, name: 'untilCancelled' }, ['taken-late']);
  // Taken by hand (locked, not run): the caller cannot remove it, so it asks the workers to stop it.
  const hand = new Worker(QUEUE, null, { connection: { url: redis.url } });
  try {
    let job = await hand.getNextJob('by-hand', { block: false });
    while (job === undefined) {
      await nativeDelay(5);
      job = await hand.getNextJob('by-hand', { block: false });
    }
    future.cancel();
    await until(() => requested(job!.id!));
    // The worker comes back and subscribes again; the request was published before that.
    worker.child.kill('SIGCONT');
    await until(async () => (await subscribers()) === 1);
    await job.moveToWait('by-hand');
    expect(await errorOf(future)).toBeInstanceOf(CancelledError);
    expect(caller.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 1, running: 0 });
  } finally {
    worker.child.kill('SIGCONT');
    await hand.close();
  }
}, 60_000);

it('stops a running call whose stop request was published while the subscriber was away', async () => {
  const future = caller.submit<string>({ file: MODULE, name: 'untilCancelled' }, ['missed']);
  await new Promise((resolve) => future.onProgress(resolve)); // it runs on the worker
  await freezeWithoutSubscriber();
  try {
    future.cancel();
    await until(async () => {
      const [active] = await admin.lrange(`bull:${QUEUE}:active`, 0, 0);
      return active !== undefined && (await requested(active));
    });
  } finally {
    worker.child.kill('SIGCONT');
  }
  expect(await errorOf(future)).toBeInstanceOf(CancelledError);
  expect(caller.statistics()).toMatchObject({ cancelled: 2, stoppedCooperatively: 2, running: 0 });
}, 60_000);
