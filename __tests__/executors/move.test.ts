/**
 * `move()` (issue 14, "Moving instead of copying"): marked buffers and ports are transferred
 * to and from a thread (the sender's copy is detached), and copied to and from a process
 * (the sender's copy is left intact).
 */
import { MessageChannel } from 'node:worker_threads';
import { CloneError } from '../../src/core/executor-errors';
import { move } from '../../src/core/move';
import { ProcessExecutor, ThreadExecutor } from '../../src/executors';
import * as mx from '../fixtures/move-functions';
import { refOf, rejectionOf, withPool } from './helpers';

const bytes = (n: number): ArrayBuffer => new Uint8Array(n).fill(2).buffer;

describe('move() to and from a thread', () => {
  it('transfers a moved ArrayBuffer argument: the worker reads it, the sender is detached', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (pool) => {
      const buffer = bytes(1024);
      const call = pool.submit<[number, number]>(refOf(mx.sumBytes), [move(buffer)]);
      expect(buffer.byteLength).toBe(0);
      expect(await call).toEqual([1024, 2048]);
    });
  });

  it('transfers the buffer of a moved view, and a buffer one level inside a plain object', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (pool) => {
      const view = new Uint8Array(bytes(16));
      const inObject = bytes(8);
      const results = await Promise.all([
        pool.submit(refOf(mx.sumBytes), [move(view)]),
        pool.submit(refOf(mx.sumBytes), [{ data: move(inObject) }]),
      ]);
      expect(results).toEqual([
        [16, 32],
        [8, 16],
      ]);
      expect([view.byteLength, inObject.byteLength]).toEqual([0, 0]);
    });
  });

  it('copies an unmarked buffer, as before', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (pool) => {
      const buffer = bytes(32);
      expect(await pool.submit(refOf(mx.sumBytes), [buffer])).toEqual([32, 64]);
      expect(buffer.byteLength).toBe(32);
    });
  });

  it('transfers a result the worker returned with move(): the worker copy is detached', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (pool) => {
      const result = await pool.submit<Uint8Array>(refOf(mx.makeMoved), [4096]);
      expect([result.byteLength, result[4095]]).toEqual([4096, 1]);
      expect(await pool.submit(refOf(mx.keptLength), [])).toBe(0);
    });
  });

  it('keeps the mark when the send failed (nothing was transferred), and uses it on the next send', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (pool) => {
      const buffer = bytes(64);
      const failed = pool.submit(refOf(mx.sumBytes), [move(buffer), () => 'not cloneable']);
      expect(await rejectionOf(failed)).toBeInstanceOf(CloneError);
      expect(buffer.byteLength).toBe(64);
      expect(await pool.submit(refOf(mx.sumBytes), [buffer])).toEqual([64, 128]);
      expect(buffer.byteLength).toBe(0);
    });
  });
});

describe('move() of a MessagePort', () => {
  it('hands a port to a thread call, which talks back on it', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (pool) => {
      const { port1, port2 } = new MessageChannel();
      const heard = new Promise((resolve) => port1.once('message', resolve));
      expect(await pool.submit(refOf(mx.postOn), [move(port2), 'hello'])).toBe('posted');
      expect(await heard).toBe('hello');
      port1.close();
    });
  });

  it('cannot send a port to a process: CloneError, nothing sent', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      const { port1, port2 } = new MessageChannel();
      expect(await rejectionOf(pool.submit(refOf(mx.postOn), [move(port2), 'hello']))).toBeInstanceOf(CloneError);
      port1.close();
      port2.close();
    });
  });
});

describe('move() to and from a process', () => {
  it('copies a moved argument and leaves the sender intact; the mark is used up', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      const buffer = bytes(1024);
      expect(await pool.submit(refOf(mx.sumBytes), [move(buffer)])).toEqual([1024, 2048]);
      expect(buffer.byteLength).toBe(1024);
      await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (threads) => {
        await threads.submit(refOf(mx.sumBytes), [buffer]);
        expect(buffer.byteLength).toBe(1024); // not moved again
      });
    });
  });

  it('copies a result returned with move()', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      const result = await pool.submit<Uint8Array>(refOf(mx.makeMoved), [100]);
      expect([result.byteLength, result[99]]).toEqual([100, 1]);
      expect(await pool.submit(refOf(mx.keptLength), [])).toBe(100);
    });
  });
});

describe('move() arguments', () => {
  it('throws TypeError for anything but an ArrayBuffer, a view of one, or a MessagePort', () => {
    expect(() => move(42 as never)).toThrow(TypeError);
    expect(() => move({} as never)).toThrow(/an ArrayBuffer, a typed array or DataView, or a MessagePort/);
    expect(() => move(new SharedArrayBuffer(8) as never)).toThrow(TypeError);
    expect(() => move(new Uint8Array(new SharedArrayBuffer(8)))).toThrow(/SharedArrayBuffer is shared/);
    const buffer = new ArrayBuffer(1);
    expect(move(buffer)).toBe(buffer);
  });
});
