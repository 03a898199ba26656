import { isCancelledError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { activeTimers as activeTimeouts, errorOf, flush, timersSettleTo } from './helpers';

describe('sleep', () => {
  it('fulfils with the given value', async () => {
    expect(await sleep(5, 'v')).toBe('v');
    expect(await sleep(1)).toBeUndefined();
  });

  it('wakes sleepers in deadline order, not call order', async () => {
    // On a fake clock: it does not move while the test starts the sleeps, so their
    // deadlines are 30, 5 and 15 ms from the same instant (real timers started one after
    // another can be stretched apart by a pause on a loaded machine).
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'clearImmediate'] });
    try {
      const steps: string[] = [];
      const all = Promise.all([
        sleep(30).then(() => steps.push('30')),
        sleep(5).then(() => steps.push('5')),
        sleep(15).then(() => steps.push('15')),
      ]);
      await jest.advanceTimersByTimeAsync(30);
      await all;
      expect(steps).toEqual(['5', '15', '30']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('yields to the event loop once for zero or negative ms', async () => {
    const steps: string[] = [];
    queueMicrotask(() => steps.push('microtask'));
    const zero = sleep(0, 'zero').then((v) => steps.push(v));
    const negative = sleep(-10, 'negative').then((v) => steps.push(v));
    expect(zero.done()).toBe(false);
    await Promise.all([zero, negative]);
    expect(steps).toEqual(['microtask', 'zero', 'negative']);
  });

  it('runs a zero sleep before an earlier-scheduled 50 ms timer', async () => {
    const steps: string[] = [];
    const timer = new Promise<void>((resolve) => setTimeout(() => (steps.push('timer'), resolve()), 50));
    await sleep(0);
    steps.push('after sleep(0)');
    await timer;
    expect(steps).toEqual(['after sleep(0)', 'timer']);
  });

  it('is cancelled with the given message and settles at once', async () => {
    const s = sleep(10_000);
    expect(s.cancel('stop')).toBe(true);
    expect(s.cancelled()).toBe(true);
    const error = await errorOf(s);
    expect(isCancelledError(error)).toBe(true);
    expect((error as Error).message).toBe('stop');
    expect(s.cancel()).toBe(false);
  });

  it('disposes its timer when cancelled so it never keeps the process alive', async () => {
    const before = activeTimeouts();
    const s = sleep(60_000);
    expect(activeTimeouts()).toBe(before + 1);
    s.cancel();
    expect(activeTimeouts()).toBe(before);
  });

  it('disposes its immediate when a zero sleep is cancelled', async () => {
    const count = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Immediate').length;
    const before = count();
    const s = sleep(0);
    expect(count()).toBe(before + 1);
    s.cancel();
    expect(count()).toBe(before);
    expect(s.cancelled()).toBe(true);
  });

  it('throws CancelledError at the await inside a task that is cancelled', async () => {
    const steps: string[] = [];
    const before = activeTimeouts();
    const task = createTask(async () => {
      steps.push('start');
      try {
        await sleep(60_000);
        steps.push('woke');
      } catch (error) {
        steps.push(isCancelledError(error) ? `cancelled: ${(error as Error).message}` : 'other');
        throw error;
      }
    });
    await sleep(1);
    task.cancel('bye');
    expect(isCancelledError(await errorOf(task))).toBe(true);
    expect(task.cancelled()).toBe(true);
    expect(steps).toEqual(['start', 'cancelled: bye']);
    // Awaits happened since `before`: other timers may have ended meanwhile (see timersSettleTo).
    expect(await timersSettleTo(before)).toBeLessThanOrEqual(before);
  });

  it('clamps a delay above the 32-bit timer limit instead of firing at once', async () => {
    const s = sleep(2 ** 40);
    await sleep(5);
    expect(s.done()).toBe(false);
    s.cancel();
  });

  it('rejects a non-number, NaN or null delay with a TypeError', () => {
    expect(() => sleep('10' as unknown as number)).toThrow(TypeError);
    expect(() => sleep('10' as unknown as number)).toThrow('Expected `ms` to be a number of milliseconds, got "10" (string)');
    expect(() => sleep(Number.NaN)).toThrow(TypeError);
    expect(() => sleep(null as unknown as number)).toThrow(TypeError);
    expect(() => sleep(undefined as unknown as number)).toThrow(TypeError);
  });
});
