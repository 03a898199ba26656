/**
 * A remote worker that runs its calls in its own thread or process pool (`startWorker({
 * executor })`): values and errors travel as from the loop, a cooperative stop ends within
 * the grace, and a call deaf to cancellation is stopped by force (its thread terminated,
 * its child killed) while the worker keeps serving. Real redis-server (docs/remote.md).
 */
import * as path from 'node:path';
import { CancelledError, startWorker, type RemoteWorker } from '../../../src';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import { errorOf } from '../../helpers/async';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { BillingError } from '../../fixtures/remote-functions';

const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
/** The worker forces a stop after this; callers wait far longer, so a settle means it did. */
const WORKER_GRACE = 200;

let redis: RedisServer;
const workers = new Map<string, RemoteWorker>();
const callers = new Map<string, RemoteExecutor>();

beforeAll(async () => {
  redis = await startRedis();
  for (const kind of ['thread', 'process'] as const) {
    workers.set(kind, await startWorker({ modules: [MODULE], connection: redis.url, queue: `pool-${kind}`, executor: kind, concurrency: 2, cancelGrace: WORKER_GRACE }));
    callers.set(kind, new RemoteExecutor({ connection: redis.url, queue: `pool-${kind}`, cancelGrace: 30_000 }));
  }
});

afterAll(async () => {
  await Promise.all([...callers.values()].map((c) => c.close({ force: true })));
  await Promise.all([...workers.values()].map((w) => w.close()));
  await redis?.stop();
});

const call = <T>(kind: string, name: string, ...args: unknown[]) => callers.get(kind)!.submit<T>({ file: MODULE, name }, args);

describe.each(['thread', 'process'] as const)('a remote worker running calls in its %s pool', (kind) => {
  it('runs them there and sends back values and error classes', async () => {
    expect(workers.get(kind)!.executor).toBe(kind);
    const where = await call<{ inWorker: boolean; pid: number; threadId: number }>(kind, 'whereAmI');
    expect(where.inWorker).toBe(true);
    if (kind === 'thread') expect([where.pid, where.threadId === 0]).toEqual([process.pid, false]);
    else expect(where.pid).not.toBe(process.pid);
    expect(await call(kind, 'echo', new Map([[1, 2n]]))).toEqual(new Map([[1, 2n]]));
    expect(await errorOf(call(kind, 'throwRegistered'))).toBeInstanceOf(BillingError);
  });

  it('stops a cancelled call that cooperates within the grace, without force', async () => {
    const before = workers.get(kind)!.statistics()[kind]!;
    const future = call<string>(kind, 'untilCancelled', 'pool');
    await new Promise((resolve) => future.onProgress(resolve));
    future.cancel();
    expect(await errorOf(future)).toBeInstanceOf(CancelledError);
    expect(workers.get(kind)!.statistics()[kind]!).toMatchObject({
      stoppedCooperatively: before.stoppedCooperatively + 1,
      terminatedForCancel: before.terminatedForCancel,
    });
  });

  it('stops a call deaf to cancellation by force after the grace; the caller sees it cancelled and the worker keeps serving', async () => {
    const before = workers.get(kind)!.statistics()[kind]!;
    const future = call<never>(kind, 'spinForever');
    await new Promise((resolve) => future.onProgress(resolve));
    future.cancel();
    expect(await errorOf(future)).toBeInstanceOf(CancelledError);
    expect(workers.get(kind)!.statistics()[kind]!).toMatchObject({ terminatedForCancel: before.terminatedForCancel + 1 });
    expect(await call(kind, 'echo', 'after')).toBe('after');
    expect(callers.get(kind)!.statistics()).toMatchObject({ running: 0, queued: 0 });
  });
});
