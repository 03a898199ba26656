import { BoundedSemaphore, Semaphore, createTask, isCancelledError, sleep, type Unfuture } from '../../src';
import { errorOf, flush } from './helpers';

describe('Semaphore', () => {
  it('lets `value` holders in at once and queues the rest FIFO', async () => {
    const sem = new Semaphore(2);
    const steps: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) =>
      createTask(async () => {
        const permit = await sem.acquire();
        steps.push(`${name} in`);
        await sleep(2);
        steps.push(`${name} out`);
        permit.release();
      }),
    );
    await Promise.all(tasks);
    expect(steps.slice(0, 2)).toEqual(['a in', 'b in']);
    expect(steps.filter((s) => s.endsWith('in'))).toEqual(['a in', 'b in', 'c in', 'd in']);
    expect(sem.statistics()).toEqual({ value: 2, waiters: 0 });
  });

  it('hands a released permit straight to the first waiter, so the counter stays at zero', async () => {
    const sem = new Semaphore(1);
    await sem.acquire();
    const waiter = sem.acquire();
    sem.release();
    expect(sem.statistics()).toEqual({ value: 0, waiters: 0 });
    expect(waiter.done()).toBe(true);
    const late = sem.acquire();
    expect(late.done()).toBe(false);
    late.cancel();
  });

  it('throws RangeError for a negative value and TypeError for a non-integer', () => {
    expect(() => new Semaphore(-1)).toThrow(RangeError);
    expect(() => new Semaphore(1.5)).toThrow(TypeError);
  });

  it('gives a cancelled waiter no permit and serves the next one', async () => {
    const sem = new Semaphore(0);
    const a = sem.acquire();
    const b = sem.acquire({ signal: AbortSignal.abort() });
    const c = sem.acquire();
    a.cancel();
    sem.release();
    await c;
    expect(isCancelledError(await errorOf(a))).toBe(true);
    expect(isCancelledError(await errorOf(b))).toBe(true);
    expect(sem.statistics()).toEqual({ value: 0, waiters: 0 });
  });

  it('reports locked() when no permit is free', async () => {
    const sem = new Semaphore(1);
    expect(sem.locked()).toBe(false);
    const permit = await sem.acquire();
    expect(sem.locked()).toBe(true);
    permit.release();
    permit.release(); // a guard gives its permit back once
    expect(sem.statistics().value).toBe(1);
  });

  it('cancels a waiter when the task awaiting it is cancelled', async () => {
    const sem = new Semaphore(0);
    const task = createTask(() => sem.acquire());
    await flush();
    task.cancel();
    await errorOf(task);
    expect(sem.statistics()).toEqual({ value: 0, waiters: 0 });
  });
});

describe('BoundedSemaphore', () => {
  it('throws InvalidStateError when released above its initial value', async () => {
    const sem = new BoundedSemaphore(1);
    expect(() => sem.release()).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    const permit = await sem.acquire();
    permit.release();
    expect(() => sem.release()).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    expect(sem.statistics().value).toBe(1);
  });

  it('behaves as a Semaphore otherwise', async () => {
    const sem = new BoundedSemaphore(1);
    await sem.acquire();
    const waiter = sem.acquire();
    sem.release();
    await waiter;
    sem.release();
    expect(sem.statistics()).toEqual({ value: 1, waiters: 0 });
  });
});

describe('Semaphore: a task cancelled after the hand-off, before it resumed', () => {
  it('gives the permit to the next waiter instead of losing it', async () => {
    const sem = new Semaphore(0);
    const steps: string[] = [];
    const a = createTask(async () => {
      await sem.acquire();
      steps.push('a got a permit');
    });
    const b = createTask(async () => {
      await sem.acquire();
      steps.push('b got a permit');
    });
    await flush();
    sem.release(); // hand-off to a
    a.cancel();
    await Promise.allSettled([a, b]);
    expect(a.cancelled()).toBe(true);
    expect(steps).toEqual(['b got a permit']);
    expect(sem.statistics().value).toBe(0);
  });

  it('gives a permit taken on the no-wait path back when a task whose body is acquire() is cancelled before it copied it', async () => {
    const sem = new Semaphore(1);
    const t: Unfuture<unknown> = createTask(() => {
      queueMicrotask(() => t.cancel());
      return sem.acquire();
    });
    await t.then(undefined, () => undefined);
    expect(t.cancelled()).toBe(true);
    expect(sem.statistics().value).toBe(1);
  });
});
