/**
 * Cooperative cancellation, the same cases on every pool (docs/engine.md, "Ask, then
 * force"): a running call is asked to stop (checkpoint() throws, its signal aborts, library
 * awaits throw); if it ends within cancelGrace its worker is kept, else the worker is
 * terminated. And the rules of a cancel that races the call's end.
 */
import { isCancelledError, isTimeoutError } from '../../src/core/errors';
import { ProcessExecutor, ThreadExecutor } from '../../src/executors';
import type { Executor } from '../../src/executors/executor';
import * as cx from '../fixtures/cooperative-functions';
import { refOf, rejectionOf, withPool } from './helpers';
import { blockUntil, linesOf, tempDir, waitForFile, warmForPipelining } from './process-helpers';

type PoolOptions = { maxWorkers?: number; cancelGrace?: number };
type Pool = Executor & { close(): Promise<void> };

const pools: [string, (options: PoolOptions) => Pool][] = [
  ['thread', (options) => new ThreadExecutor(options)],
  ['process', (options) => new ProcessExecutor(options)],
];

/**
 * Make the pool send `b` to the worker behind `a`: a process pool pipelines only while calls
 * are tiny, so load this module in the child, then answer tiny calls.
 */
async function pipelining(kind: string, pool: Pool): Promise<void> {
  await pool.submit(refOf(cx.workerId), []);
  if (kind === 'process') await warmForPipelining(pool as ProcessExecutor);
}

/** Resolve once the worker wrote its first whole line to `file` (it exists a moment before). */
async function started(file: string): Promise<void> {
  await waitForFile(file);
  while (linesOf(file).length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
}

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let fileNo = 0;
const traceFile = (): string => tmp.file(`trace-${++fileNo}`);

describe.each(pools)('cooperative cancellation on the %s pool', (kind, make) => {
  it('stops a CPU loop at its checkpoint, runs its finally and keeps the worker', async () => {
    await withPool(() => make({ maxWorkers: 1, cancelGrace: 10_000 }), async (pool) => {
      const worker = await pool.submit(refOf(cx.workerId), []);
      const file = traceFile();
      const call = pool.submit(refOf(cx.spinWithCheckpoints), [file]);
      await started(file);
      expect(call.cancel('enough')).toBe(true);
      expect(isCancelledError(await rejectionOf(call))).toBe(true);
      // The finally ran before the Unfuture settled.
      expect(linesOf(file)).toEqual(['started', 'finally after some iterations']);
      expect(await pool.submit(refOf(cx.workerId), [])).toBe(worker);
      expect(pool.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 1, terminatedForCancel: 0 });
    });
  });

  it('throws CancelledError at a library await of an async call', async () => {
    await withPool(() => make({ maxWorkers: 1, cancelGrace: 10_000 }), async (pool) => {
      const worker = await pool.submit(refOf(cx.workerId), []);
      const file = traceFile();
      const call = pool.submit(refOf(cx.sleepLong), [file]);
      await started(file);
      call.cancel();
      expect(isCancelledError(await rejectionOf(call))).toBe(true);
      expect(linesOf(file)).toEqual(['started', 'caught CancelledError', 'finally']);
      expect(await pool.submit(refOf(cx.workerId), [])).toBe(worker);
    });
  });

  it('aborts currentSignal() and discards a value returned after the request', async () => {
    await withPool(() => make({ maxWorkers: 1, cancelGrace: 10_000 }), async (pool) => {
      const file = traceFile();
      const call = pool.submit(refOf(cx.waitForSignal), [file]);
      await started(file);
      call.cancel();
      expect(isCancelledError(await rejectionOf(call))).toBe(true);
      expect(call.cancelled()).toBe(true);
      expect(linesOf(file)).toEqual(['started', 'aborted CancelledError']);
      expect(pool.statistics().stoppedCooperatively).toBe(1);
    });
  });

  it('terminates a loop without checkpoints after cancelGrace and replaces the worker', async () => {
    await withPool(() => make({ maxWorkers: 1, cancelGrace: 100 }), async (pool) => {
      const worker = await pool.submit(refOf(cx.workerId), []);
      const file = traceFile();
      const call = pool.submit(refOf(cx.spinForever), [file]);
      await started(file);
      call.cancel();
      expect(isCancelledError(await rejectionOf(call))).toBe(true);
      expect(await pool.submit(refOf(cx.workerId), [])).not.toBe(worker);
      expect(pool.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 0, terminatedForCancel: 1 });
    });
  });

  it('terminates at once with cancelGrace 0: the call never sees the request', async () => {
    await withPool(() => make({ maxWorkers: 1, cancelGrace: 0 }), async (pool) => {
      const worker = await pool.submit(refOf(cx.workerId), []);
      const file = traceFile();
      const call = pool.submit(refOf(cx.spinWithCheckpoints), [file]);
      await started(file);
      call.cancel();
      expect(isCancelledError(await rejectionOf(call))).toBe(true);
      expect(linesOf(file)).toEqual(['started']);
      expect(await pool.submit(refOf(cx.workerId), [])).not.toBe(worker);
      expect(pool.statistics().terminatedForCancel).toBe(1);
    });
  });

  it('stops a timed-out call the same way, then rejects with TimeoutError', async () => {
    await withPool(() => make({ maxWorkers: 1, cancelGrace: 10_000 }), async (pool) => {
      const worker = await pool.submit(refOf(cx.workerId), []);
      const file = traceFile();
      const error = await rejectionOf(pool.submit(refOf(cx.spinWithCheckpoints), [file], { timeout: 200 }));
      expect(isTimeoutError(error)).toBe(true);
      expect(linesOf(file)).toEqual(['started', 'finally after some iterations']);
      expect(await pool.submit(refOf(cx.workerId), [])).toBe(worker);
    });
  });

  it.each([0, 10_000])('cancelling a call that has finished changes nothing and fails no neighbour (cancelGrace %i)', async (cancelGrace) => {
    await withPool(() => make({ maxWorkers: 1, cancelGrace }), async (pool) => {
      await pipelining(kind, pool);
      const file = traceFile();
      const a = pool.submit(refOf(cx.countRun), [file, 'a']);
      const b = pool.submit(refOf(cx.blockFor), [file, 'b', 300]);
      // The worker finishes `a` and starts `b` while this thread reads nothing.
      await Promise.resolve(); // the pool sends queued calls on this microtask
      blockUntil('b started', () => linesOf(file).includes('b'));
      a.cancel();
      expect(await b).toBe(300);
      expect(a.cancelled()).toBe(true);
      expect(linesOf(file)).toEqual(['a', 'b']);
      expect(pool.statistics().terminatedForCancel).toBe(0);
    });
  });

  it('cancelling the running call fails no call that finished before it on the same worker', async () => {
    await withPool(() => make({ maxWorkers: 1, cancelGrace: 0 }), async (pool) => {
      await pipelining(kind, pool);
      const file = traceFile();
      const a = pool.submit(refOf(cx.countRun), [file, 'a']);
      const b = pool.submit(refOf(cx.blockFor), [file, 'b', 60_000]);
      await Promise.resolve(); // the pool sends queued calls on this microtask
      blockUntil('b started', () => linesOf(file).includes('b'));
      b.cancel();
      expect(await a).toBe('a');
      expect(isCancelledError(await rejectionOf(b))).toBe(true);
      expect(linesOf(file)).toEqual(['a', 'b']);
    });
  });
});
