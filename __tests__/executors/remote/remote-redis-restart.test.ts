/**
 * Redis restarted without persistence while a call runs on a worker (docs/remote.md,
 * "Failure semantics"): the job is gone with the data, so the caller's call ends with
 * RemoteJobError at its next poll instead of waiting for ever; the worker, whose lock on
 * the job can no longer be renewed, stops the orphaned call (a 60 s one here) and takes the
 * next job. Real redis-server, a real worker process (concurrency 1: without the stop, the
 * call after the restart waits behind the orphan for its whole minute). The caller's poll is
 * slower than the worker's lock renewal (every 500 ms): the worker stops the orphan before
 * the caller looks, and that stop's cancelled answer must not reach the caller as the
 * call's answer (docs/remote.md, "Answers ahead of the events").
 */
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { RemoteJobError } from '../../../src';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import { errorOf } from '../../helpers/async';
import { killSpawned } from '../../helpers/child-processes';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { spawnWorker, type WorkerProcess } from './worker-processes';

const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
const QUEUE = 'restart';

let redis: RedisServer;
let worker: WorkerProcess | undefined;
let executor: RemoteExecutor | undefined;

afterAll(async () => {
  await executor?.close({ force: true });
  await killSpawned();
  await worker?.kill();
  await redis?.stop();
});

it('ends a running call with RemoteJobError when Redis comes back empty, then serves again', async () => {
  redis = await startRedis();
  // A short stallTimeout: the worker renews its locks every 500 ms, so it finds out soon.
  worker = await spawnWorker(redis.url, QUEUE, 1000);
  executor = new RemoteExecutor({ connection: redis.url, queue: QUEUE, pollInterval: 3000 });
  const running = executor.submit<number>({ file: MODULE, name: 'napThenPid' }, [60_000]);
  const failure = errorOf(running);
  // Wait until a worker took the job (it is active), then restart Redis on the same port.
  const queue = new Queue(QUEUE, { connection: { url: redis.url } });
  while ((await queue.getActiveCount()) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  await queue.close();
  await redis.stop();
  redis = await startRedis(redis.port);

  const error = await failure;
  expect(error).toBeInstanceOf(RemoteJobError);
  expect((error as Error).message).toMatch(/gone|missing|no longer/i);
  // Both sides reconnect: a new call finds the worker.
  expect(await executor.submit({ file: MODULE, name: 'echo' }, ['after'])).toBe('after');
}, 60_000);
