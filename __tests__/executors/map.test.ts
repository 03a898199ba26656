/**
 * `map(fn, iterable, options)` and `mapOn(executor, ref, iterable, options)`: chunks on the
 * thread pool, order, errors at their position, cancellation.
 */
import { isCancelledError } from '../../src/core/errors';
import { isCloneError, isLocateError } from '../../src/core/executor-errors';
import { ThreadExecutor, mapOn } from '../../src/executors';
import { map, toThread } from '../../src/runtime/to-thread';
import { shutdown } from '../../src/runtime/shutdown';
import { getExecutor } from '../../src/runtime/pools';
import * as fx from '../fixtures/map-functions';
import { refOf, shared, waitUntilChanged, release } from './helpers';

const pool = new ThreadExecutor({ maxWorkers: 2 });
afterAll(async () => {
  await pool.close();
  await shutdown();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

describe('map', () => {
  it('returns results in input order, one message per chunk', async () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const before = pool.statistics().completed;
    const out = await collect(mapOn<number, number>(pool, refOf(fx.square), items, { chunkSize: 100, concurrency: 3 }));
    expect(out).toEqual(items.map((i) => i * i));
    expect(pool.statistics().completed - before).toBe(10); // 1000 items / 100 per chunk
  });

  it('keeps at most `concurrency` chunks with the pool at once', async () => {
    const items = Array.from({ length: 400 }, (_, i) => i);
    for (const concurrency of [1, 2]) {
      let most = 0;
      const out: number[] = [];
      for await (const value of mapOn<number, number>(pool, refOf(fx.square), items, { chunkSize: 10, concurrency })) {
        const { running, queued } = pool.statistics();
        most = Math.max(most, running + queued);
        out.push(value);
      }
      expect(out).toEqual(items.map((i) => i * i));
      expect(most).toBeGreaterThanOrEqual(1);
      expect(most).toBeLessThanOrEqual(concurrency); // the default (8) would have 8 of the 40 chunks out
    }
  });

  it('runs on the runtime thread pool by default, takes async iterables and async functions', async () => {
    async function* numbers(): AsyncGenerator<number> {
      for (let i = 0; i < 20; i++) yield i;
    }
    expect(await collect(map(fx.squareLater, numbers(), { chunkSize: 3 }))).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
  });

  it("runs on the runtime process pool with executor: 'process': input order, one call per chunk, errors at their position", async () => {
    const items = Array.from({ length: 300 }, (_, i) => i);
    const out = await collect(map(fx.square, items, { executor: 'process', chunkSize: 50, concurrency: 2 }));
    expect(out).toEqual(items.map((i) => i * i));
    const processPool = getExecutor('process');
    expect(processPool.kind).toBe('process');
    expect(processPool.statistics().completed).toBe(6); // 300 items / 50 per chunk
    const seen: number[] = [];
    let error: any;
    try {
      for await (const v of map(fx.failOn13, Array.from({ length: 40 }, (_, i) => i), { executor: 'process', chunkSize: 8 })) seen.push(v);
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('unlucky 13');
  });

  it('with ordered: false yields every result, chunk by chunk as chunks finish', async () => {
    const flags = shared(3);
    const items = Array.from({ length: 6 }, (_, i) => ({ flags, i }));
    const it = mapOn<{ flags: Int32Array; i: number }, number>(pool, refOf(fx.blockFirst), items, { chunkSize: 2, concurrency: 2, ordered: false });
    const steps: number[] = [];
    // Chunk [0, 1] holds one thread; the other chunks run on the second thread and come out first.
    for (let k = 0; k < 4; k++) steps.push((await it.next()).value as number);
    release(flags, 0);
    for await (const v of it) steps.push(v);
    expect(steps.slice(0, 4).sort()).toEqual([2, 3, 4, 5]);
    expect(steps.slice(4)).toEqual([0, 1]);
  });

  it('throws an item error at that item position, after the items before it', async () => {
    const seen: number[] = [];
    let error: any;
    try {
      for await (const v of mapOn<number, number>(pool, refOf(fx.failOn13), Array.from({ length: 40 }, (_, i) => i), { chunkSize: 8 })) seen.push(v);
    } catch (e) {
      error = e;
    }
    expect(seen).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toBe('unlucky 13');
  });

  it('names the mapped function when a chunk result cannot be cloned back', async () => {
    let error: any;
    try {
      for await (const _ of mapOn<number, unknown>(pool, refOf(fx.callbackOn2), [0, 1, 2, 3], { chunkSize: 4 })) void _;
    } catch (e) {
      error = e;
    }
    expect(isCloneError(error)).toBe(true);
    expect(error.message).toMatch(/^the result of `callbackOn2` \(a map chunk, call \d+\) cannot be cloned back/);
  });

  it('is cancelled as a whole by its signal: running and pending chunks stop, iteration throws CancelledError', async () => {
    const flags = shared(3);
    const controller = new AbortController();
    const items = Array.from({ length: 50 }, (_, i) => ({ flags, i }));
    const it = mapOn<{ flags: Int32Array; i: number }, number>(pool, refOf(fx.blockFirst), items, { chunkSize: 5, concurrency: 2, signal: controller.signal });
    const first = it.next();
    await waitUntilChanged(flags, 1); // item 0 is running (and blocking its thread)
    controller.abort();
    let error: unknown;
    try {
      await first;
    } catch (e) {
      error = e;
    }
    expect(isCancelledError(error)).toBe(true);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    // The pool goes on: the blocked thread was stopped and replaced.
    expect(await collect(mapOn<number, number>(pool, refOf(fx.square), [3], {}))).toEqual([9]);
    expect(Atomics.load(flags, 2)).toBeLessThan(50);
  });

  it('stops when the loop is left early, and cancel() ends it with CancelledError', async () => {
    const out: number[] = [];
    for await (const v of mapOn<number, number>(pool, refOf(fx.square), Array.from({ length: 500 }, (_, i) => i), { chunkSize: 10 })) {
      out.push(v);
      if (out.length === 3) break;
    }
    expect(out).toEqual([0, 1, 4]);
    const it = mapOn<number, number>(pool, refOf(fx.square), [1, 2, 3], {});
    it.cancel('enough');
    await expect(it.next()).rejects.toThrow('enough');
  });

  it('checks its options and the function', () => {
    expect(() => map(fx.square, [1], { chunkSize: 0 })).toThrow(RangeError);
    expect(() => map(fx.square, [1], { batch: 2 } as never)).toThrow('Unknown option `batch`');
    expect(() => map(fx.square, [1], { ordered: 'yes' as never })).toThrow('Expected `options.ordered` to be a boolean');
    expect(() => map(fx.square, [1], { executor: 'loop' as never })).toThrow("Expected `options.executor` to be 'thread', 'process' or an Executor");
    expect(() => map(fx.square, [1], { executor: null as never })).toThrow(TypeError);
    expect(() => mapOn(pool, refOf(fx.square), 5 as never)).toThrow('Expected `iterable` to be an iterable or async iterable');
    const local = (x: number): number => x;
    let error: unknown;
    try {
      map(local, [1]);
    } catch (e) {
      error = e;
    }
    expect(isLocateError(error)).toBe(true);
  });
});

describe('toThread inside a worker', () => {
  it('runs the function inline instead of starting a pool in the worker', async () => {
    expect(await toThread(fx.toThreadInside, 7)).toBe('inline:49');
  });
});
