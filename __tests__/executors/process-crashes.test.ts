import { isWorkerCrashedError, WorkerCrashedError } from '../../src/core/errors';
import { ProcessExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf } from './helpers';

const pool = new ProcessExecutor({ maxWorkers: 2 });
beforeAll(async () => {
  // Warm: both children up and many tiny calls answered, so the pool pipelines calls and a
  // crash has calls queued behind it in the same child.
  await Promise.all(Array.from({ length: 200 }, (_, i) => pool.submit(refOf(fx.add), [i, 0])));
});
afterAll(() => pool.close());

/** Submit 50 tiny calls, the crashing one, 50 more; all 100 must succeed. Returns the crash error. */
async function crashAmongHundred(crash: () => PromiseLike<unknown>): Promise<WorkerCrashedError> {
  const calls: PromiseLike<number>[] = [];
  for (let i = 0; i < 50; i++) calls.push(pool.submit<number>(refOf(fx.add), [i, 1]));
  const crashed = rejectionOf(crash());
  for (let i = 50; i < 100; i++) calls.push(pool.submit<number>(refOf(fx.add), [i, 1]));
  expect(await Promise.all(calls)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  const error = await crashed;
  expect(isWorkerCrashedError(error)).toBe(true);
  return error;
}

describe('ProcessExecutor crashes', () => {
  it('fails only the call whose child called process.exit, with its exit code', async () => {
    const error = await crashAmongHundred(() => pool.submit(refOf(fx.exitHard), [7]));
    expect(error.exitCode).toBe(7);
    expect(error.signal).toBeUndefined();
    expect(error.message).toContain('`exitHard` exited with code 7');
  });

  it('fails only the call whose child died of an uncaught async error', async () => {
    const error = await crashAmongHundred(() => pool.submit(refOf(fx.throwLater), ['late boom']));
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('`throwLater`');
  });

  it('fails only the call whose child was SIGKILLed, with the signal', async () => {
    const error = await crashAmongHundred(() => pool.submit(refOf(px.killSelf), ['SIGKILL']));
    expect(error.signal).toBe('SIGKILL');
    expect(error.message).toContain('was killed by SIGKILL');
  });

  it('replaces crashed children and keeps serving', async () => {
    const before = pool.statistics();
    expect(await pool.submit(refOf(fx.add), [20, 22])).toBe(42);
    expect(pool.statistics().failed).toBe(before.failed);
    expect(pool.statistics().workers).toBeGreaterThanOrEqual(1);
    expect(pool.statistics().workers).toBeLessThanOrEqual(2);
  });
});
