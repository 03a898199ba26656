import { Event, createTask, isCancelledError } from '../../src';
import { errorOf, flush } from './helpers';

describe('Event', () => {
  it('wakes every waiter in FIFO order with true', async () => {
    const event = new Event();
    const steps: string[] = [];
    const tasks = ['a', 'b', 'c'].map((name) =>
      createTask(async () => {
        steps.push(`${name} waits`);
        const value = await event.wait();
        steps.push(`${name} woke ${value}`);
      }),
    );
    await flush();
    expect(event.statistics()).toEqual({ isSet: false, waiters: 3 });
    event.set();
    await Promise.all(tasks);
    expect(steps).toEqual(['a waits', 'b waits', 'c waits', 'a woke true', 'b woke true', 'c woke true']);
  });

  it('resolves wait() at once while set and blocks again after clear()', async () => {
    const event = new Event();
    event.set();
    expect(event.isSet()).toBe(true);
    expect(await event.wait()).toBe(true);
    event.clear();
    expect(event.isSet()).toBe(false);
    const waiting = event.wait();
    await flush();
    expect(waiting.done()).toBe(false);
    event.set();
    expect(await waiting).toBe(true);
  });

  it('drops a cancelled waiter without touching the flag or the others', async () => {
    const event = new Event();
    const controller = new AbortController();
    const a = event.wait({ signal: controller.signal });
    const b = event.wait();
    controller.abort();
    expect(event.statistics().waiters).toBe(1);
    event.set();
    expect(await b).toBe(true);
    expect(isCancelledError(await errorOf(a))).toBe(true);
  });

  it('drops waiters cancelled through their future or their task, and wakes the rest in order', async () => {
    const event = new Event();
    const steps: string[] = [];
    const byFuture = event.wait();
    const byTask = createTask(() => event.wait());
    const live = ['a', 'b'].map((name) =>
      createTask(async () => {
        await event.wait();
        steps.push(`${name} woke`);
      }),
    );
    await flush();
    expect(event.statistics().waiters).toBe(4);
    expect(byFuture.cancel()).toBe(true);
    byTask.cancel();
    expect(event.statistics()).toEqual({ isSet: false, waiters: 2 });
    event.set();
    await Promise.all(live);
    expect(steps).toEqual(['a woke', 'b woke']);
    for (const f of [byFuture, byTask]) expect(isCancelledError(await errorOf(f))).toBe(true);
  });

  it('rejects bad options with a TypeError and returns a cancelled future for an aborted signal', () => {
    const event = new Event();
    expect(() => event.wait({ signal: 'x' } as never)).toThrow(TypeError);
    expect(() => event.wait(5 as never)).toThrow(TypeError);
    expect(event.wait({ signal: AbortSignal.abort() }).cancelled()).toBe(true);
    expect(event.statistics().waiters).toBe(0);
    expect(Object.isFrozen(event.statistics())).toBe(true);
  });
});
