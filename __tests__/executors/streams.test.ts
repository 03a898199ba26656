/**
 * Streams from generator functions (issue 14; docs/engine.md, "Streams from generator
 * functions"), the same cases on both pools: order, the backpressure bound seen from inside
 * the worker, an early break running the worker's finally, errors after the values,
 * cancellation; and the loop's local stream.
 */
import { isCancelledError } from '../../src/core/errors';
import { ProcessExecutor, ThreadExecutor } from '../../src/executors';
import { LocalStream } from '../../src/executors/unsync-stream';
import { shutdown, toThread } from '../../src';
import * as cx from '../fixtures/cooperative-functions';
import * as gx from '../fixtures/stream-functions';
import { refOf, rejectionOf, withPool } from './helpers';
import { linesOf, tempDir } from './process-helpers';

type Pool = ThreadExecutor | ProcessExecutor;
const pools: [string, () => Pool][] = [
  ['thread', () => new ThreadExecutor({ maxWorkers: 1, cancelGrace: 5_000 })],
  ['process', () => new ProcessExecutor({ maxWorkers: 1, cancelGrace: 5_000 })],
];
const tmp = tempDir();
afterAll(async () => {
  tmp.cleanup();
  await shutdown();
});
let fileNo = 0;

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of stream) values.push(value);
  return values;
}

/** Resolve once `file` has at least `n` lines. */
async function lines(file: string, n: number): Promise<string[]> {
  for (;;) {
    const now = linesOf(file);
    if (now.length >= n) return now;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe.each(pools)('streams from the %s pool', (kind, make) => {
  it('delivers what a generator yields, in order, then ends', async () => {
    await withPool(make, async (pool) => {
      const stream = pool.stream<number>(refOf(gx.count), [500]);
      expect(stream.executor).toBe(kind);
      const values = await collect(stream);
      expect(values).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
      expect(await collect(pool.stream<number>(refOf(gx.countSlowly), [5]))).toEqual([1, 2, 3, 4, 5]);
    });
  });

  it('delivers every value of a generator that ended before the consumer read any, and returned undefined', async () => {
    await withPool(make, async (pool) => {
      expect(await collect(pool.stream<number>(refOf(gx.count), [1]))).toEqual([1]); // a worker is up: the next call leaves inside submit
      const file = tmp.file(`ended-${++fileNo}`);
      const stream = pool.stream<number>(refOf(gx.countThenLog), [5, file], { highWaterMark: 8 });
      // Block this thread until the generator has ended: its values and its end (a primitive
      // result, which a thread could leave in its answer cells) are all waiting to be read.
      const nap = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 20_000;
      while (!linesOf(file).includes('done') && Date.now() < deadline) Atomics.wait(nap, 0, 0, 2);
      expect(linesOf(file)).toEqual(['done']);
      expect(await collect(stream)).toEqual([1, 2, 3, 4, 5]);
    });
  });

  it('runs at most highWaterMark values ahead of the consumer', async () => {
    await withPool(make, async (pool) => {
      const file = tmp.file(`endless-${++fileNo}`);
      const stream = pool.stream<number>(refOf(gx.endless), [file], { highWaterMark: 4 });
      // Nothing consumed: the worker yields 4 values, then waits for credit.
      await lines(file, 4);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(linesOf(file)).toEqual(['yield 0', 'yield 1', 'yield 2', 'yield 3']);
      // Take 2 (credit goes back in batches of half the window): 2 more may go.
      expect([(await stream.next()).value, (await stream.next()).value]).toEqual([0, 1]);
      await lines(file, 6);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(linesOf(file).length).toBe(6);
      await stream.return();
    });
  });

  it('an early break stops the generator in the worker: its finally runs, the worker is kept', async () => {
    await withPool(make, async (pool) => {
      const worker = await pool.submit(refOf(cx.workerId), []);
      const file = tmp.file(`endless-${++fileNo}`);
      const seen: number[] = [];
      for await (const value of pool.stream<number>(refOf(gx.endless), [file])) {
        seen.push(value);
        if (value === 2) break;
      }
      expect(seen).toEqual([0, 1, 2]);
      // return() resolved once the call stopped: the finally already ran.
      expect(linesOf(file).at(-1)).toBe('finally');
      expect(await pool.submit(refOf(cx.workerId), [])).toBe(worker);
      expect(pool.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 1, terminatedForCancel: 0 });
    });
  });

  it('delivers every value yielded before an error, then the error with its class', async () => {
    await withPool(make, async (pool) => {
      const stream = pool.stream<number>(refOf(gx.failAfter), [3]);
      const seen: number[] = [];
      const error = await rejectionOf(
        (async () => {
          for await (const value of stream) seen.push(value);
        })(),
      );
      expect(seen).toEqual([1, 2, 3]);
      expect(error).toBeInstanceOf(RangeError);
      expect(error.message).toBe('failed after 3');
    });
  });

  it('cancel() stops the generator and a waiting next() throws CancelledError', async () => {
    await withPool(make, async (pool) => {
      const file = tmp.file(`endless-${++fileNo}`);
      const stream = pool.stream<number>(refOf(gx.endless), [file], { highWaterMark: 2 });
      expect((await stream.next()).value).toBe(0);
      expect(stream.cancel()).toBe(true);
      await stream.done();
      expect(linesOf(file).at(-1)).toBe('finally');
      // Values already delivered may still be read; then the cancellation shows.
      const error = await rejectionOf(collect(stream));
      expect(isCancelledError(error)).toBe(true);
      expect(stream.cancel()).toBe(false);
    });
  });

  it('validates highWaterMark', async () => {
    await withPool(make, async (pool) => {
      expect(() => pool.stream(refOf(gx.count), [1], { highWaterMark: 0 })).toThrow(RangeError);
      expect(() => pool.stream(refOf(gx.count), [1], { highWaterMark: 'x' as never })).toThrow(TypeError);
    });
  });
});

describe('toThread of a generator function', () => {
  it('returns a stream from the runtime thread pool', async () => {
    const stream = toThread(gx.count, 4);
    expect(stream.executor).toBe('thread');
    expect(await collect(stream)).toEqual([1, 2, 3, 4]);
  });
});

describe('LocalStream (a generator run here)', () => {
  it('iterates, and return() runs the generator finally', async () => {
    const events: string[] = [];
    function* gen(): Generator<number> {
      try {
        yield 1;
        yield 2;
        yield 3;
      } finally {
        events.push('finally');
      }
    }
    const stream = new LocalStream(gen());
    expect(stream.executor).toBe('loop');
    expect((await stream.next()).value).toBe(1);
    await stream.return();
    await stream.done();
    expect(events).toEqual(['finally']);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });
});
