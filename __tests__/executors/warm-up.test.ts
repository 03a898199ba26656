/**
 * `warmUp()` on both pools: a worker ready before a call needs it, started at most once, and
 * nothing started on a closed pool. The decorator's thread/process comparison relies on it to
 * send a call to the other pool only once a worker there is ready (docs/decorator.md).
 */
import { ProcessExecutor, ThreadExecutor } from '../../src';
import * as fx from '../fixtures/pool-functions';
import { refOf } from './helpers';

describe('warmUp', () => {
  it('starts one child process for a later call, says true once it is ready and idle, and the call runs on it', async () => {
    const pool = new ProcessExecutor({ maxWorkers: 2 });
    try {
      expect(pool.warmUp()).toBe(false); // nothing ready: one child starts
      expect(pool.statistics().workers).toBe(1);
      expect(pool.warmUp()).toBe(false); // still starting: no second child
      expect(pool.statistics().workers).toBe(1);
      const [pid] = pool.childPids();
      expect(await pool.submit(refOf(fx.add), [2, 3])).toBe(5); // runs on the child warmUp started
      expect(pool.childPids()).toEqual([pid]);
      expect(pool.warmUp()).toBe(true); // ready and idle: a call now starts at once
      expect(pool.statistics().workers).toBe(1);
    } finally {
      await pool.close();
    }
    expect(pool.warmUp()).toBe(false); // closed: nothing starts
    expect(pool.statistics().workers).toBe(0);
  });

  it('says false while a call waits in the queue, without starting a worker past maxWorkers', async () => {
    const pool = new ProcessExecutor({ maxWorkers: 1 });
    try {
      const calls = [pool.submit(refOf(fx.add), [1, 1]), pool.submit(refOf(fx.add), [2, 2])];
      expect(pool.warmUp()).toBe(false);
      expect(pool.statistics().workers).toBe(1);
      expect(await Promise.all(calls)).toEqual([2, 4]);
    } finally {
      await pool.close();
    }
  });

  it('opens a thread session that takes calls at once', async () => {
    const pool = new ThreadExecutor({ maxWorkers: 1 });
    try {
      expect(pool.warmUp()).toBe(true); // a session takes calls as soon as it exists
      expect(pool.statistics().workers).toBe(1);
      expect(pool.warmUp()).toBe(true); // the same idle session: nothing more starts
      expect(pool.statistics().workers).toBe(1);
      expect(await pool.submit(refOf(fx.add), [4, 5])).toBe(9);
    } finally {
      await pool.close();
    }
    expect(pool.warmUp()).toBe(false);
  });
});
