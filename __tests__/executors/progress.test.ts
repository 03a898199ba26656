/**
 * Progress (issue 14): `reportProgress(value)` inside a call, `future.onProgress(callback)`
 * at the caller, over both pools and loop tasks.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import { progressHooks } from '../../src/core/hooks';
import { reportProgress } from '../../src/core/report-progress';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { Unfuture } from '../../src/core/future';
import { ProcessExecutor, ThreadExecutor } from '../../src/executors';
import type { Executor } from '../../src/executors/executor';
import * as px from '../fixtures/progress-functions';
import { refOf, rejectionOf, withPool } from './helpers';
import { tempDir } from './process-helpers';

type Pool = Executor & { close(): Promise<void> };
const pools: [string, () => Pool][] = [
  ['thread', () => new ThreadExecutor({ maxWorkers: 1 })],
  ['process', () => new ProcessExecutor({ maxWorkers: 1 })],
];
const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe.each(pools)('progress from the %s pool', (_kind, make) => {
  it('delivers values in order, the last one before the Unfuture settles', async () => {
    await withPool(make, async (pool) => {
      const values: unknown[] = [];
      const call = pool.submit<number>(refOf(px.countTo), [40]);
      call.onProgress((value) => values.push(value));
      let atSettle: unknown[] | undefined;
      call.addDoneCallback(() => (atSettle = [...values]));
      expect(await call).toBe(40);
      expect(atSettle?.at(-1)).toBe(40);
      // Intermediate values may be coalesced, never reordered or repeated.
      expect(values).toEqual([...values].sort((a, b) => (a as number) - (b as number)));
      expect(new Set(values).size).toBe(values.length);
    });
  });

  it('sends a value from synchronous code at once, while the call still runs', async () => {
    await withPool(make, async (pool) => {
      const go = path.join(tmp.file(`go-${Math.random()}`));
      const values: unknown[] = [];
      const call = pool.submit<string>(refOf(px.reportThenSpin), [go]);
      call.onProgress((value) => {
        values.push(value);
        // The worker spins until this file exists: only a value sent mid-call can end it.
        if (value === 'half') fs.writeFileSync(go, '');
      });
      expect(await call).toBe('finished');
      expect(values).toEqual(['half', 'done']);
    });
  });

  it('gives a removed callback nothing more, not even a value already on its way', async () => {
    await withPool(make, async (pool) => {
      const kept: unknown[] = [];
      const removedGot: unknown[] = [];
      const call = pool.submit<number>(refOf(px.countTo), [20]);
      let removeOther: (() => void) | undefined;
      call.onProgress((value) => {
        kept.push(value);
        removeOther?.(); // runs first: the other callback must not see this delivery
      });
      removeOther = call.onProgress((value) => removedGot.push(value));
      await call;
      expect(kept.at(-1)).toBe(20);
      expect(removedGot).toEqual([]);
    });
  });

  it('reports a throwing callback and does not fail the call', async () => {
    const reported: unknown[] = [];
    const before = progressHooks.onCallbackError;
    progressHooks.onCallbackError = (error) => reported.push(error);
    try {
      await withPool(make, async (pool) => {
        const call = pool.submit<number>(refOf(px.countTo), [3]);
        call.onProgress(() => {
          throw new Error('callback bug');
        });
        expect(await call).toBe(3);
      });
    } finally {
      progressHooks.onCallbackError = before;
    }
    expect(reported.length).toBeGreaterThan(0);
    expect((reported[0] as Error).message).toBe('callback bug');
  });

  it('fails the call with a TypeError when a value cannot be sent', async () => {
    await withPool(make, async (pool) => {
      const error = await rejectionOf(pool.submit(refOf(px.reportUncloneable), []));
      expect(error.name).toBe('TypeError');
      expect(error.message).toMatch(/^reportProgress: the value cannot be sent to the caller/);
    });
  });
});

describe('progress from a loop task', () => {
  it('goes to the task itself, the last value before it settles', async () => {
    const values: unknown[] = [];
    const task = createTask(async () => {
      reportProgress('start');
      await sleep(1);
      reportProgress('middle');
      reportProgress('end');
      return 'ok';
    });
    task.onProgress((value) => values.push(value));
    expect(await task).toBe('ok');
    expect(values.at(-1)).toBe('end');
    expect(values.filter((v) => v === 'middle').length).toBeLessThanOrEqual(1);
  });
});

describe('reportProgress and onProgress outside a call', () => {
  it('reportProgress does nothing outside any call or task', () => {
    expect(reportProgress('nobody listens')).toBeUndefined();
  });

  it('onProgress validates its callback and never calls one on a done future', async () => {
    const done = Unfuture.fromValue(1);
    expect(() => done.onProgress('no' as never)).toThrow(TypeError);
    const calls: unknown[] = [];
    const remove = done.onProgress((value) => calls.push(value));
    expect(typeof remove).toBe('function');
    remove();
    await sleep(1);
    expect(calls).toEqual([]);
  });
});
