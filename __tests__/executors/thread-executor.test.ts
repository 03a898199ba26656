import * as path from 'node:path';
import {
  CancelledError,
  isCancelledError,
  isCloneError,
  isLocateError,
  isTimeoutError,
  isWorkerCrashedError,
  InvalidStateError,
  WorkerCrashedError,
} from '../../src/core/errors';
import { ThreadExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { expectHeldTimes, refOf, rejectionOf, release, shared, waitUntilChanged, withPool } from './helpers';

const pool = new ThreadExecutor({ maxWorkers: 2 });
const single = new ThreadExecutor({ maxWorkers: 1 });
afterAll(async () => {
  await Promise.all([pool.close(), single.close()]);
});

/** Resolve once `check()` holds, polling every few milliseconds (bounded by the test timeout). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('ThreadExecutor results', () => {
  it('runs a registered function on a worker thread and returns its value', async () => {
    const f = pool.submit<number>(refOf(fx.add), [2, 3]);
    expect(f.executor).toBe('thread');
    expect(await f).toBe(5);
    expect(await pool.submit(refOf(fx.whereAmI), [])).toEqual({ inWorker: true });
  });

  it('awaits async functions', async () => {
    expect(await pool.submit(refOf(fx.addLater), [40, 2])).toBe(42);
  });

  it('finds static and prototype methods and explicit names', async () => {
    expect(await pool.submit(refOf(fx.Geometry.area), [3, 4])).toBe(12);
    expect(await pool.submit(refOf(fx.Geometry.prototype.perimeter), [3, 4])).toBe(14);
    expect(await pool.submit({ file: refOf(fx.add).file, name: 'explicitName' }, [])).toBe('renamed');
  });

  it('carries Map, Set, Date, BigInt, typed arrays, errors and nesting both ways', async () => {
    const value = {
      map: new Map<string, number>([['a', 1]]),
      set: new Set([1, 2]),
      date: new Date(0),
      big: 2n ** 70n,
      bytes: new Uint8Array([1, 2, 3]),
      error: new RangeError('inside'),
      nested: [{ deep: [undefined, null, 'x'] }],
    };
    const back = await pool.submit<typeof value>(refOf(fx.echo), [value]);
    expect(Object.prototype.toString.call(back.map)).toBe('[object Map]');
    expect([...back.map]).toEqual([['a', 1]]);
    expect([...back.set]).toEqual([1, 2]);
    expect(back.date.getTime()).toBe(0);
    expect(back.big).toBe(2n ** 70n);
    expect([...back.bytes]).toEqual([1, 2, 3]);
    expect(back.error.message).toBe('inside');
    expect(back.nested).toEqual([{ deep: [undefined, null, 'x'] }]);
    const kinds = await pool.submit(refOf(fx.describeArgs), [new Map(), new Set(), new Date(), 1n, new Float64Array(1)]);
    expect(kinds).toEqual(['[object Map]', '[object Set]', '[object Date]', '[object BigInt]', '[object Float64Array]']);
  });

  it('starts calls in submission order', async () => {
    const log = shared(8);
    await Promise.all([0, 1, 2, 3, 4].map((i) => single.submit(refOf(fx.appendStep), [log, i])));
    expect([...log.slice(1, 6)]).toEqual([0, 1, 2, 3, 4]);
  });

  it('runs module top-level code once per worker thread', async () => {
    expect(await single.submit(refOf(fx.topLevelRuns), [])).toBe(1);
    expect(await single.submit(refOf(fx.topLevelRuns), [])).toBe(1);
  });
});

describe('ThreadExecutor errors', () => {
  it('rebuilds built-in errors with the caller realm classes, cause, code and the worker stack', async () => {
    const error = await rejectionOf(pool.submit(refOf(fx.throwRange), ['boom']));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('boom');
    expect(error.code).toBe('E_RANGE');
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.cause.message).toBe('inner cause');
    expect(error.stack).toContain('thread-executor.test.ts');
    expect(error.stack).toContain('the call ran in a worker');
    expect(error.stack).toContain('pool-functions.ts');
  });

  it('with callerStacks: false records no caller stack: the error carries the worker stack only', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1, callerStacks: false }), async (quiet) => {
      const error = await rejectionOf(quiet.submit(refOf(fx.throwRange), ['boom']));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.stack.split('\n')[0]).toBe('RangeError: boom');
      expect(error.stack).not.toContain('thread-executor.test.ts');
      expect(error.stack).toContain('the call ran in a worker');
      expect(error.stack).toContain('pool-functions.ts');
    });
  });

  it('rebuilds unsync errors as the same class', async () => {
    const error = await rejectionOf(pool.submit(refOf(fx.throwTimeout), []));
    expect(isTimeoutError(error)).toBe(true);
    expect(error.constructor.name).toBe('TimeoutError');
    expect(isCancelledError(error.cause)).toBe(true);
  });

  it('rebuilds a class its module exports as that class (unknown classes: error-classes.test.ts)', async () => {
    const error = await rejectionOf(pool.submit(refOf(fx.throwCustom), []));
    expect(error).toBeInstanceOf(fx.ValidationError);
    expect(error.name).toBe('ValidationError');
    expect(error.field).toBe('email');
    expect(error.message).toBe('bad field');
  });

  it('passes thrown non-errors and AggregateError through', async () => {
    expect(await rejectionOf(pool.submit(refOf(fx.throwValue), []))).toBe(42);
    const aggregate = await rejectionOf(pool.submit(refOf(fx.throwAggregate), []));
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect(aggregate.errors[0]).toBeInstanceOf(TypeError);
    expect(aggregate.errors[1]).toBeInstanceOf(RangeError);
  });

  it('names the argument that cannot be cloned, and the pool stays usable', async () => {
    expect(await pool.submit(refOf(fx.add), [0, 1])).toBe(1); // warm: the call below is sent (and fails) inside submit
    const error = await rejectionOf(pool.submit(refOf(fx.echo), [1, { nested: { fn: () => 1 } }]));
    expect(isCloneError(error)).toBe(true);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.what).toBe('argument 2');
    expect(error.message).toContain('argument 2 of `echo`');
    expect(error.message).toContain('.nested.fn');
    // The stack starts at the caller, not in the pool's dispatch (the call failed inside submit).
    expect(error.stack.split('\n')[1]).toContain('thread-executor.test.ts');
    expect(await pool.submit(refOf(fx.add), [1, 1])).toBe(2);
  });

  it('reports a result that cannot be cloned as a CloneError on the result, naming the function', async () => {
    const error = await rejectionOf(pool.submit(refOf(fx.returnFunction), []));
    expect(isCloneError(error)).toBe(true);
    expect(error.what).toBe('result');
    expect(error.message).toMatch(/^the result of `returnFunction` \(call \d+\) cannot be cloned back to the caller \(at .*\.callback\)/);
    expect(await pool.submit(refOf(fx.add), [1, 2])).toBe(3);
  });

  it('fails with LocateError when the module does not register the name', async () => {
    const error = await rejectionOf(pool.submit({ file: refOf(fx.add).file, name: 'missing' }, []));
    expect(isLocateError(error)).toBe(true);
    expect(error.message).toContain('`missing` cannot be located in a worker');
    expect(error.message).toContain('`add`');
  });

  it('fails with LocateError when the module cannot be loaded in the worker', async () => {
    const file = path.join(__dirname, '..', 'fixtures', 'broken-module.ts');
    const error = await rejectionOf(pool.submit({ file, name: 'neverReached' }, []));
    expect(isLocateError(error)).toBe(true);
    expect(error.message).toContain('could not be loaded');
    expect(error.cause.message).toContain('refuses to load');
    expect(await pool.submit(refOf(fx.add), [2, 2])).toBe(4);
  });
});

describe('ThreadExecutor cancellation', () => {
  it('removes a cancelled queued call: it never starts', async () => {
    const flags = shared(1);
    const counter = shared(2);
    const steps: string[] = [];
    const blocker = single.submit<string>(refOf(fx.blockUntil), [flags, 0]);
    const queued = single.submit(refOf(fx.record), [counter, 0]);
    expect(single.statistics().queued).toBe(1);
    expect(queued.cancel('not needed')).toBe(true);
    queued.addDoneCallback(() => steps.push('queued call cancelled'));
    await rejectionOf(queued);
    release(flags, 0);
    steps.push(await blocker);
    steps.push(`after: ${await single.submit(refOf(fx.record), [counter, 1])}`);
    expect(queued.cancelled()).toBe(true);
    expect(Atomics.load(counter, 0)).toBe(0);
    expect(steps).toEqual(['queued call cancelled', 'released 0', 'after: 1']);
  });

  it('stops a running while(true) loop by terminating its thread, then keeps serving', async () => {
    const started = shared(1);
    const spinning = single.submit(refOf(fx.spinForever), [started]);
    const next = single.submit(refOf(fx.add), [20, 1]);
    await waitUntilChanged(started, 0);
    spinning.cancel('stop spinning');
    const error = await rejectionOf(spinning);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toBe('stop spinning');
    expect(spinning.cancelled()).toBe(true);
    expect(await next).toBe(21);
  });

  it('fails a call that exceeds its timeout with TimeoutError and stops it', async () => {
    const started = shared(1);
    const error = await rejectionOf(single.submit(refOf(fx.spinForever), [started], { timeout: 50 }));
    expect(isTimeoutError(error)).toBe(true);
    expect(isCancelledError(error.cause)).toBe(true);
    expect(Atomics.load(started, 0)).toBe(1);
    expect(await single.submit(refOf(fx.add), [1, 2], { timeout: 10_000 })).toBe(3);
  });
});

describe('ThreadExecutor crashes', () => {
  /**
   * Start a call that crashes its thread on a signal; once it runs, submit 100 calls that
   * block on a gate (on the other thread, pipelined behind the crashing call, or queued), then
   * crash it. At the crash all 100 are still pending; only then does the gate open. All 100
   * must succeed. Returns the crash error and what the pool held when it came.
   */
  async function crashAmongHundred(executor: ThreadExecutor, kind: fx.CrashKind) {
    const flags = shared(2);
    const gate = shared(1);
    const crashing = executor.submit(refOf(fx.crashOnSignal), [flags, kind]);
    await waitUntilChanged(flags, 0);
    const calls = Array.from({ length: 100 }, (_, i) => executor.submit<number>(refOf(fx.addWhenOpen), [gate, i, 1]));
    release(flags, 1);
    const error = (await rejectionOf(crashing)) as WorkerCrashedError;
    const atCrash = { pending: calls.filter((c) => !c.done()).length, running: executor.statistics().running, queued: executor.statistics().queued };
    release(gate, 0);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(isWorkerCrashedError(error)).toBe(true);
    return { error, atCrash };
  }

  it('fails only the call whose thread called process.exit; the 100 calls in flight all succeed', async () => {
    const { error, atCrash } = await crashAmongHundred(pool, 'exit');
    expect(atCrash.pending).toBe(100);
    expect(atCrash.running + atCrash.queued).toBe(100);
    expect(error.exitCode).toBe(7);
    expect(error.message).toContain('`crashOnSignal` exited with code 7');
  });

  it('fails only the call whose thread threw an uncaught async error, with the thread exit code and the crash kind', async () => {
    const { error, atCrash } = await crashAmongHundred(pool, 'uncaught');
    expect(atCrash.pending).toBe(100);
    expect(atCrash.running + atCrash.queued).toBe(100);
    expect(error.exitCode).toBe(1);
    expect(error.signal).toBeUndefined();
    expect(error.message).toContain('`crashOnSignal` crashed (uncaught error, exit code 1): late boom');
    expect((error.cause as Error).message).toBe('late boom');
  });

  it('fails only the call whose thread ran out of its resourceLimits', async () => {
    const limited = new ThreadExecutor({ maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } });
    try {
      const { error, atCrash } = await crashAmongHundred(limited, 'memory');
      expect(atCrash.pending).toBe(100);
      expect(atCrash.running + atCrash.queued).toBe(100);
      // The worker's own 'exit' code: it runs no JavaScript on the way out of memory.
      expect(error.exitCode).toBe(1);
      expect(error.message).toContain('`crashOnSignal` ran out of memory (resourceLimits, exit code 1)');
      expect((error.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    } finally {
      await limited.close();
    }
  });
});

describe('ThreadExecutor lifecycle and statistics', () => {
  it('starts threads with the configured env and execArgv', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1, env: { ...process.env, UNSYNC_TEST_VAR: 'from parent' } as Record<string, string>, execArgv: ['--no-deprecation'] });
    try {
      const info = await executor.submit<{ value: string; execArgv: string[] }>(refOf(px.childInfo), ['UNSYNC_TEST_VAR']);
      expect([info.value, info.execArgv]).toEqual(['from parent', ['--no-deprecation']]);
      // Not shared with the parent: the thread got a copy.
      expect(process.env.UNSYNC_TEST_VAR).toBeUndefined();
    } finally {
      await executor.close();
    }
  });

  it('summarises wait and run times: the call queued behind a blocker waited, the blocker ran, at least as long as the test held it', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1 });
    try {
      const flags = shared(1);
      const steps = shared(1);
      const blocker = executor.submit(refOf(fx.blockUntil), [flags, 0, steps]);
      // blockUntil counts its start without a notify: poll.
      while (Atomics.load(steps, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const runningSeen = performance.now();
      const queued = executor.submit(refOf(fx.add), [1, 1]);
      const queuedAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const releasedAt = performance.now();
      release(flags, 0);
      await Promise.all([blocker, queued]);
      expectHeldTimes(executor.statistics(), { runningSeen, queuedAt, releasedAt });
      expect(executor.statistics().waitTime.mean).toBeLessThanOrEqual(executor.statistics().waitTime.max);
    } finally {
      await executor.close();
    }
  });

  it('counts completed, failed and cancelled calls in a frozen snapshot', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1 });
    expect(executor.statistics().workers).toBe(0);
    await executor.submit(refOf(fx.add), [1, 2]);
    await rejectionOf(executor.submit(refOf(fx.throwRange), ['x']));
    const flags = shared(1);
    const blocker = executor.submit(refOf(fx.blockUntil), [flags, 0]);
    const queued = executor.submit(refOf(fx.add), [1, 1]);
    queued.cancel();
    release(flags, 0);
    await blocker;
    const stats = executor.statistics();
    expect(Object.isFrozen(stats)).toBe(true);
    expect(stats).toMatchObject({ executor: 'thread', state: 'open', queued: 0, running: 0, completed: 2, failed: 1, cancelled: 1 });
    expect(stats.workers).toBe(1);
    expect(stats.runTime.count).toBe(3);
    await executor.close();
    expect(executor.statistics()).toMatchObject({ state: 'closed', workers: 0 });
    expect(() => executor.submit(refOf(fx.add), [1, 1])).toThrow(InvalidStateError);
  });

  it('ends an idle session but keeps its worker warm in piscina for the next call', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1, idleTimeout: 60_000 });
    try {
      const first = await executor.submit<number>(refOf(fx.workerThreadId), []);
      expect(executor.statistics().workers).toBe(1);
      await until(() => executor.statistics().workers === 0); // the session ended (SESSION_IDLE_MS)
      expect(await executor.submit<number>(refOf(fx.workerThreadId), [])).toBe(first);
    } finally {
      await executor.close();
    }
  });

  it("keeps running a call's background work (a timer) after its session ended, with no call to wake the worker", async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1, idleTimeout: 60_000 });
    try {
      const flags = shared(2);
      await executor.submit(refOf(fx.answerLater), [flags, 0, 1]);
      await until(() => executor.statistics().workers === 0); // the session ended
      Atomics.store(flags, 0, 1); // the worker's timer may act now
      // Bounded: an idle worker blocked in Atomics.wait (piscina's atomics 'sync') never runs it.
      await Promise.race([waitUntilChanged(flags, 1), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      expect(Atomics.load(flags, 1)).toBe(1);
    } finally {
      await executor.close();
    }
  });

  it('with minWorkers 0, retires the idle piscina pool after idleTimeout; the next call starts a new worker', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1, minWorkers: 0, idleTimeout: 30 });
    try {
      const first = await executor.submit<number>(refOf(fx.workerThreadId), []);
      await until(() => executor.statistics().workers === 0);
      await new Promise((resolve) => setTimeout(resolve, 300)); // well past idleTimeout
      const second = await executor.submit<number>(refOf(fx.workerThreadId), []);
      expect(second).not.toBe(first);
      expect(await executor.submit<number>(refOf(fx.add), [2, 2])).toBe(4);
    } finally {
      await executor.close();
    }
  });

  it('close() lets submitted calls finish; cancelPending cancels the queued ones', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1 });
    const flags = shared(1);
    const running = executor.submit(refOf(fx.blockUntil), [flags, 0]);
    const queued = executor.submit(refOf(fx.add), [1, 1]);
    const closed = executor.close({ cancelPending: true });
    expect(executor.statistics().state).toBe('closing');
    await rejectionOf(queued);
    expect(queued.cancelled()).toBe(true);
    release(flags, 0);
    await closed;
    expect(await running).toBe('released 0');
  });

  it('close({ force }) cancels running calls too', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1 });
    const started = shared(1);
    const spinning = executor.submit(refOf(fx.spinForever), [started]);
    await waitUntilChanged(started, 0);
    await executor.close({ force: true });
    expect(spinning.cancelled()).toBe(true);
  });

  // The internal tuning knobs benchmarks/executors-thread-settings.ts compares must keep the pool correct.
  it.each(['sync', 'disabled'] as const)("with piscina atomics '%s', ends an idle session and reopens it on the warm worker", async (atomics) => {
    const executor = new ThreadExecutor({ maxWorkers: 1, idleTimeout: 60_000 }, { atomics });
    try {
      const first = await executor.submit<number>(refOf(fx.workerThreadId), []);
      await until(() => executor.statistics().workers === 0);
      expect(await executor.submit<number>(refOf(fx.workerThreadId), [])).toBe(first);
    } finally {
      await executor.close();
    }
  });

  // Two threads, each held by a blocker; three calls arrive. Depth 1 keeps them in the pool
  // until a thread is free; depth 4 sends them ahead, so the ones behind the held thread wait.
  it.each([
    [1, 0],
    [4, 2],
  ])('with pipelineDepth %i, %i of three calls wait behind a held thread while the other thread is free', async (depth, behind) => {
    const executor = new ThreadExecutor({ maxWorkers: 2 }, { pipelineDepth: depth });
    const flags = shared(2);
    try {
      const steps = shared(1);
      const held = executor.submit(refOf(fx.blockUntil), [flags, 0, steps]);
      const freed = executor.submit(refOf(fx.blockUntil), [flags, 1, steps]);
      // blockUntil counts its start without a notify: poll until both threads run one.
      while (Atomics.load(steps, 0) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const calls = [1, 2, 3].map((i) => executor.submit(refOf(fx.add), [i, 0]));
      release(flags, 1);
      await freed;
      // Submitted now, this one runs on the free thread after whatever that thread was sent.
      expect(await executor.submit(refOf(fx.add), [4, 0])).toBe(4);
      expect(calls.filter((c) => !c.done())).toHaveLength(behind);
      release(flags, 0);
      expect(await Promise.all([held, ...calls])).toEqual(['released 0', 1, 2, 3]);
    } finally {
      release(flags, 0); // a failed check must not leave close() waiting on a blocker
      release(flags, 1);
      await executor.close();
    }
  });

  it('rejects bad tuning with the standard messages', () => {
    expect(() => new ThreadExecutor({}, { atomics: 'always' as never })).toThrow("Expected `tuning.atomics` to be 'sync', 'async' or 'disabled'");
    expect(() => new ThreadExecutor({}, { pipelineDepth: 0 })).toThrow(RangeError);
    expect(() => new ThreadExecutor({}, { pipelineDepth: 16 })).toThrow(RangeError); // a thread has 16 claim cells
    expect(() => new ThreadExecutor({}, { depth: 2 } as never)).toThrow('Unknown option `depth`');
  });

  it('rejects bad arguments with the standard messages', () => {
    expect(() => new ThreadExecutor({ maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new ThreadExecutor({ threads: 2 } as never)).toThrow('Unknown option `threads`');
    expect(() => pool.submit('add' as never, [])).toThrow('Expected `ref` to be a call reference');
    expect(() => pool.submit(refOf(fx.add), 1 as never)).toThrow('Expected `args` to be an array, got 1 (number)');
    expect(() => pool.submit(refOf(fx.add), [], { timeout: 'x' as never })).toThrow(TypeError);
    expect(() => new ThreadExecutor({ callerStacks: 'no' as never })).toThrow('Expected `options.callerStacks` to be a boolean');
  });
});
