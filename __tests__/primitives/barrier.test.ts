import { Barrier, createTask, isBrokenBarrierError, isCancelledError } from '../../src';
import { errorOf, flush } from './helpers';

describe('Barrier', () => {
  it('releases all parties together with their arrival indices, then starts a new cycle', async () => {
    const barrier = new Barrier(3);
    const steps: string[] = [];
    const party = (name: string) =>
      createTask(async () => {
        steps.push(`${name} arrives`);
        const index = await barrier.wait();
        steps.push(`${name} passes ${index}`);
      });
    const tasks = [party('a'), party('b')];
    await flush();
    expect(barrier.nWaiting).toBe(2);
    expect(steps).toEqual(['a arrives', 'b arrives']);
    tasks.push(party('c'));
    await Promise.all(tasks);
    expect(steps.slice(3)).toEqual(['a passes 0', 'b passes 1', 'c passes 2']);
    expect(barrier.statistics()).toEqual({ parties: 3, waiting: 0, state: 'filling' });
  });

  it('lets a cancelled party leave without breaking the barrier', async () => {
    const barrier = new Barrier(2);
    const a = barrier.wait();
    a.cancel();
    expect(barrier.nWaiting).toBe(0);
    const [b, c] = [barrier.wait(), barrier.wait()];
    expect(await Promise.all([b, c])).toEqual([0, 1]);
    expect(isCancelledError(await errorOf(a))).toBe(true);
  });

  it('lets parties cancelled through their task or their signal leave, and later arrivals take their place', async () => {
    const barrier = new Barrier(3);
    const steps: string[] = [];
    const controller = new AbortController();
    const bySignal = barrier.wait({ signal: controller.signal });
    const byTask = createTask(() => barrier.wait());
    await flush();
    expect(barrier.nWaiting).toBe(2);
    byTask.cancel();
    controller.abort();
    for (const f of [byTask, bySignal]) expect(isCancelledError(await errorOf(f))).toBe(true);
    expect(barrier.statistics()).toEqual({ parties: 3, waiting: 0, state: 'filling' });
    const parties = ['x', 'y', 'z'].map((name) =>
      createTask(async () => {
        steps.push(`${name} passes ${await barrier.wait()}`);
      }),
    );
    await Promise.all(parties);
    expect(steps).toEqual(['x passes 0', 'y passes 1', 'z passes 2']);
  });

  it('rejects bad options with a TypeError', () => {
    const barrier = new Barrier(2);
    expect(() => barrier.wait({ signal: 1 } as never)).toThrow(TypeError);
    expect(() => new Barrier(1.5)).toThrow(TypeError);
    expect(barrier.nWaiting).toBe(0);
  });

  it('reset() fails the waiting parties and leaves the barrier usable', async () => {
    const barrier = new Barrier(2);
    const a = barrier.wait();
    barrier.reset();
    expect(isBrokenBarrierError(await errorOf(a))).toBe(true);
    expect(barrier.broken).toBe(false);
    expect(await Promise.all([barrier.wait(), barrier.wait()])).toEqual([0, 1]);
  });

  it('abort() breaks the barrier until reset()', async () => {
    const barrier = new Barrier(2);
    const a = barrier.wait();
    barrier.abort();
    expect(isBrokenBarrierError(await errorOf(a))).toBe(true);
    expect(barrier.broken).toBe(true);
    expect(isBrokenBarrierError(await errorOf(barrier.wait()))).toBe(true);
    barrier.reset();
    expect(barrier.broken).toBe(false);
  });

  it('passes at once with one party and rejects parties < 1', async () => {
    expect(await new Barrier(1).wait()).toBe(0);
    expect(() => new Barrier(0)).toThrow(RangeError);
    expect(new Barrier(4).parties).toBe(4);
  });
});
