/**
 * Several worker processes on one queue share its work (issue 15: "two workers sharing a
 * queue"): each takes jobs while the others are busy, and every call settles once with its
 * own answer. Real redis-server, real worker processes (each `concurrency: 1`, so a job that
 * comes while one worker is busy can only be taken by another).
 */
import * as path from 'node:path';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import { killSpawned } from '../../helpers/child-processes';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { spawnWorker, type WorkerProcess } from './worker-processes';

const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
const QUEUE = 'fleet';

let redis: RedisServer;
let fleet: WorkerProcess[] = [];
let executor: RemoteExecutor;

beforeAll(async () => {
  redis = await startRedis();
  fleet = await Promise.all([spawnWorker(redis.url, QUEUE), spawnWorker(redis.url, QUEUE)]);
  executor = new RemoteExecutor({ connection: redis.url, queue: QUEUE });
});

afterAll(async () => {
  await executor?.close({ force: true });
  await killSpawned();
  await Promise.all(fleet.map((w) => w.kill()));
  await redis?.stop();
});

it('two worker processes on one queue both take its jobs, and each call gets its own answer once', async () => {
  const calls = Array.from({ length: 6 }, (_, i) => executor.submit({ file: MODULE, name: 'napThenPid' }, [150 + i]));
  const pids = await Promise.all(calls);
  // Each worker runs one job at a time: with six jobs waiting, both must have taken some.
  expect(new Set(pids)).toEqual(new Set(fleet.map((w) => w.pid)));
  const stats = executor.statistics();
  expect(stats.completed).toBe(6);
  expect(stats.failed).toBe(0);
  // And one more call after the burst still finds a worker.
  expect(fleet.map((w) => w.pid)).toContain(await executor.submit({ file: MODULE, name: 'napThenPid' }, [1]));
});
