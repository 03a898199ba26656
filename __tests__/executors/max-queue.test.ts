/**
 * `maxQueue` on both pools (issue 14, "Backpressure on pools"): when that many calls wait
 * for a worker, a new call is refused at once with QueueFull, nothing is queued, and the
 * calls already waiting are unaffected.
 */
import { QueueFull, isCancelledError } from '../../src/core/errors';
import { ProcessExecutor, ThreadExecutor } from '../../src/executors';
import type { Executor } from '../../src/executors/executor';
import * as cx from '../fixtures/cooperative-functions';
import { refOf, rejectionOf, withPool } from './helpers';
import { linesOf, tempDir, waitForFile } from './process-helpers';

type Pool = Executor & { close(): Promise<void> };
const pools: [string, (options: { maxQueue?: number }) => Pool][] = [
  ['thread', (options) => new ThreadExecutor({ maxWorkers: 1, cancelGrace: 5_000, ...options })],
  ['process', (options) => new ProcessExecutor({ maxWorkers: 1, cancelGrace: 5_000, ...options })],
];

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let fileNo = 0;

describe.each(pools)('maxQueue on the %s pool', (kind, make) => {
  it('refuses the call past maxQueue with QueueFull and runs the waiting ones', async () => {
    await withPool(() => make({ maxQueue: 2 }), async (pool) => {
      const file = tmp.file(`trace-${++fileNo}`);
      const spinner = pool.submit(refOf(cx.spinWithCheckpoints), [file]);
      await waitForFile(file);
      while (linesOf(file).length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
      const waiting = [pool.submit(refOf(cx.countRun), [file, 'a']), pool.submit(refOf(cx.countRun), [file, 'b'])];
      const refused = pool.submit(refOf(cx.countRun), [file, 'refused']);
      expect(refused.done()).toBe(true); // at once: nothing was queued
      const error = await rejectionOf(refused);
      expect(error).toBeInstanceOf(QueueFull);
      expect(error.message).toMatch(new RegExp(`^the ${kind} pool refused a call to \`countRun\`: 2 calls already wait for a worker \\(maxQueue: 2\\)$`));
      expect(pool.statistics()).toMatchObject({ queued: 2, running: 1 });
      spinner.cancel();
      expect(isCancelledError(await rejectionOf(spinner))).toBe(true);
      expect(await Promise.all(waiting)).toEqual(['a', 'b']);
      expect(linesOf(file)).toEqual(['started', 'finally after some iterations', 'a', 'b']);
    });
  });

  it('validates maxQueue', () => {
    expect(() => make({ maxQueue: -1 })).toThrow(RangeError);
    expect(() => make({ maxQueue: 1.5 })).toThrow(/maxQueue/);
    expect(() => make({ maxQueue: '3' as never })).toThrow(TypeError);
  });
});
