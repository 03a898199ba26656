import { WaiterQueue } from '../../src/core/waiters';
import { createTask, isCancelledError } from '../../src';
import { errorOf, flush } from '../primitives/helpers';

describe('WaiterQueue', () => {
  it('wakes waiters in FIFO order and runs their continuations in that order', async () => {
    const lot = new WaiterQueue<string>();
    const steps: string[] = [];
    const futures = ['a', 'b', 'c'].map((name) => lot.park(undefined).then((v) => steps.push(`${name}:${v}`)));
    expect(lot.size).toBe(3);
    expect(lot.wakeOne('1')).toBe(true);
    expect(lot.wakeAll('2')).toBe(2);
    await Promise.all(futures);
    expect(steps).toEqual(['a:1', 'b:2', 'c:2']);
    expect(lot.size).toBe(0);
    expect(lot.wakeOne('x')).toBe(false);
  });

  it('removes a waiter whose future is cancelled and passes the next wake-up to the next live waiter', async () => {
    const lot = new WaiterQueue<number>();
    const first = lot.park(undefined);
    const second = lot.park(undefined);
    expect(first.cancel('bye')).toBe(true);
    expect(first.cancelled()).toBe(true);
    expect(lot.size).toBe(1);
    lot.wakeOne(7);
    expect(await second).toBe(7);
  });

  it('does nothing when a woken waiter is cancelled: the value stays delivered', async () => {
    const lot = new WaiterQueue<number>();
    const f = lot.park(undefined);
    lot.wakeOne(1);
    expect(f.cancel()).toBe(false);
    expect(await f).toBe(1);
  });

  it('cancels a parked waiter when the task awaiting it is cancelled', async () => {
    const lot = new WaiterQueue<number>();
    const steps: string[] = [];
    const task = createTask(async () => {
      try {
        await lot.park(undefined);
        steps.push('woken');
      } catch (error) {
        steps.push(isCancelledError(error) ? 'cancelled' : 'other');
        throw error;
      }
    });
    await flush();
    expect(lot.size).toBe(1);
    task.cancel();
    await errorOf(task);
    expect(steps).toEqual(['cancelled']);
    expect(lot.size).toBe(0);
  });

  it('cancels a parked waiter when its signal aborts, with the reason as cause', async () => {
    const lot = new WaiterQueue<number>();
    const controller = new AbortController();
    const f = lot.park(undefined, { signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    const error = await errorOf(f);
    expect(isCancelledError(error)).toBe(true);
    expect((error as Error).cause).toBe(reason);
    expect(lot.size).toBe(0);
  });

  it('returns an already cancelled future for an aborted signal and parks nothing', () => {
    const lot = new WaiterQueue<number>();
    const f = lot.park(undefined, { signal: AbortSignal.abort() });
    expect(f.cancelled()).toBe(true);
    expect(lot.size).toBe(0);
  });

  it('hands the parked data to accept() on wake-up and keeps FIFO data order', () => {
    const lot = new WaiterQueue<void, string>();
    lot.park('x');
    const y = lot.park('y');
    lot.park('z');
    y.cancel();
    expect(lot.dataInOrder()).toEqual(['x', 'z']);
    expect(lot.peekData()).toBe('x');
    const accepted: string[] = [];
    lot.wakeOne(undefined, (d) => accepted.push(d));
    expect(accepted).toEqual(['x']);
  });

  it('wakes at most n waiters with wakeMany and gives indices with wakeAllWith', async () => {
    const lot = new WaiterQueue<number>();
    const fs = [lot.park(undefined), lot.park(undefined), lot.park(undefined)];
    expect(lot.wakeMany(1, 9)).toBe(1);
    expect(lot.wakeAllWith((_d, i) => i * 10)).toBe(2);
    expect(await Promise.all(fs)).toEqual([9, 0, 10]);
  });

  it('rejects every waiter with rejectAll', async () => {
    const lot = new WaiterQueue<number>();
    const fs = [lot.park(undefined), lot.park(undefined)];
    const boom = new Error('boom');
    expect(lot.rejectAll(boom)).toBe(2);
    for (const f of fs) expect(await errorOf(f)).toBe(boom);
  });

  it('detaches its abort listener once woken, so a later abort changes nothing', async () => {
    const lot = new WaiterQueue<number>();
    const controller = new AbortController();
    const f = lot.park(undefined, { signal: controller.signal });
    lot.wakeOne(3);
    controller.abort();
    expect(await f).toBe(3);
  });

  it('validates its arguments and parks or wakes nothing on a bad one', () => {
    const lot = new WaiterQueue<number>();
    expect(() => lot.park(undefined, { signal: 'x' } as never)).toThrow(TypeError);
    expect(() => lot.park(undefined, { sginal: undefined } as never)).toThrow(/Unknown option `sginal`/);
    expect(lot.size).toBe(0);
    const f = lot.park(undefined);
    expect(() => lot.wakeMany(-1, 0)).toThrow(RangeError);
    expect(() => lot.wakeMany(1.5, 0)).toThrow(TypeError);
    expect(() => lot.wakeMany(Number.NaN, 0)).toThrow(TypeError);
    expect(() => lot.wakeOne(0, 'accept' as never)).toThrow(TypeError);
    expect(() => lot.wakeAllWith(undefined as never)).toThrow(TypeError);
    expect([lot.size, f.done()]).toEqual([1, false]);
    expect(lot.wakeMany(Infinity, 9)).toBe(1);
    expect(f.result()).toBe(9);
  });
});
