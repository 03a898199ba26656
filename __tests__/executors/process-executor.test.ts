import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCancelledError, isCloneError, isLocateError, isTimeoutError, InvalidStateError } from '../../src/core/errors';
import { ProcessExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { expectHeldTimes, refOf, rejectionOf, withPool } from './helpers';
import { linesOf, tempDir, waitForFile } from './process-helpers';

const pool = new ProcessExecutor({ maxWorkers: 2 });
const tmp = tempDir();
afterAll(async () => {
  await pool.close();
  tmp.cleanup();
});

describe('ProcessExecutor results', () => {
  it('runs a registered function in a child process and returns its value', async () => {
    const f = pool.submit<number>(refOf(fx.add), [2, 3]);
    expect(f.executor).toBe('process');
    expect(await f).toBe(5);
    expect(await pool.submit(refOf(fx.whereAmI), [])).toEqual({ inWorker: true });
    expect(await pool.submit(refOf(px.pid), [])).not.toBe(process.pid);
  });

  it('awaits async functions and finds methods and explicit names', async () => {
    expect(await pool.submit(refOf(fx.addLater), [40, 2])).toBe(42);
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
    expect([...back.map]).toEqual([['a', 1]]);
    expect([...back.set]).toEqual([1, 2]);
    expect(back.date.getTime()).toBe(0);
    expect(back.big).toBe(2n ** 70n);
    expect([...back.bytes]).toEqual([1, 2, 3]);
    expect(back.error.message).toBe('inside');
    expect(back.nested).toEqual([{ deep: [undefined, null, 'x'] }]);
    const kinds = await pool.submit(refOf(fx.describeArgs), [new Map(), new Set(), new Date(), 1n, new Float64Array(1), new RangeError('r')]);
    expect(kinds).toEqual(['[object Map]', '[object Set]', '[object Date]', '[object BigInt]', '[object Float64Array]', '[object Error]']);
  });

  it('starts calls in submission order', async () => {
    const single = new ProcessExecutor({ maxWorkers: 1 });
    const log = tmp.file('order.log');
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((step) => single.submit(refOf(px.appendLine), [log, step])));
    await single.close();
    expect(linesOf(log)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('ProcessExecutor errors', () => {
  it('rebuilds built-in errors with the caller realm classes, cause, code and the child stack', async () => {
    const error = await rejectionOf(pool.submit(refOf(fx.throwRange), ['boom']));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('boom');
    expect(error.code).toBe('E_RANGE');
    expect(error.cause).toBeInstanceOf(TypeError);
    expect(error.stack).toContain('process-executor.test.ts');
    expect(error.stack).toContain('the call ran in a worker');
    expect(error.stack).toContain('pool-functions.ts');
  });

  it('with callerStacks: false records no caller stack: the error carries the child stack only', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1, callerStacks: false }), async (quiet) => {
      const error = await rejectionOf(quiet.submit(refOf(fx.throwRange), ['boom']));
      expect(error).toBeInstanceOf(RangeError);
      expect(error.stack).not.toContain('process-executor.test.ts');
      expect(error.stack).toContain('the call ran in a worker');
      expect(error.stack).toContain('pool-functions.ts');
    });
    expect(() => new ProcessExecutor({ callerStacks: 1 as never })).toThrow('Expected `options.callerStacks` to be a boolean');
  });

  it('rebuilds unsync errors and exported classes as the same class', async () => {
    const timeout = await rejectionOf(pool.submit(refOf(fx.throwTimeout), []));
    expect(isTimeoutError(timeout)).toBe(true);
    expect(isCancelledError(timeout.cause)).toBe(true);
    const custom = await rejectionOf(pool.submit(refOf(fx.throwCustom), []));
    expect(custom).toBeInstanceOf(fx.ValidationError);
    expect(custom.field).toBe('email');
  });

  it('passes thrown non-errors and AggregateError through', async () => {
    expect(await rejectionOf(pool.submit(refOf(fx.throwValue), []))).toBe(42);
    const aggregate = await rejectionOf(pool.submit(refOf(fx.throwAggregate), []));
    expect(aggregate).toBeInstanceOf(AggregateError);
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
    expect(error.stack.split('\n')[1]).toContain('process-executor.test.ts');
    expect(await pool.submit(refOf(fx.add), [1, 1])).toBe(2);
  });

  it('fails only the uncloneable call among calls sent together', async () => {
    // Submitted before the only child is ready, the three leave together in one message.
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (fresh) => {
      const calls = [fresh.submit(refOf(fx.add), [1, 1]), fresh.submit(refOf(fx.echo), [Symbol('no')]), fresh.submit(refOf(fx.add), [2, 2])];
      expect(fresh.statistics().queued).toBe(3);
      expect(await calls[0]).toBe(2);
      const error = await rejectionOf(calls[1]!);
      expect(isCloneError(error)).toBe(true);
      expect(error.what).toBe('argument 1');
      expect(await calls[2]).toBe(4);
    });
  });

  it('sends a call to an idle child inside submit; calls behind busy children wait in the queue', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (one) => {
      expect(await one.submit(refOf(fx.add), [0, 1])).toBe(1); // the child is ready and idle
      const first = one.submit(refOf(fx.add), [1, 1]);
      expect(one.statistics()).toMatchObject({ running: 1, queued: 0 });
      const second = one.submit(refOf(fx.add), [2, 2]);
      expect(one.statistics()).toMatchObject({ running: 1, queued: 1 });
      expect(await Promise.all([first, second])).toEqual([2, 4]);
    });
  });

  it('reports a result that cannot be cloned as a CloneError on the result, naming the function', async () => {
    const error = await rejectionOf(pool.submit(refOf(fx.returnFunction), []));
    expect(isCloneError(error)).toBe(true);
    expect(error.what).toBe('result');
    expect(error.message).toMatch(/^the result of `returnFunction` \(call \d+\) cannot be cloned back to the caller \(at .*\.callback\)/);
    expect(await pool.submit(refOf(fx.add), [1, 2])).toBe(3);
  });

  it('fails with LocateError for an unregistered name and for a module that cannot load', async () => {
    const missing = await rejectionOf(pool.submit({ file: refOf(fx.add).file, name: 'missing' }, []));
    expect(isLocateError(missing)).toBe(true);
    expect(missing.message).toContain('`missing` cannot be located in a worker');
    const file = path.join(__dirname, '..', 'fixtures', 'broken-module.ts');
    const broken = await rejectionOf(pool.submit({ file, name: 'neverReached' }, []));
    expect(isLocateError(broken)).toBe(true);
    expect(broken.cause.message).toContain('refuses to load');
    expect(await pool.submit(refOf(fx.add), [2, 2])).toBe(4);
  });
});

describe('ProcessExecutor statistics and close', () => {
  it('summarises wait and run times: the call queued behind a blocker waited, the blocker ran, at least as long as the test held it', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (executor) => {
      const started = tmp.file('times.started');
      const release = tmp.file('times.release');
      const blocker = executor.submit(refOf(px.blockUntilFile), [started, release, 'done']);
      await waitForFile(started);
      const runningSeen = performance.now();
      const queued = executor.submit(refOf(fx.add), [1, 1]);
      const queuedAt = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const releasedAt = performance.now();
      fs.writeFileSync(release, '');
      await Promise.all([blocker, queued]);
      expectHeldTimes(executor.statistics(), { runningSeen, queuedAt, releasedAt });
    });
  });

  it('counts completed, failed and cancelled calls in a frozen snapshot', async () => {
    const executor = new ProcessExecutor({ maxWorkers: 1 });
    expect(executor.statistics().workers).toBe(0);
    // Submitted together while the child starts: the third still waits in the pool when cancelled.
    const ok = executor.submit(refOf(fx.add), [1, 2]);
    const failed = executor.submit(refOf(fx.throwRange), ['x']);
    const cancelled = executor.submit(refOf(fx.add), [1, 1]);
    expect(executor.statistics()).toMatchObject({ workers: 1, queued: 3, running: 0 });
    cancelled.cancel();
    await ok;
    await rejectionOf(failed);
    await rejectionOf(cancelled);
    const stats = executor.statistics();
    expect(Object.isFrozen(stats)).toBe(true);
    expect(stats).toMatchObject({ executor: 'process', state: 'open', workers: 1, queued: 0, running: 0, completed: 1, failed: 1, cancelled: 1 });
    expect(stats.runTime.count).toBe(2);
    expect(stats.waitTime.count).toBe(2);
    await executor.close();
    expect(executor.statistics()).toMatchObject({ state: 'closed', workers: 0 });
    expect(() => executor.submit(refOf(fx.add), [1, 1])).toThrow(InvalidStateError);
  });

  it('rejects bad arguments with the standard messages', () => {
    expect(() => new ProcessExecutor({ maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new ProcessExecutor({ maxTasksPerWorker: 0 })).toThrow(RangeError);
    expect(() => new ProcessExecutor({ resourceLimits: {} } as never)).toThrow('Unknown option `resourceLimits`');
    expect(() => pool.submit('add' as never, [])).toThrow('Expected `ref` to be a call reference');
    expect(() => pool.submit(refOf(fx.add), 1 as never)).toThrow('Expected `args` to be an array, got 1 (number)');
  });
});
