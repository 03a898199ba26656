/**
 * What only the process pool does in its dispatch, and its options. The behaviour every pool
 * shares (results, errors, queue order, cancellation, timeouts, crashes, close, statistics,
 * resultSync) is the contract suite's: contract/process.test.ts.
 */
import { ProcessExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import { refOf, withPool } from './helpers';

describe('ProcessExecutor dispatch', () => {
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
});

describe('ProcessExecutor options', () => {
  it('rejects bad options with the standard messages', () => {
    expect(() => new ProcessExecutor({ maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new ProcessExecutor({ maxTasksPerWorker: 0 })).toThrow(RangeError);
    expect(() => new ProcessExecutor({ resourceLimits: {} } as never)).toThrow('Unknown option `resourceLimits`');
    expect(() => new ProcessExecutor({ callerStacks: 1 as never })).toThrow("Expected `options.callerStacks` to be a boolean or 'auto'");
  });
});
