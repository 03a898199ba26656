import { isCancelledError, isTimeoutError } from '../../src/core/errors';
import { LocateError } from '../../src/core/executor-errors';
import { sleep } from '../../src/combinators/sleep';
import { reportProgress } from '../../src';
import { LoopExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import { refOf, rejectionOf } from './helpers';

async function slowDouble(n: number): Promise<number> {
  await sleep(5_000);
  return n * 2;
}

async function countTo(n: number): Promise<number> {
  for (let i = 1; i <= n; i++) {
    reportProgress(i);
    await sleep(1);
  }
  return n;
}

describe('LoopExecutor', () => {
  it("hands the task's progress to the Unfuture it returns, the last value before it settles", async () => {
    const loop = new LoopExecutor();
    const ref = { file: __filename, name: 'countTo', fn: countTo };
    const f = loop.submit<number>(ref, [3]);
    const seen: unknown[] = [];
    f.onProgress((value) => seen.push(value));
    f.addDoneCallback(() => seen.push('done'));
    expect(await f).toBe(3);
    // Values the loop has not delivered yet may be replaced by newer ones (onProgress's
    // contract), but they come in order and the last one comes before the future settles.
    expect(seen.slice(-2)).toEqual([3, 'done']);
    const values = seen.slice(0, -1) as number[];
    expect(values).toEqual([...new Set(values)].sort((a, b) => a - b));
  });

  it('runs a registered function as a task on the event loop', async () => {
    const loop = new LoopExecutor();
    const f = loop.submit<number>(refOf(fx.add), [2, 5]);
    expect(f.executor).toBe('loop');
    expect(await f).toBe(7);
    expect(await loop.submit(refOf(fx.whereAmI), [])).toEqual({ inWorker: false });
    expect(loop.statistics()).toMatchObject({ executor: 'loop', completed: 2, running: 0 });
  });

  it('cancels the task when the future is cancelled, and times out with TimeoutError', async () => {
    const loop = new LoopExecutor();
    const ref = { file: __filename, name: 'slowDouble', fn: slowDouble };
    const f = loop.submit(ref, [1]);
    await sleep(0);
    f.cancel('enough');
    expect(isCancelledError(await rejectionOf(f))).toBe(true);
    const timed = await rejectionOf(loop.submit(ref, [1], { timeout: 1 }));
    expect(isTimeoutError(timed)).toBe(true);
    expect(loop.statistics()).toMatchObject({ cancelled: 1, failed: 1 });
  });

  it('throws LocateError for an unregistered reference, InvalidStateError once closed', async () => {
    const loop = new LoopExecutor();
    expect(() => loop.submit({ file: __filename, name: 'nothing' }, [])).toThrow(LocateError);
    const pending = loop.submit(refOf(fx.addLater), [1, 1]);
    const closed = loop.close();
    expect(() => loop.submit(refOf(fx.add), [1, 1])).toThrow('the loop executor is closing');
    await closed;
    expect(await pending).toBe(2);
    expect(loop.statistics().state).toBe('closed');
  });
});
