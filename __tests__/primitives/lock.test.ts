import { Lock, createTask, isCancelledError, isInvalidStateError, sleep, type Unfuture } from '../../src';
import { errorOf, flush } from './helpers';

describe('Lock', () => {
  it('hands the lock over in strict FIFO order', async () => {
    const lock = new Lock();
    const steps: string[] = [];
    const tasks = ['a', 'b', 'c'].map((name) =>
      createTask(async () => {
        const held = await lock.acquire();
        steps.push(`${name} in`);
        await sleep(1);
        steps.push(`${name} out`);
        held.release();
      }),
    );
    await Promise.all(tasks);
    expect(steps).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(lock.locked()).toBe(false);
  });

  it('never looks free during a hand-off, so a newcomer cannot barge in', async () => {
    const lock = new Lock();
    const first = await lock.acquire();
    const waiter = lock.acquire();
    first.release();
    expect(lock.locked()).toBe(true);
    const late = lock.acquire();
    expect(late.done()).toBe(false);
    (await waiter).release();
    (await late).release();
    expect(lock.locked()).toBe(false);
  });

  it('throws InvalidStateError when releasing an unlocked lock', () => {
    const lock = new Lock();
    expect(() => lock.release()).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    try {
      lock.release();
    } catch (error) {
      expect(isInvalidStateError(error)).toBe(true);
    }
  });

  it('leaves no trace of a waiter cancelled through its future', async () => {
    const lock = new Lock();
    const held = await lock.acquire();
    const a = lock.acquire();
    const b = lock.acquire();
    a.cancel();
    expect(lock.statistics()).toEqual({ locked: true, waiters: 1 });
    held.release();
    const next = await b;
    expect(isCancelledError(await errorOf(a))).toBe(true);
    next.release();
    expect(lock.statistics()).toEqual({ locked: false, waiters: 0 });
  });

  it('leaves no trace of a waiter whose task is cancelled, and of one whose signal aborts', async () => {
    const lock = new Lock();
    const held = await lock.acquire();
    const controller = new AbortController();
    const steps: string[] = [];
    const byTask = createTask(async () => {
      await lock.acquire();
      steps.push('task got it');
    });
    const bySignal = lock.acquire({ signal: controller.signal });
    const last = lock.acquire();
    await flush();
    expect(lock.statistics().waiters).toBe(3);
    byTask.cancel();
    controller.abort();
    expect(lock.statistics().waiters).toBe(1);
    held.release();
    (await last).release();
    expect(byTask.cancelled()).toBe(true);
    expect(bySignal.cancelled()).toBe(true);
    expect(steps).toEqual([]);
    expect(lock.locked()).toBe(false);
  });

  it('hands the lock to the next live waiter when a cancel lands right after the hand-off in runExclusive', async () => {
    const lock = new Lock();
    const steps: string[] = [];
    const held = await lock.acquire();
    const first = lock.runExclusive(() => steps.push('first ran'));
    const second = lock.runExclusive(() => steps.push('second ran'));
    await flush();
    held.release(); // hands the lock to `first`'s task ...
    first.cancel(); // ... which is cancelled before its body resumes
    await Promise.allSettled([first, second]);
    expect(first.cancelled()).toBe(true);
    expect(steps).toEqual(['second ran']);
    expect(lock.locked()).toBe(false);
  });

  it('releases the lock when runExclusive fn throws and passes the error on', async () => {
    const lock = new Lock();
    const boom = new Error('boom');
    const error = await errorOf(
      lock.runExclusive(async () => {
        await sleep(1);
        throw boom;
      }),
    );
    expect(error).toBe(boom);
    expect(lock.locked()).toBe(false);
  });

  it('releases at the end of an await using scope, once, even after an explicit release', async () => {
    const lock = new Lock();
    {
      await using held = await lock.acquire();
      expect(lock.locked()).toBe(true);
      expect(held.released).toBe(false);
    }
    expect(lock.locked()).toBe(false);
    const stale = await lock.acquire();
    lock.release();
    const other = await lock.acquire();
    expect(stale.release()).toBe(false); // does not release the other holder
    expect(lock.locked()).toBe(true);
    other[Symbol.dispose]();
    expect(lock.locked()).toBe(false);
  });

  it('rejects bad options with TypeError', () => {
    const lock = new Lock();
    expect(() => lock.acquire({ signal: 'x' } as never)).toThrow(TypeError);
    expect(() => lock.acquire({ nope: 1 } as never)).toThrow(TypeError);
    expect(() => lock.runExclusive(42 as never)).toThrow(TypeError);
  });

  it('returns frozen statistics', async () => {
    const lock = new Lock();
    await lock.acquire();
    const stats = lock.statistics();
    expect(stats).toEqual({ locked: true, waiters: 0 });
    expect(Object.isFrozen(stats)).toBe(true);
  });
});

describe('Lock: a task cancelled after the hand-off, before it resumed', () => {
  it('throws CancelledError at the acquire and passes the lock to the next waiter', async () => {
    const lock = new Lock();
    const steps: string[] = [];
    await lock.acquire();
    const a = createTask(async () => {
      try {
        await lock.acquire();
        steps.push('a holds the lock');
      } catch (e) {
        steps.push(isCancelledError(e) ? 'a cancelled at acquire' : 'a other');
        throw e;
      }
    });
    const b = createTask(async () => {
      const guard = await lock.acquire();
      steps.push('b holds the lock');
      guard.release();
    });
    await flush(); // both parked
    lock.release(); // hand-off to a
    a.cancel();
    await Promise.allSettled([a, b]);
    expect(steps).toEqual(['a cancelled at acquire', 'b holds the lock']);
    expect(lock.locked()).toBe(false);
  });

  it('releases a lock taken on the no-wait path by a task whose body is acquire(), cancelled before it copied the guard', async () => {
    const lock = new Lock();
    const t: Unfuture<unknown> = createTask(() => {
      queueMicrotask(() => t.cancel());
      return lock.acquire();
    });
    await t.then(undefined, () => undefined);
    expect(t.cancelled()).toBe(true);
    expect(lock.locked()).toBe(false);
  });
});

describe('Lock.runExclusive cancellation', () => {
  it('stops waiting for the lock when its signal aborts, and never runs fn', async () => {
    const lock = new Lock();
    await lock.acquire();
    const controller = new AbortController();
    let ran = false;
    const f = lock.runExclusive(() => {
      ran = true;
    }, { signal: controller.signal });
    await flush();
    controller.abort('stop');
    expect(isCancelledError(await errorOf(f))).toBe(true);
    expect(ran).toBe(false);
    expect(lock.statistics()).toEqual({ locked: true, waiters: 0 });
    lock.release();
    expect(lock.locked()).toBe(false);
  });

  it('stops waiting for the lock when the awaiting task is cancelled, and never runs fn', async () => {
    const lock = new Lock();
    await lock.acquire();
    let ran = false;
    const t = createTask(() =>
      lock.runExclusive(() => {
        ran = true;
      }),
    );
    await flush();
    expect(lock.statistics().waiters).toBe(1);
    t.cancel();
    expect(isCancelledError(await errorOf(t))).toBe(true);
    expect(ran).toBe(false);
    expect(lock.statistics()).toEqual({ locked: true, waiters: 0 });
  });
});
