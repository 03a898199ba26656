/**
 * `future.resultSync(ms)` for thread calls: the synchronous reply channel of
 * src/executors/sync-wait.ts and the thread pool. What resultSync does on every pool (a
 * fresh pool, a queued call, errors, its own timeout) is in the contract suite.
 */
import {
  CancelledError,
  InvalidStateError,
  isCancelledError,
  isTimeoutError,
} from '../../src/core/errors';
import { isWorkerCrashedError } from '../../src/core/executor-errors';
import { syncWaiters } from '../../src/core/hooks';
import { ThreadExecutor } from '../../src/executors';
import { pendingFuture } from '../../src/core/future';
import { trackLiveness } from '../../src/executors/worker/liveness-table.cjs';
import * as fx from '../fixtures/pool-functions';
import { refOf, rejectionOf, shared, thrown, waitUntilChanged, withPool } from './helpers';

describe('resultSync on thread calls', () => {
  it('installs the thread waiter when the thread executor loads', () => {
    expect(typeof syncWaiters.thread).toBe('function');
  });

  it('ends with WorkerCrashedError when the thread dies under the call, and the calls behind it still run', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (pool) => {
      const crashing = pool.submit(refOf(fx.exitHard), [9]);
      const behind = pool.submit<number>(refOf(fx.add), [2, 3]);
      const error = thrown(() => crashing.resultSync(30_000));
      expect(isWorkerCrashedError(error)).toBe(true);
      // Seen through the dead cell, without the event loop: the exit code comes from the worker's exit handler.
      expect(error.exitCode).toBe(9);
      // piscina would start the replacement worker through the (blocked) event loop: the
      // pool moves to a fresh piscina pool whose first worker needs no loop.
      expect(behind.resultSync(30_000)).toBe(5);
      expect(pool.submit<number>(refOf(fx.add), [3, 4]).resultSync(30_000)).toBe(7);
      expect(await behind).toBe(5);
    });
  });

  it('ends with the CancelledError of a call cancelled before the wait, and after a timeout the call can still be cancelled', async () => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1 }), async (pool) => {
      const started = shared(1);
      const spinning = pool.submit(refOf(fx.spinForever), [started]);
      const queued = pool.submit(refOf(fx.add), [1, 1]);
      queued.cancel('no longer needed');
      expect(thrown(() => queued.resultSync(1000))).toBeInstanceOf(CancelledError);
      expect(isTimeoutError(thrown(() => spinning.resultSync(20)))).toBe(true);
      spinning.cancel('stop');
      expect(isCancelledError(await rejectionOf(spinning))).toBe(true);
      expect(pool.submit<number>(refOf(fx.add), [4, 4]).resultSync(30_000)).toBe(8);
    });
  });

  it('blocks for a call submitted right after the only running call was stopped, before the loop ran', async () => {
    // cancelGrace 0: a grace period is a timer, and timers wait while the caller blocks.
    await withPool(() => new ThreadExecutor({ maxWorkers: 1, cancelGrace: 0 }), async (pool) => {
      const started = shared(1);
      const spinning = pool.submit(refOf(fx.spinForever), [started]);
      await waitUntilChanged(started, 0);
      spinning.cancel('stop'); // terminates the only worker; piscina's replacement needs the loop
      expect(pool.submit<number>(refOf(fx.add), [4, 5]).resultSync(30_000)).toBe(9);
      expect(isCancelledError(await rejectionOf(spinning))).toBe(true);
      expect(await pool.submit<number>(refOf(fx.add), [1, 1])).toBe(2);
    });
  });

  // With churn, more workers than the liveness table has slots came and went first (each
  // terminated: no exit handler of its own ran, the pool freed its slot).
  it.each([0, 12])('blocks for a call whose session went to a worker that died between sessions, before the loop ran (%i workers terminated before)', async (churn) => {
    await withPool(() => new ThreadExecutor({ maxWorkers: 1, idleTimeout: 60_000, cancelGrace: 0 }), async (pool) => {
      for (let i = 0; i < churn; i++) {
        const started = shared(1);
        const spinning = pool.submit(refOf(fx.spinForever), [started]);
        await waitUntilChanged(started, 0);
        spinning.cancel();
        await rejectionOf(spinning);
      }
      const flags = shared(2);
      await pool.submit(refOf(fx.answerLater), [flags, 0, 1, true]);
      while (pool.statistics().workers > 0) await new Promise((resolve) => setTimeout(resolve, 10)); // its session ended
      // From here on this thread never yields, so it cannot see the worker die.
      Atomics.store(flags, 0, 1); // the worker's timer throws now: it dies with no session
      Atomics.wait(flags, 1, 0, 30_000);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100); // let it finish exiting
      // piscina still counts the dead worker as free, so the session goes to it.
      const steps: string[] = [];
      try {
        steps.push(`answer ${pool.submit<number>(refOf(fx.add), [4, 5]).resultSync(10_000)}`);
      } catch (error) {
        steps.push(isTimeoutError(error) ? 'timed out' : String(error));
      }
      expect(steps).toEqual(['answer 9']);
      expect(await pool.submit<number>(refOf(fx.add), [1, 1])).toBe(2);
    });
  });

  it("keeps a liveness table where a worker's exit marks only its own entry, and a live worker's entry is never taken", () => {
    const table = new Int32Array(new SharedArrayBuffer(4 * 3));
    const wake = new Int32Array(new SharedArrayBuffer(8));
    const exits = new Map<number, () => void>();
    const track = (id: number): number => trackLiveness(table, wake, id, (onExit) => exits.set(id, onExit));
    expect([track(5), track(6), track(7)]).toEqual([0, 1, 2]);
    expect(track(8)).toBe(-1); // no free or dead slot: not tracked, and no live entry is taken
    exits.get(6)!();
    expect([...table]).toEqual([5, -6, 7]);
    expect(wake[1]).toBe(1); // a blocked caller is woken to look
    expect(track(9)).toBe(1); // a dead worker's slot is reused
    exits.get(6)!(); // a late second exit of 6 (or any stale handler) cannot mark 9 dead
    expect([...table]).toEqual([5, 9, 7]);
  });

  it('refuses a thread future that no live pool owns', () => {
    const stray = pendingFuture<number>({ executor: 'thread' });
    const error = thrown(() => stray.resultSync(10));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toMatch(/is not a pending call of a live thread pool/);
  });
});
