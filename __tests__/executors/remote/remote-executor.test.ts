/**
 * The remote executor over a real redis-server (started here, on a free loopback port) and
 * a real BullMQ worker started in this process with `startWorker` (docs/remote.md).
 */
import * as path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import {
  CancelledError,
  CloneError,
  InvalidStateError,
  QueueFull,
  RemoteJobError,
  TimeoutError,
  configure,
  shutdown,
  startWorker,
  statistics,
  toRemote,
  type RemoteExecutorStatistics,
  type RemoteWorker,
} from '../../../src';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import { errorOf, nativeDelay } from '../../helpers/async';
import { killSpawned, spawnTracked } from '../../helpers/child-processes';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import * as fixtures from '../../fixtures/remote-functions';
import { BillingError, echo, hold, record, release, throwBuiltin, throwLibrary, throwRegistered } from '../../fixtures/remote-functions';

const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
const QUEUE = 'remote-test';
const WORKER_MAX_PAYLOAD = 64 * 1024;

let redis: RedisServer;
let worker: RemoteWorker;

beforeAll(async () => {
  redis = await startRedis();
  configure({ remote: { connection: redis.url, queue: QUEUE } });
  worker = await startWorker({ modules: [MODULE], connection: redis.url, queue: QUEUE, concurrency: 1, maxPayload: WORKER_MAX_PAYLOAD });
});

afterAll(async () => {
  await killSpawned();
  await worker?.close();
  await shutdown();
  await redis?.stop();
});

describe('configuration', () => {
  it('fails at once, naming what to set, when no connection is configured', () => {
    const error = (() => {
      try {
        new RemoteExecutor(undefined);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidStateError);
    expect((error as Error).message).toContain('configure({ remote: { connection:');
  });

  it('validates the options like every other', () => {
    expect(() => configure({ remote: { connection: 'http://localhost:6379' } })).toThrow(/remote\.connection.*redis:\/\//);
    expect(() => configure({ remote: { connection: redis.url, queue: 'a:b' } })).toThrow(TypeError);
    expect(() => configure({ remote: { connection: redis.url, pollInterval: 0 } })).toThrow(RangeError);
    expect(() => configure({ remote: { connection: redis.url, colour: 'red' } as never })).toThrow(/Unknown option `colour` in `remote`/);
    expect(() => configure({ remote: { connection: redis.url, cancelGrace: -1 } })).toThrow(RangeError);
    expect(() => configure({ remote: { connection: redis.url, attempts: 0 } })).toThrow(/Expected `remote\.attempts`/);
    expect(() => configure({ remote: { connection: redis.url, attempts: 1.5 } })).toThrow(TypeError);
    expect(() => configure({ remote: { connection: redis.url, callerStacks: 'yes' as never } })).toThrow("Expected `remote.callerStacks` to be a boolean or 'auto'");
    expect(() => configure({ remote: { connection: redis.url, idleTimeout: -1 } })).toThrow(/Expected `remote\.idleTimeout`/);
    expect(() => configure({ remote: { connection: redis.url, idleTimeout: '1s' as never } })).toThrow(TypeError);
    expect(() => configure({ remote: { connection: redis.url, resultTimeout: 0 } })).toThrow(/Expected `remote\.resultTimeout`/);
    expect(() => configure({ remote: { connection: redis.url, backoff: -5 } })).toThrow(/Expected `remote\.backoff`/);
    expect(() => configure({ remote: { connection: redis.url, backoff: { type: 'linear', delay: 5 } as never } })).toThrow("Expected `remote.backoff.type` to be 'fixed' or 'exponential'");
    expect(() => configure({ remote: { connection: redis.url, backoff: { type: 'fixed', delay: 5, jitter: 2 } } })).toThrow(RangeError);
    expect(() => configure({ remote: { connection: redis.url, backoff: { type: 'fixed', delay: 5, every: 1 } as never } })).toThrow(/Unknown option `every` in `remote\.backoff`/);
    // Valid (an executor of its own: configure() would replace the runtime's, which the other tests use).
    expect(new RemoteExecutor({ connection: redis.url, backoff: { type: 'exponential', delay: 100, jitter: 0.5 } }).kind).toBe('remote');
  });

  it('validates startWorker and toRemote arguments before touching Redis', async () => {
    await expect(startWorker({ connection: redis.url } as never)).rejects.toThrow(/Expected `options\.modules` to be a non-empty array of module paths/);
    await expect(startWorker({ modules: [MODULE], connection: redis.url, concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(startWorker({ modules: [MODULE], connection: 42 as never })).rejects.toThrow(/options\.connection/);
    await expect(startWorker({ modules: [MODULE], connection: redis.url, stallTimeout: 10 })).rejects.toThrow(/Expected `options\.stallTimeout`/);
    await expect(startWorker({ modules: [MODULE], connection: redis.url, name: '' })).rejects.toThrow(/options\.name/);
    await expect(startWorker({ modules: [MODULE], connection: redis.url, executor: 'remote' as never })).rejects.toThrow(
      /Expected `options\.executor` to be 'auto', 'loop', 'thread' or 'process', got "remote"/,
    );
    await expect(startWorker({ modules: [MODULE], connection: redis.url, cancelGrace: -1 })).rejects.toThrow(RangeError);
    expect(() => toRemote('echo' as never)).toThrow(TypeError);
  });
});

describe('calls', () => {
  it('round-trips values with structured-clone rules', async () => {
    const value = { map: new Map([[1, new Set([2n])]]), when: new Date(5), bytes: new Uint8Array([1, 2, 3]), nothing: undefined, nan: NaN };
    const future = toRemote(echo, value);
    expect(future.executor).toBe('remote');
    expect(await future).toEqual(value);
  });

  it('runs a function that returns at once in a task the first time, then without one; its progress and signal reach it either way', async () => {
    const seen: unknown[] = [];
    for (const tag of ['first', 'second', 'third']) {
      const future = toRemote(fixtures.reportNow, tag);
      const progress = new Promise((resolve) => future.onProgress(resolve));
      seen.push(await future, await progress);
    }
    expect(seen).toEqual([
      { tag: 'first', signal: true, aborted: false, inTask: true },
      'first',
      { tag: 'second', signal: true, aborted: false, inTask: false },
      'second',
      { tag: 'third', signal: true, aborted: false, inTask: false },
      'third',
    ]);
  });

  it('keeps the class of a built-in, a library and a registered error', async () => {
    const builtin = await errorOf(toRemote(throwBuiltin));
    expect(builtin).toBeInstanceOf(RangeError);
    expect((builtin as Error).message).toBe('too far');
    expect(await errorOf(toRemote(throwLibrary))).toBeInstanceOf(QueueFull);
    const registered = await errorOf(toRemote(throwRegistered));
    expect(registered).toBeInstanceOf(BillingError);
    expect(registered).toMatchObject({ message: 'card declined', code: 'E_CARD' });
  });

  it("shows the caller's frames above the worker's by default, and none with callerStacks: false", async () => {
    const callerFramesShown = async (callerStacks?: boolean): Promise<boolean> => {
      const executor = new RemoteExecutor({ connection: redis.url, queue: QUEUE, callerStacks });
      try {
        const error = await errorOf(executor.submit({ file: MODULE, name: 'throwBuiltin' }, []));
        expect(error).toBeInstanceOf(RangeError);
        return ((error as Error).stack ?? '').includes('remote-executor.test');
      } finally {
        await executor.close();
      }
    };
    expect([await callerFramesShown(), await callerFramesShown(false)]).toEqual([true, false]);
  });

  it('refuses a value that cannot travel before sending anything, naming the argument', async () => {
    const before = await jobCount();
    const error = await errorOf(toRemote(echo as (a: unknown, b: unknown) => unknown, 1, () => 2));
    expect(error).toBeInstanceOf(CloneError);
    expect((error as CloneError).what).toBe('argument 2');
    expect(await jobCount()).toBe(before);
  });

  it('fails a job over the worker payload limit with RemoteJobError, and the worker keeps serving', async () => {
    const error = await errorOf(toRemote(echo, 'x'.repeat(WORKER_MAX_PAYLOAD + 1)));
    expect(error).toBeInstanceOf(RemoteJobError);
    expect((error as Error).message).toContain('maxPayload');
    expect(await toRemote(record, 'after-limit')).toBe('after-limit');
  });

  it('fails a refused job with RemoteJobError when it has attempts left too (refusals are never retried)', async () => {
    const executor = new RemoteExecutor({ connection: redis.url, queue: QUEUE, attempts: 3 });
    try {
      const error = await errorOf(executor.submit({ file: MODULE, name: 'echo' }, ['x'.repeat(WORKER_MAX_PAYLOAD + 1)]));
      expect(error).toBeInstanceOf(RemoteJobError);
      expect((error as Error).message).toContain('maxPayload');
      expect(executor.statistics()).toMatchObject({ submitted: 1, failed: 1, retried: 0 });
    } finally {
      await executor.close();
    }
  });
});

describe('jobs that are not calls', () => {
  it('refuses an unregistered function and a malformed job, storing the reason, and keeps serving', async () => {
    const queue = new Queue(QUEUE, { connection: { url: redis.url } });
    const events = new QueueEvents(QUEUE, { connection: { url: redis.url } });
    try {
      await events.waitUntilReady();
      const unknown = await queue.add('x', { protocol: 2, module: 'package.json', name: 'constructor', payload: '[]' });
      await expect(unknown.waitUntilFinished(events)).rejects.toThrow(/`constructor` of package\.json is not registered on this worker/);
      const malformed = await queue.add('x', { hello: 'world' });
      await expect(malformed.waitUntilFinished(events)).rejects.toThrow(/protocol undefined/);
      const fileEnvelope = await queue.add('x', {
        protocol: 2,
        module: path.relative(process.cwd(), MODULE),
        name: 'echo',
        payload: JSON.stringify({ type: 'v8', file: '/tmp/not-from-redis' }),
      });
      await expect(fileEnvelope.waitUntilFinished(events)).rejects.toThrow(/cannot be decoded.*inline/);
      const future = await queue.add('x', { protocol: 99, module: path.relative(process.cwd(), MODULE), name: 'echo', payload: '[1]' });
      await expect(future.waitUntilFinished(events)).rejects.toThrow(/the job speaks protocol 99, this worker 2/);
      expect(await toRemote(record, 'still-serving')).toBe('still-serving');
    } finally {
      await events.close();
      await queue.close();
    }
  });
});

describe('cancellation', () => {
  it('removes a waiting job when its Unfuture is cancelled: it never runs', async () => {
    const holding = fixtures.holdStarted;
    const held = toRemote(hold);
    await holding; // the worker (concurrency 1) is busy: the next job waits in Redis
    const waiting = toRemote(record, 'cancelled-while-waiting');
    expect(waiting.cancel()).toBe(true);
    expect(await errorOf(waiting)).toBeInstanceOf(CancelledError);
    release();
    expect(await held).toBe('released');
    expect(await toRemote(record, 'next')).toBe('next');
    expect(fixtures.ran).not.toContain('cancelled-while-waiting');
    expect(statistics().executors.remote?.cancelled).toBeGreaterThanOrEqual(1);
  });

  it('times out end to end: a job no worker took fails with TimeoutError and leaves the queue', async () => {
    const executor = new RemoteExecutor({ connection: redis.url, queue: 'remote-test-idle' });
    const queue = new Queue('remote-test-idle', { connection: { url: redis.url } });
    try {
      const future = executor.submit({ file: MODULE, name: 'echo' }, [1], { timeout: 200 });
      expect(await errorOf(future)).toBeInstanceOf(TimeoutError);
      expect(await queue.getJobCounts('waiting', 'active', 'completed', 'failed')).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0 });
      expect(executor.statistics()).toMatchObject({ executor: 'remote', failed: 1, queued: 0, running: 0 });
    } finally {
      await executor.close();
      await queue.close();
    }
  });
  it('applies resultTimeout to a call without a timeout of its own; a call with its own keeps it', async () => {
    const executor = new RemoteExecutor({ connection: redis.url, queue: 'remote-test-result-timeout', resultTimeout: 150 });
    const queue = new Queue('remote-test-result-timeout', { connection: { url: redis.url } });
    try {
      // No worker takes either. Submitted first: had resultTimeout applied to it, its removal
      // would have come back before the second call's (one connection, in order).
      const unlimited = executor.submit({ file: MODULE, name: 'echo' }, [1], { timeout: Infinity });
      const limited = executor.submit({ file: MODULE, name: 'echo' }, [2]);
      expect(await errorOf(limited)).toBeInstanceOf(TimeoutError);
      expect(unlimited.done()).toBe(false);
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
      unlimited.cancel();
      expect(await errorOf(unlimited)).toBeInstanceOf(CancelledError);
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
    } finally {
      await executor.close();
      await queue.close();
    }
  });

  it('ends every cancelled waiting call cancelled while the missed-event poll looks at its job (the removal, not a lost job)', async () => {
    // The poll looks at each waiting job every millisecond: a look that lands between the
    // removal and its answer finds the job gone, and must leave the call to the removal.
    const executor = new RemoteExecutor({ connection: redis.url, queue: 'remote-test-cancel-race', pollInterval: 1 });
    const queue = new Queue('remote-test-cancel-race', { connection: { url: redis.url } });
    try {
      const futures = Array.from({ length: 60 }, (_, i) => executor.submit({ file: MODULE, name: 'echo' }, [i]));
      while ((await queue.getWaitingCount()) < futures.length) await nativeDelay(5);
      for (const future of futures) future.cancel();
      const errors = await Promise.all(futures.map((f) => errorOf(f)));
      expect(errors.map((e) => (e as Error).constructor.name)).toEqual(futures.map(() => 'CancelledError'));
      expect(executor.statistics()).toMatchObject({ cancelled: 60, failed: 0 });
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await executor.close();
      await queue.close();
    }
  });
});

async function jobCount(): Promise<number> {
  const queue = new Queue(QUEUE, { connection: { url: redis.url } });
  try {
    const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
}

describe('cancelling a running call', () => {
  it('reaches the worker: the call stops there (signal aborted, finally run) before the Unfuture ends cancelled', async () => {
    const executor = new RemoteExecutor({ connection: redis.url, queue: QUEUE, cancelGrace: 30_000 });
    try {
      const started = fixtures.untilCancelledStarted;
      const future = executor.submit<string>({ file: MODULE, name: 'untilCancelled' }, ['coop']);
      // Its reportProgress('started') comes through the job's progress.
      const progress = new Promise((resolve) => future.onProgress(resolve));
      await started;
      expect(await progress).toBe('started');
      expect(future.cancel()).toBe(true);
      expect(await errorOf(future)).toBeInstanceOf(CancelledError);
      expect(fixtures.ran).toContain('coop:finally:aborted');
      expect(executor.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 1, running: 0 });
    } finally {
      await executor.close();
    }
  });

  it('times out a running call end to end through the same path', async () => {
    const executor = new RemoteExecutor({ connection: redis.url, queue: QUEUE, cancelGrace: 30_000 });
    try {
      const future = executor.submit<string>({ file: MODULE, name: 'untilCancelled' }, ['timed'], { timeout: 1000 });
      expect(await errorOf(future)).toBeInstanceOf(TimeoutError);
      expect(fixtures.ran).toContain('timed:finally:aborted');
    } finally {
      await executor.close();
    }
  });

  it('settles after cancelGrace when the call does not stop, while the job still runs on the worker', async () => {
    const executor = new RemoteExecutor({ connection: redis.url, queue: QUEUE, cancelGrace: 50 });
    const queue = new Queue(QUEUE, { connection: { url: redis.url } });
    try {
      const holding = fixtures.holdStarted;
      const future = executor.submit<string>({ file: MODULE, name: 'hold' }, []); // awaits a foreign promise: deaf to cancellation
      await holding;
      future.cancel();
      expect(await errorOf(future)).toBeInstanceOf(CancelledError);
      const [job] = await queue.getJobs(['active']);
      expect(job?.name).toBe('hold');
      release();
      expect(await toRemote(record, 'after-forced')).toBe('after-forced');
      expect(executor.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 0 });
    } finally {
      await executor.close();
      await queue.close();
    }
  });
});

describe('statistics', () => {
  it('counts submitted, finished and retried calls in the pools\' shape, with wait and run times', async () => {
    const executor = new RemoteExecutor({ connection: redis.url, queue: QUEUE });
    try {
      await Promise.all([executor.submit({ file: MODULE, name: 'echo' }, [1]), executor.submit({ file: MODULE, name: 'echo' }, [2])]);
      await errorOf(executor.submit({ file: MODULE, name: 'throwBuiltin' }, []));
      const s = executor.statistics();
      expect(s).toMatchObject({ executor: 'remote', workers: 0, queued: 0, running: 0, submitted: 3, completed: 2, failed: 1, cancelled: 0, retried: 0 });
      expect([s.waitTime.count, s.runTime.count]).toEqual([3, 3]);
      expect(Object.isFrozen(s)).toBe(true);
    } finally {
      await executor.close();
    }
  });

  it("is statistics().executors.remote, typed as the remote executor's (submitted and retried read without a cast)", async () => {
    const before: RemoteExecutorStatistics = statistics().executors.remote ?? (await toRemote(echo, 0), statistics().executors.remote!);
    await Promise.all([toRemote(echo, 1), toRemote(echo, 2)]);
    const after: RemoteExecutorStatistics | undefined = statistics().executors.remote;
    expect(after).toMatchObject({ executor: 'remote', submitted: before.submitted + 2, completed: before.completed + 2, retried: before.retried });
    expect(Object.isFrozen(after)).toBe(true);
  });
});

describe('closing a worker', () => {
  it('stops taking jobs and, without a grace, lets the running call finish and answer', async () => {
    const queue = 'remote-test-close';
    const closing = await startWorker({ modules: [MODULE], connection: redis.url, queue });
    const executor = new RemoteExecutor({ connection: redis.url, queue });
    const jobs = new Queue(queue, { connection: { url: redis.url } });
    try {
      // Held on the worker (this process) until the close and the late job are under way: a
      // call that ended before the close would let BullMQ fetch the next job at once.
      const holding = fixtures.holdStarted;
      const running = executor.submit<string>({ file: MODULE, name: 'hold' }, []);
      await holding;
      const closed = closing.close();
      const late = executor.submit<string>({ file: MODULE, name: 'echo' }, ['never taken']);
      while ((await jobs.getWaitingCount()) === 0) await nativeDelay(5); // its job is in Redis
      release();
      expect(await running).toBe('released');
      await closed;
      expect([late.done(), executor.statistics().queued]).toEqual([false, 1]);
      late.cancel();
      await expect(closing.close({ grace: -1 })).resolves.toBeUndefined(); // idempotent: the first close counts
    } finally {
      await executor.close({ force: true });
      await jobs.close();
    }
  });

  it('validates its options', async () => {
    const other = await startWorker({ modules: [MODULE], connection: redis.url, queue: 'remote-test-close-options' });
    expect(() => other.close({ grace: -1 })).toThrow(RangeError);
    expect(() => other.close({ colour: 1 } as never)).toThrow(/Unknown option `colour`/);
    await other.close({ grace: 0 });
  });
});

describe('a worker in its own process', () => {
  it('runs calls and sends back values and registered error classes', async () => {
    const queue = 'remote-test-child';
    const child = spawnTracked(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../fixtures/remote-worker-main.ts'), redis.url, queue], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const executor = new RemoteExecutor({ connection: redis.url, queue });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
      });
      const ref = { file: MODULE, name: 'echo' };
      expect(await executor.submit(ref, [new Map([['pid', 1n]])])).toEqual(new Map([['pid', 1n]]));
      const error = await errorOf(executor.submit({ file: MODULE, name: 'throwRegistered' }, []));
      expect(error).toBeInstanceOf(BillingError);
      expect(fixtures.ran).not.toContain('child');
      expect(await executor.submit({ file: MODULE, name: 'record' }, ['child'])).toBe('child');
      // It ran there, not here.
      expect(fixtures.ran).not.toContain('child');
    } finally {
      await executor.close();
      child.kill('SIGTERM');
      await exited;
    }
  });
});
