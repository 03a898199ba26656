/**
 * `statistics()`: the runtime as plain frozen data.
 */
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { unsyncRegister } from '../../src/executors/registry';
import { executorStarted, getExecutor } from '../../src/runtime/pools';
import { shutdown } from '../../src/runtime/shutdown';
import { debugState } from '../../src/runtime/debug';
import { statistics } from '../../src/runtime/statistics';
import { captureReports } from './debug-helpers';

const double = (x: number): number => x * 2;

afterEach(async () => {
  await shutdown();
});

describe('statistics', () => {
  it('returns a plain object, frozen all the way down', () => {
    const s = statistics();
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.tasks)).toBe(true);
    expect(Object.isFrozen(s.executors)).toBe(true);
    expect(Object.isFrozen(s.debug)).toBe(true);
    expect(Object.isFrozen(s.debug.reports)).toBe(true);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('counts tasks by state as they are created and settle', async () => {
    const before = statistics().tasks;
    const ok = createTask(() => sleep(5, 'ok'));
    const failed = createTask(async () => {
      throw new Error('no');
    });
    const cancelled = createTask(() => sleep(1000));
    const pending = statistics().tasks;
    expect(pending.created - before.created).toBe(3);
    expect(pending.pending - before.pending).toBe(3);
    cancelled.cancel();
    await ok;
    await failed.catch(() => undefined);
    await cancelled.catch(() => undefined);
    const after = statistics().tasks;
    expect({
      pending: after.pending - before.pending,
      fulfilled: after.fulfilled - before.fulfilled,
      rejected: after.rejected - before.rejected,
      cancelled: after.cancelled - before.cancelled,
    }).toEqual({ pending: 0, fulfilled: 1, rejected: 1, cancelled: 1 });
    expect(after.created).toBe(after.pending + after.fulfilled + after.rejected + after.cancelled);
  });

  it('lists only executors that exist, and never starts a pool', async () => {
    await shutdown();
    expect(statistics().executors).toEqual({});
    expect(executorStarted('thread')).toBe(false);
    const loop = getExecutor('loop');
    await loop.submit(unsyncRegister(double), [21]);
    const s = statistics();
    expect(Object.keys(s.executors)).toEqual(['loop']);
    expect(s.executors.loop).toMatchObject({ executor: 'loop', state: 'open', completed: 1, failed: 0, queued: 0, running: 0 });
    expect(executorStarted('thread')).toBe(false);
  });

  it('shows the debug settings and counts reports by kind', () => {
    const capture = captureReports({ slowCallbackDuration: 123 });
    try {
      const s = statistics().debug;
      expect(s.enabled).toBe(true);
      expect(s.slowCallbackDuration).toBe(123);
      expect(Object.keys(s.reports).sort()).toEqual(['neverAwaited', 'slowCallback', 'unretrievedError']);
    } finally {
      capture.restore();
    }
    expect(statistics().debug.enabled).toBe(debugState.enabled);
  });
});
