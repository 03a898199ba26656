/**
 * Where a remote worker runs a job (docs/remote.md, "Where a job runs on the worker"): by
 * default where the function's own routing says (its decorator's `executor` option, or
 * `'auto'`'s decision), the loop when it has none; `startWorker({ executor })` and the CLI's
 * `--executor` send every job to one executor. Real redis-server and BullMQ workers.
 */
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { inspect, startWorker, type RemoteWorker } from '../../../src';
import { runWorker } from '../../../src/cli/worker-command';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { splitsWords, type Where } from '../../fixtures/remote-routed';

const MODULE = path.join(__dirname, '../../fixtures/remote-routed.ts');
const MAIN = { pid: process.pid, mainThread: true };
const THREAD = { pid: process.pid, mainThread: false };
/**
 * Words `splitsWords` builds and splits: tens of ms of CPU, so that its run's own time (less
 * the time it was preempted, which 'auto' leaves out) is over `blockMs` on a loaded machine.
 */
const WORDS = 1_000_000;

let redis: RedisServer;
const workers: RemoteWorker[] = [];
const callers: RemoteExecutor[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(callers.map((c) => c.close({ force: true })));
  await Promise.all(workers.map((w) => w.close()));
  await redis?.stop();
});

function caller(queue: string): (name: string, ...args: unknown[]) => Promise<Where> {
  const executor = new RemoteExecutor({ connection: redis.url, queue });
  callers.push(executor);
  return (name, ...args) => executor.submit<Where>({ file: MODULE, name }, args);
}

it("runs each job where its function's routing says: a thread, the loop, 'auto''s choice", async () => {
  const worker = await startWorker({ modules: [MODULE], connection: redis.url, queue: 'routed', concurrency: 2 });
  workers.push(worker);
  const call = caller('routed');
  expect(worker.executor).toBe('auto');
  expect(await call('onThread')).toEqual(THREAD);
  expect(await call('onLoop')).toEqual(MAIN);
  expect(await call('autoAsync')).toEqual(MAIN);
  // 'remote' names nothing on the worker's machine: the loop.
  expect(await call('remoteOnly')).toEqual(MAIN);
  const s = worker.statistics();
  expect([s.loop.completed, s.thread?.completed, s.process]).toEqual([3, 1, undefined]);
}, 30_000);

it("learns from the worker's runs as from calls on its machine: an 'auto' function whose run blocked the worker's loop moves to a pool there", async () => {
  const worker = await startWorker({ modules: [MODULE], connection: redis.url, queue: 'auto-evidence' });
  workers.push(worker);
  const call = caller('auto-evidence');
  // The test's process is the worker's: what 'auto' decides there is inspect()'s here.
  expect(inspect(splitsWords)).toMatchObject({ executor: 'loop', rule: 'source' });
  expect(await call('splitsWords', WORDS)).toEqual(MAIN);
  expect(inspect(splitsWords)).toMatchObject({ executor: 'thread', rule: 'measured', reason: expect.stringMatching(/blocked the event loop/) });
  expect(await call('splitsWords', WORDS)).toEqual(THREAD);
  // The pool's runs count too (its first, which loaded the module there, is left out).
  expect(await call('splitsWords', WORDS)).toEqual(THREAD);
  expect(inspect(splitsWords).measured.thread).toMatchObject({ calls: 1 });
  const s = worker.statistics();
  expect([s.loop.completed, s.thread?.completed]).toEqual([1, 2]);
}, 30_000);

it('startWorker({ executor }) runs every job there, whatever the routing', async () => {
  const worker = await startWorker({ modules: [MODULE], connection: redis.url, queue: 'forced-loop', executor: 'loop' });
  workers.push(worker);
  const call = caller('forced-loop');
  expect(await call('onThread')).toEqual(MAIN);
  expect(worker.statistics()).toEqual({ loop: expect.objectContaining({ completed: 1 }) });
}, 30_000);

it('`unsync worker --executor thread` runs every job on a thread, and by default follows the routing', async () => {
  const run = async (executor: 'thread' | undefined, queue: string): Promise<Where[]> => {
    let stop!: (signal: string) => void;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const ready = new Promise<void>((resolve) => stderr.on('data', (chunk: Buffer) => chunk.toString().includes('taking jobs') && resolve()));
    const done = runWorker(
      { command: 'worker', modules: [path.relative(process.cwd(), MODULE)], redis: redis.url, queue, concurrency: undefined, executor, grace: undefined, verbose: false },
      { stdout, stderr, cwd: process.cwd(), stopSignal: new Promise((resolve) => (stop = resolve)) },
    );
    try {
      await ready;
      const call = caller(queue);
      return [await call('onLoop'), await call('onThread')];
    } finally {
      stop('SIGTERM');
      expect(await done).toBe(0);
    }
  };
  expect(await run('thread', 'cli-thread')).toEqual([THREAD, THREAD]);
  expect(await run(undefined, 'cli-routed')).toEqual([MAIN, THREAD]);
}, 30_000);
