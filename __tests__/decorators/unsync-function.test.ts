/**
 * `unsync(fn, options?)` on plain functions, option validation and decoration-time errors.
 */
import { LocateError, Unfuture, createTask, isCancelledError, isTimeoutError, shutdown, sleep, toProcess, toThread, unsync } from '../../src';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as F from '../fixtures/decorated-functions';

afterAll(() => shutdown());

describe('unsync(fn)', () => {
  it('keeps name and length', () => {
    expect(F.addU.name).toBe('add');
    expect(F.addU.length).toBe(2);
    expect(F.fetchLaterU.name).toBe('fetchLater');
  });

  it('runs a tiny sync function inline and returns a done Unfuture', () => {
    const f = F.addU(2, 3);
    expect(f).toBeInstanceOf(Unfuture);
    expect(f.done()).toBe(true);
    expect(f.result()).toBe(5);
    expect(f.executor).toBe('loop');
  });

  it('runs an async function as a task that starts on a later microtask', async () => {
    const steps: string[] = [];
    const g = unsync(async (x: number) => {
      steps.push('body');
      return x * 2;
    });
    const f = g(4);
    steps.push('called');
    expect(await f).toBe(8);
    expect(steps).toEqual(['called', 'body']);
  });

  it('cancels an async call at its await', async () => {
    const steps: string[] = [];
    const g = unsync(async () => {
      steps.push('start');
      try {
        await sleep(60_000);
      } finally {
        steps.push('cleanup');
      }
    });
    const f = g();
    await sleep(0);
    f.cancel('stop');
    const error = await Promise.resolve(f).catch((e: unknown) => e);
    expect(isCancelledError(error)).toBe(true);
    expect(steps).toEqual(['start', 'cleanup']);
  });

  it('is cancelled with the task that awaits it', async () => {
    const steps: string[] = [];
    const inner = unsync(async () => {
      try {
        await sleep(60_000);
      } catch (e) {
        steps.push(isCancelledError(e) ? 'inner cancelled' : 'other');
        throw e;
      }
    });
    const outer = createTask(async () => {
      await inner();
    });
    await sleep(0);
    outer.cancel();
    await Promise.resolve(outer).catch(() => undefined);
    expect(steps).toEqual(['inner cancelled']);
  });

  it('rejects with TimeoutError when `timeout` expires', async () => {
    const g = unsync(() => sleep(60_000, 'late'), { timeout: 5 });
    const error = await Promise.resolve(g()).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
  });

  it('wraps what a sync function throws in a rejected Unfuture', async () => {
    const f = F.throwsRange(3);
    expect(f.done()).toBe(true);
    await expect(f).rejects.toThrow('bad 3');
  });

  it('chains continuations with then(), sync or async, as Unfutures', async () => {
    const double = unsync(async (x: number) => x * 2);
    const chained = F.addU(1, 2).then((v) => v + 1).then(double);
    expect(chained).toBeInstanceOf(Unfuture);
    expect(await chained).toBe(8);
  });

  it('cancels the decorated call when the chain built on it with then() is cancelled', async () => {
    const steps: string[] = [];
    const call = F.fetchLaterU(1);
    const chained = call.then((v) => {
      steps.push('continuation');
      return v + 1;
    });
    chained.cancel();
    expect(isCancelledError(await Promise.resolve(chained).catch((e: unknown) => e))).toBe(true);
    expect(isCancelledError(await Promise.resolve(call).catch((e: unknown) => e))).toBe(true);
    expect(steps).toEqual([]);
  });

  it('detects a promise-returning sync function on its first call', async () => {
    const f = F.laterU('v');
    expect(await f).toBe('v');
  });

  it('runs an explicit thread function on a worker thread', async () => {
    const f = F.whereAmI();
    expect(f.executor).toBe('thread');
    expect(await f).toBe('worker');
    expect(await F.onThreadAsync(3)).toBe('3:worker');
  });

  it('registers a pool function under its `name` option, which also names the call', async () => {
    const registry = (globalThis as unknown as Record<symbol, { byFile: Map<string, Map<string, unknown>> }>)[Symbol.for('unsync.registry.v1')];
    const names = registry.byFile.get(require.resolve('../fixtures/decorated-functions'))!;
    expect(names.has('squarePlusOne')).toBe(true);
    expect(names.has('threadSquare#2')).toBe(false); // without `name`, the second threadSquare would get this key
    const f = F.namedOnThread(3);
    expect([f.executor, f.getName()]).toEqual(['thread', 'squarePlusOne']);
    // The worker finds each function by its own key: same function name, different bodies.
    expect(await Promise.all([f, F.onThread(3)])).toEqual([10, 9]);
  });

  it.each([
    ['two functions of the same name', 'function', 'work'],
    ['two functions given the same `name`', 'name', 'job'],
  ])('loads a module with %s, and refuses a pool call of either (a worker could run the wrong one)', async (_, which, name) => {
    const previous = process.env.UNSYNC_DUPLICATE_CASE;
    process.env.UNSYNC_DUPLICATE_CASE = which;
    let pair: typeof import('../fixtures/duplicate-unsync-names') | undefined;
    try {
      jest.isolateModules(() => {
        pair = require('../fixtures/duplicate-unsync-names');
      });
    } finally {
      if (previous === undefined) delete process.env.UNSYNC_DUPLICATE_CASE;
      else process.env.UNSYNC_DUPLICATE_CASE = previous;
    }
    for (const call of [pair!.first, pair!.second]) {
      const error = await Promise.resolve(call(1)).catch((e: unknown) => e);
      // isolateModules loads its own copy of unsync: same class name, another class object.
      expect((error as Error).name).toBe(LocateError.name);
      expect((error as Error).message).toContain(`two functions are registered as \`${name}\``);
      expect((error as Error).message).toContain('duplicate-unsync-names');
    }
  });

  it('lets toThread and toProcess run a function wrapped with unsync(fn), by the wrapper or the original', async () => {
    // Under jest no module is in require.cache: only the registration can locate them.
    expect(await toThread(F.onThread, 3)).toBe(9);
    expect(await toProcess(F.onThread, 4)).toBe(16);
    expect(await toThread(F.namedOnThread, 3)).toBe(10);
  });

  it('stops a running thread call on cancel', async () => {
    const f = F.spinForever();
    await sleep(50);
    f.cancel();
    const error = await Promise.resolve(f).catch((e: unknown) => e);
    expect(isCancelledError(error)).toBe(true);
  });

  it('cancels a thread call on `timeout` with TimeoutError, and the pool goes on', async () => {
    const f = F.spinOnThreadWithTimeout();
    expect(f.executor).toBe('thread');
    const error = await Promise.resolve(f).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect((error as Error).message).toMatch(/timed out after 200 ms/);
    expect(isCancelledError((error as Error).cause)).toBe(true);
    // The spinning call never ends by itself: only the timeout's stop could settle it.
    expect(await F.onThread(4)).toBe(16);
  });

  it('runs a `cpuBound: true` function on the process pool (more in process-routing.test.ts)', async () => {
    const f = F.onProcess(2);
    expect(f.executor).toBe('process');
    expect(await f).toBe(4);
  });
});

describe('decoration-time validation', () => {
  const fn = (x: number): number => x;

  it('rejects unknown options listing the valid ones', () => {
    expect(() => unsync(fn, { exector: 'thread' } as never)).toThrow(
      new TypeError('Unknown option `exector` in `options`; valid options are: `executor`, `cpuBound`, `timeout`, `name`'),
    );
    expect(() => unsync({ bogus: 1 } as never)).toThrow(TypeError);
  });

  it('rejects an invalid executor listing the valid values', () => {
    expect(() => unsync(fn, { executor: 'gpu' as never })).toThrow(
      new TypeError("Expected `options.executor` to be one of 'auto', 'loop', 'thread', 'process', 'remote', got \"gpu\" (string)"),
    );
  });

  it('rejects invalid cpuBound, timeout and name values', () => {
    expect(() => unsync(fn, { cpuBound: 'yes' as never })).toThrow(/options.cpuBound` to be a boolean/);
    expect(() => unsync(fn, { timeout: '5' as never })).toThrow(/options.timeout` to be a number/);
    expect(() => unsync(fn, { timeout: 0 })).toThrow(RangeError);
    expect(() => unsync(fn, { timeout: NaN })).toThrow(TypeError);
    expect(() => unsync(fn, { name: '' })).toThrow(/options.name` to be a non-empty string/);
    expect(() => unsync(fn, { cpuBound: true, executor: 'thread' })).toThrow(/Conflicting options/);
  });

  it('rejects classes and non-functions (generator functions are taken: generators.test.ts)', () => {
    class K {}
    expect(() => unsync(K as never)).toThrow(/cannot decorate a class/);
    expect(() => unsync(42 as never)).toThrow(TypeError);
    expect(() => (unsync as unknown as (...a: unknown[]) => unknown)(fn, {}, 3)).toThrow(TypeError);
  });

  it('accepts an explicit pool executor for a function a worker cannot find, and fails its call with LocateError', async () => {
    const local = unsync(function local(): number {
      return 1;
    }, { executor: 'thread' });
    const error = await Promise.resolve(local()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocateError);
    expect((error as Error).message).toMatch(/^`local` \(unsync-function\.test\.ts:\d+\) cannot be located in a worker: it is defined inside .*; define it at module top level$/);
  });

  it('keeps an unlocatable function on the loop under auto, and says why', async () => {
    const local = unsync(function describe2(a: { x: number }): number {
      const y = a.x * 2 + 1;
      const z = [y, y + 1, y + 2].map((v) => v * v);
      const w = z.reduce((p, c) => p + c, 0);
      const label = `${y}-${w}-${z.length}-${a.x}-${JSON.stringify(a)}-${String(y).padStart(4, '0')}`;
      return label.length + w;
    });
    const f = local({ x: 1 });
    expect(f.executor).toBe('loop');
    expect(await f).toBeGreaterThan(0);
  });
});

describe('registration only when needed (anonymous functions)', () => {
  it('loads a module of several anonymous arrows and runs them on the loop', async () => {
    const A = await import('../fixtures/auto-anonymous-arrows');
    const calls = [A.add(2, 3), A.multiply(2, 3), A.negate(4)];
    expect(calls.map((c) => c.executor)).toEqual(['loop', 'loop', 'loop']);
    expect(await Promise.all(calls)).toEqual([5, 6, -4]);
  });

  it('fails a call that needs a worker with LocateError saying to export it or give it a name', async () => {
    const A = await import('../fixtures/auto-anonymous-arrows');
    const error = await Promise.resolve(A.callHidden(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocateError);
    expect((error as Error).message).toMatch(/^`anonymous` \(auto-anonymous-arrows\.ts:\d+\) cannot be located in a worker: .*Export it from .*auto-anonymous-arrows\.ts.*or give it a name \(`unsync\(fn, \{ name: 'add' \}\)`/);
    // An anonymous arrow given `name` is located by it.
    expect(await A.namedTriple(2)).toBe('6@worker');
  });

  it('locates an exported anonymous arrow by its export when a call needs a worker (a real CommonJS run)', () => {
    // Under jest modules are not in require.cache, where exports are looked up: run it with tsx.
    const root = path.resolve(__dirname, '..', '..');
    const result = spawnSync(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, '__tests__', 'fixtures', 'auto-anonymous-arrows.ts')], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: result.status, stdout: result.stdout.trim(), stderr: result.stderr }).toEqual({
      status: 0,
      stdout: ['3', '42@worker', '6@worker', 'LocateError: advises export'].join('\n'),
      stderr: '',
    });
  });
});
