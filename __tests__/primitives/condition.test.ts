import { Condition, Lock, createTask, isCancelledError, type Unfuture } from '../../src';
import { errorOf, flush } from './helpers';

describe('Condition', () => {
  it('delegates acquire/release/locked to its (possibly shared) lock', async () => {
    const lock = new Lock();
    const cond = new Condition(lock);
    await cond.acquire();
    expect(lock.locked()).toBe(true);
    expect(cond.locked()).toBe(true);
    cond.release();
    expect(lock.locked()).toBe(false);
    expect(() => new Condition({} as never)).toThrow(TypeError);
  });

  it('throws InvalidStateError from wait, waitFor, notify and notifyAll without the lock', () => {
    const cond = new Condition();
    const invalid = expect.objectContaining({ name: 'InvalidStateError' });
    expect(() => cond.wait()).toThrow(invalid);
    expect(() => cond.waitFor(() => true)).toThrow(invalid);
    expect(() => cond.notify()).toThrow(invalid);
    expect(() => cond.notifyAll()).toThrow(invalid);
  });

  it('validates notify(n), the predicate and the options', async () => {
    const cond = new Condition();
    await cond.acquire();
    expect(() => cond.notify(-1)).toThrow(RangeError);
    expect(() => cond.notify(0.5)).toThrow(TypeError);
    expect(() => cond.waitFor('ready' as never)).toThrow(TypeError);
    expect(() => cond.wait({ signal: {} } as never)).toThrow(TypeError);
    expect(cond.statistics()).toEqual({ locked: true, waiters: 0, lockWaiters: 0 });
    cond.release();
  });

  it('wakes waiters FIFO with notify(n) and notifyAll, each holding the lock when it resumes', async () => {
    const cond = new Condition();
    const steps: string[] = [];
    const tasks = ['a', 'b', 'c'].map((name) =>
      createTask(async () => {
        const held = await cond.acquire();
        await cond.wait();
        steps.push(`${name} woke locked=${cond.locked()}`);
        held.release();
      }),
    );
    await flush();
    expect(cond.statistics()).toEqual({ locked: false, waiters: 3, lockWaiters: 0 });
    let held = await cond.acquire();
    cond.notify(2);
    held.release();
    await flush();
    expect(steps).toEqual(['a woke locked=true', 'b woke locked=true']);
    held = await cond.acquire();
    cond.notifyAll();
    held.release();
    await Promise.all(tasks);
    expect(steps).toEqual(['a woke locked=true', 'b woke locked=true', 'c woke locked=true']);
  });

  it('re-acquires the lock before a cancelled wait() throws', async () => {
    const cond = new Condition();
    const steps: string[] = [];
    const task = createTask(async () => {
      await cond.acquire();
      try {
        await cond.wait();
      } catch (error) {
        steps.push(`${isCancelledError(error) ? 'cancelled' : 'other'} locked=${cond.locked()}`);
        cond.release();
        throw error;
      }
    });
    await flush();
    const held = await cond.acquire(); // the waiter must wait for us to let go
    task.cancel();
    await flush();
    expect(steps).toEqual([]);
    expect(task.done()).toBe(false);
    held.release();
    await errorOf(task);
    expect(steps).toEqual(['cancelled locked=true']);
    expect(cond.locked()).toBe(false);
  });

  it('passes a notification on when the notified waiter is cancelled while re-acquiring', async () => {
    const cond = new Condition();
    const steps: string[] = [];
    const waiter = (name: string) =>
      createTask(async () => {
        const held = await cond.acquire();
        try {
          await cond.wait();
          steps.push(`${name} notified`);
        } finally {
          held.release();
        }
      });
    const a = waiter('a');
    const b = waiter('b');
    await flush();
    const held = await cond.acquire();
    cond.notify(1); // a is notified and queues for the lock ...
    a.cancel(); // ... and is cancelled before it gets it
    held.release();
    await Promise.allSettled([a]);
    await flush();
    expect(a.cancelled()).toBe(true);
    expect(steps).toEqual(['b notified']);
    await b;
    expect(cond.statistics()).toEqual({ locked: false, waiters: 0, lockWaiters: 0 });
  });

  it('cancels wait() through its signal and through its own future', async () => {
    const cond = new Condition();
    let held = await cond.acquire();
    const controller = new AbortController();
    const bySignal = cond.wait({ signal: controller.signal });
    expect(cond.locked()).toBe(false);
    held = await cond.acquire();
    const byFuture = cond.wait();
    controller.abort();
    byFuture.cancel();
    await flush();
    // Both re-acquire the lock in turn before settling; release for each.
    expect(isCancelledError(await errorOf(bySignal))).toBe(true);
    cond.release();
    expect(isCancelledError(await errorOf(byFuture))).toBe(true);
    cond.release();
    expect(cond.locked()).toBe(false);
    void held;
  });

  it('keeps the caller guard valid across wait(), so await using still releases', async () => {
    const cond = new Condition();
    const task = createTask(async () => {
      await using _held = await cond.acquire();
      await cond.wait();
    });
    await flush();
    const held = await cond.acquire();
    cond.notify();
    held.release();
    await task;
    expect(cond.locked()).toBe(false);
  });

  it('waitFor re-checks the predicate after every wake-up and returns its value', async () => {
    const cond = new Condition();
    const items: number[] = [];
    let checks = 0;
    const consumer = createTask(async () => {
      const held = await cond.acquire();
      const got = await cond.waitFor(() => {
        checks++;
        return items.length >= 2 && items.slice();
      });
      held.release();
      return got;
    });
    for (const item of [1, 2]) {
      await flush();
      const held = await cond.acquire();
      items.push(item);
      cond.notify();
      held.release();
    }
    expect(await consumer).toEqual([1, 2]);
    expect(checks).toBe(3);
  });

  it('rejects waitFor when the predicate throws, with the lock held', async () => {
    const cond = new Condition();
    await cond.acquire();
    let calls = 0;
    const boom = new Error('boom');
    const f = cond.waitFor(() => {
      if (calls++ > 0) throw boom;
      return false;
    });
    const held = await cond.acquire();
    cond.notify();
    held.release();
    expect(await errorOf(f)).toBe(boom);
    expect(cond.locked()).toBe(true);
  });
});

describe('Condition: cancellation of waitFor, and after the wake-up', () => {
  /** A waitFor that never becomes true, cancelled by `how`; checks it re-acquired the lock first. */
  async function cancelWaitFor(how: 'task' | 'future' | 'signal'): Promise<string[]> {
    const cond = new Condition();
    const steps: string[] = [];
    const controller = new AbortController();
    let inner: Unfuture<unknown> | undefined;
    const t = createTask(async () => {
      const guard = await cond.acquire();
      try {
        inner = cond.waitFor(() => false, { signal: controller.signal });
        await inner;
      } catch (e) {
        steps.push(`${isCancelledError(e) ? 'cancelled' : 'other'}, locked: ${cond.locked()}`);
      } finally {
        guard.release();
      }
    });
    await flush();
    const held = await cond.acquire(); // the waiter left the lock while waiting
    if (how === 'task') t.cancel();
    else if (how === 'future') inner!.cancel();
    else controller.abort();
    await flush();
    steps.push('cancel sent, lock still ours');
    held.release(); // now the waiter can re-acquire, then throw
    await t;
    expect(cond.statistics()).toEqual({ locked: false, waiters: 0, lockWaiters: 0 });
    return steps;
  }

  it.each(['task', 'future', 'signal'] as const)('cancels waitFor through the %s, re-acquiring the lock before throwing', async (how) => {
    expect(await cancelWaitFor(how)).toEqual(['cancel sent, lock still ours', 'cancelled, locked: true']);
  });

  it('throws CancelledError holding the lock when the task is cancelled after wait() finished, and passes the notification on', async () => {
    const cond = new Condition();
    const steps: string[] = [];
    const waits: Record<string, Unfuture<true>> = {};
    const waiter = (name: string) =>
      createTask(async () => {
        const guard = await cond.acquire();
        try {
          waits[name] = cond.wait();
          await waits[name];
          steps.push(`${name} woke`);
        } catch (e) {
          steps.push(`${name} ${isCancelledError(e) ? 'cancelled' : 'other'}, locked: ${cond.locked()}`);
          throw e;
        } finally {
          guard.release();
        }
      });
    const a = waiter('a');
    const b = waiter('b');
    await flush();
    const held = await cond.acquire();
    cond.notify(1); // a is notified ...
    held.release(); // ... and gets the lock back, so its wait() future is fulfilled ...
    while (!waits.a!.done()) await Promise.resolve();
    a.cancel(); // ... before a's body resumed (its continuation runs on a later microtask)
    await a.then(undefined, () => undefined);
    await flush();
    expect(steps).toEqual(['a cancelled, locked: true', 'b woke']);
    expect(b.state).toBe('fulfilled');
    expect(cond.statistics()).toEqual({ locked: false, waiters: 0, lockWaiters: 0 });
  });
});
