/**
 * `executor: 'remote'` in the decorator's options and in `.with()`: the call goes
 * `toRemote`'s way, to a real BullMQ worker on a real redis-server started here (the
 * remote executor's own tests, __tests__/executors/remote/, cover the executor itself).
 */
import * as path from 'node:path';
import { InvalidStateError, configure, inspect, shutdown, startWorker, statistics, unsync, type RemoteWorker } from '../../src';
import { errorOf } from '../helpers/async';
import { startRedis, type RedisServer } from '../helpers/redis-server';
import { doubleHere, remoteSquare } from '../fixtures/decorated-remote';

const MODULE = path.join(__dirname, '../fixtures/decorated-remote.ts');
const QUEUE = 'decorated-remote-test';

let redis: RedisServer | undefined;
let worker: RemoteWorker | undefined;

afterAll(async () => {
  await worker?.close();
  await shutdown();
  await redis?.stop();
});

describe("executor: 'remote'", () => {
  it('is validated at decoration and .with() time, and inspect reports it', () => {
    expect(inspect(remoteSquare)).toMatchObject({ executor: 'remote', rule: 'option' });
    expect(inspect(remoteSquare).reason).toContain('remote worker');
    expect(() => unsync(function* gen() {}, { executor: 'remote' })).toThrow(/generator function gen to the remote executor/);
    const gen = unsync(function* gen2() {}, { executor: 'thread' });
    expect(() => gen.with({ executor: 'remote' })).toThrow(/generator function.*remote/);
  });

  it('without configure({ remote }), a call fails with the error toRemote gives, saying what to set', async () => {
    const error = await errorOf(remoteSquare(3));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as Error).message).toContain('configure({ remote: { connection:');
    expect(await errorOf(doubleHere.with({ executor: 'remote' })(1))).toBeInstanceOf(InvalidStateError);
  });

  it('sends decorated calls, and .with() calls, to a remote worker', async () => {
    redis = await startRedis();
    configure({ remote: { connection: redis.url, queue: QUEUE } });
    worker = await startWorker({ modules: [MODULE], connection: redis.url, queue: QUEUE, concurrency: 1 });
    const square = remoteSquare(4);
    expect(square.executor).toBe('remote');
    expect(await square).toBe(16);
    const moved = doubleHere.with({ executor: 'remote', name: 'double-remote' })(5);
    expect(moved.executor).toBe('remote');
    expect(moved.getName()).toBe('double-remote');
    expect((await moved).doubled).toBe(10);
    expect(statistics().executors.remote).toMatchObject({ completed: 2 });
    expect(statistics().decorated.find((d) => d.name === 'remoteSquare')?.calls).toEqual({ remote: 1 });
    expect((await doubleHere(1)).doubled).toBe(2); // without .with(): still on the loop
  }, 60_000);
});
