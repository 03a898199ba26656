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
// At top level: registering inside a test body is an error (not locatable in a worker), which
// the registry could miss only when no frame was below the body (a microtask drained natively).
const doubleRef = unsyncRegister(double);

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
    expect(Object.isFrozen(s.decorated)).toBe(true);
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
    await loop.submit(doubleRef, [21]);
    const s = statistics();
    expect(Object.keys(s.executors)).toEqual(['loop']);
    expect(s.executors.loop).toMatchObject({ executor: 'loop', state: 'open', completed: 1, failed: 0, queued: 0, running: 0 });
    expect(executorStarted('thread')).toBe(false);
  });

  it('has an empty decorated section while the decorator layer is not loaded', () => {
    // This file imports src/runtime directly (not the barrel), so decorators/ has not loaded yet.
    expect(statistics().decorated).toEqual([]);
  });

  it('lists each decorated function once called: key, placement, reason and calls per executor', async () => {
    // Loading the fixtures loads the barrel, and with it decorators/, which registers the section.
    const F = require('../fixtures/decorated-functions') as typeof import('../fixtures/decorated-functions');
    const names = (): string[] => statistics().decorated.map((d) => d.name);
    const before = names();
    F.addU(1, 2);
    F.addU(3, 4);
    await F.onThread(3);
    await F.fetchLaterU(1);
    const s = statistics();
    expect(names().filter((n) => !before.includes(n))).toEqual(['add', 'threadSquare', 'fetchLater']);
    const byName = new Map(s.decorated.map((d) => [d.name, d]));
    expect(byName.get('add')).toEqual({
      name: 'add',
      key: 'add',
      executor: 'loop',
      kind: 'cpu',
      rule: 'source',
      reason: 'its source has a short body without loops, so it runs inline on the loop until measurements say otherwise',
      calls: { loop: 2 },
      flips: 0,
    });
    expect(byName.get('threadSquare')).toMatchObject({ executor: 'thread', rule: 'option', calls: { thread: 1 } });
    expect(byName.get('fetchLater')).toMatchObject({ kind: 'async', executor: 'loop', rule: 'async', calls: { loop: 1 } });
    // Uncalled decorated functions are not listed.
    expect(names()).not.toContain('readConfig');
    expect(s.decorated.every((d) => Object.isFrozen(d) && Object.isFrozen(d.calls))).toBe(true);
    expect(JSON.parse(JSON.stringify(s.decorated))).toEqual(s.decorated);
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
