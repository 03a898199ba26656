import * as fs from 'node:fs';
import { isWorkerCrashedError, WorkerCrashedError } from '../../src/core/errors';
import { ProcessExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf } from './helpers';
import { tempDir, waitForFile } from './process-helpers';

const tmp = tempDir();
const pool = new ProcessExecutor({ maxWorkers: 2 });
beforeAll(async () => {
  // Warm: both children up and many tiny calls answered, so the pool pipelines calls and a
  // crash has calls queued behind it in the same child.
  await Promise.all(Array.from({ length: 200 }, (_, i) => pool.submit(refOf(fx.add), [i, 0])));
});
afterAll(async () => {
  await pool.close();
  tmp.cleanup();
});

/**
 * Start a call that crashes its child once told (a file); once it runs, submit 100 calls that
 * block until a release file exists (on the other child, pipelined behind the crashing call,
 * or waiting in the pool), then crash it. At the crash all 100 are still pending; only then
 * are they released. All 100 must succeed. Returns the crash error and what the pool held.
 */
async function crashAmongHundred(kind: 'exit' | 'uncaught' | 'kill') {
  const started = tmp.file(`${kind}.started`);
  const go = tmp.file(`${kind}.go`);
  const release = tmp.file(`${kind}.release`);
  const crashing = pool.submit(refOf(px.crashOnFile), [started, go, kind]);
  await waitForFile(started);
  const calls = Array.from({ length: 100 }, (_, i) => pool.submit<number>(refOf(px.addWhenFile), [release, i, 1]));
  fs.writeFileSync(go, '');
  const error = (await rejectionOf(crashing)) as WorkerCrashedError;
  const stats = pool.statistics();
  const atCrash = { pending: calls.filter((c) => !c.done()).length, inPool: stats.running + stats.queued };
  fs.writeFileSync(release, '');
  expect(await Promise.all(calls)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  expect(isWorkerCrashedError(error)).toBe(true);
  expect(atCrash).toEqual({ pending: 100, inPool: 100 });
  return error;
}

describe('ProcessExecutor crashes', () => {
  it('fails only the call whose child called process.exit, with its exit code; the 100 calls in flight all succeed', async () => {
    const error = await crashAmongHundred('exit');
    expect(error.exitCode).toBe(7);
    expect(error.signal).toBeUndefined();
    expect(error.message).toContain('`crashOnFile` exited with code 7');
  });

  it('fails only the call whose child died of an uncaught async error', async () => {
    const error = await crashAmongHundred('uncaught');
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('`crashOnFile`');
  });

  it('fails only the call whose child was SIGKILLed, with the signal', async () => {
    const error = await crashAmongHundred('kill');
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
