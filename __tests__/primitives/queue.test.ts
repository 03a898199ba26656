import {
  LifoQueue,
  PriorityQueue,
  Queue,
  QueueFull,
  createTask,
  isCancelledError,
  isInvalidStateError,
  isQueueEmpty,
  isQueueFull,
  isQueueShutDown,
  isTimeoutError,
  waitFor,
  type Unfuture,
} from '../../src';
import { errorOf, flush } from './helpers';

describe('Queue', () => {
  it('is FIFO and reports qsize/empty/full/maxsize', () => {
    const q = new Queue<number>(2);
    expect(q.maxsize).toBe(2);
    expect(q.empty()).toBe(true);
    q.putNowait(1);
    q.putNowait(2);
    expect(q.full()).toBe(true);
    expect(q.qsize()).toBe(2);
    expect(q.getNowait()).toBe(1);
    expect(q.getNowait()).toBe(2);
    expect(new Queue(0).full()).toBe(false);
    expect(new Queue(-3).full()).toBe(false);
  });

  it('throws QueueFull and QueueEmpty from the non-blocking calls', () => {
    const q = new Queue<number>(1);
    q.putNowait(1);
    expect(() => q.putNowait(2)).toThrow(expect.objectContaining({ name: 'QueueFull' }));
    q.getNowait();
    let error: unknown;
    try {
      q.getNowait();
    } catch (e) {
      error = e;
    }
    expect(isQueueEmpty(error)).toBe(true);
    expect(isQueueFull(new QueueFull())).toBe(true);
  });

  it('serves blocked getters in arrival order', async () => {
    const q = new Queue<string>();
    const steps: string[] = [];
    const tasks = ['a', 'b', 'c'].map((name) => createTask(async () => steps.push(`${name}:${await q.get()}`)));
    await flush();
    q.putNowait('1');
    q.putNowait('2');
    q.putNowait('3');
    await Promise.all(tasks);
    expect(steps).toEqual(['a:1', 'b:2', 'c:3']);
    expect(q.qsize()).toBe(0);
  });

  it('resumes blocked putters in arrival order and keeps their items in that order', async () => {
    const q = new Queue<string>(1);
    q.putNowait('x');
    const steps: string[] = [];
    const putters = ['a', 'b'].map((name) =>
      createTask(async () => {
        await q.put(name);
        steps.push(`${name} put`);
      }),
    );
    await flush();
    expect(q.statistics().putters).toBe(2);
    expect(await q.get()).toBe('x');
    expect(await q.get()).toBe('a');
    await Promise.all(putters);
    expect(steps).toEqual(['a put', 'b put']);
    expect(q.getNowait()).toBe('b');
  });

  it('gives a cancelled getter nothing and passes the item to the next getter', async () => {
    const q = new Queue<number>();
    const controller = new AbortController();
    const byFuture = q.get();
    const bySignal = q.get({ signal: controller.signal });
    const byTask = createTask(() => q.get());
    const live = q.get();
    await flush();
    byFuture.cancel();
    controller.abort();
    byTask.cancel();
    q.putNowait(42);
    expect(await live).toBe(42);
    for (const f of [byFuture, bySignal, byTask]) expect(isCancelledError(await errorOf(f))).toBe(true);
    expect(q.statistics()).toMatchObject({ size: 0, getters: 0 });
  });

  it('inserts nothing for a cancelled putter', async () => {
    const q = new Queue<string>(1);
    q.putNowait('kept');
    const cancelled = q.put('dropped');
    const live = q.put('next');
    cancelled.cancel();
    expect(q.getNowait()).toBe('kept');
    await live;
    expect(q.getNowait()).toBe('next');
    expect(q.empty()).toBe(true);
    expect(q.statistics().unfinished).toBe(2);
  });

  it('join() waits until every item was marked done, and taskDone() cannot overshoot', async () => {
    const q = new Queue<number>();
    expect((await q.join()) as unknown).toBeUndefined();
    q.putNowait(1);
    q.putNowait(2);
    const steps: string[] = [];
    const joiner = createTask(async () => {
      await q.join();
      steps.push('joined');
    });
    q.getNowait();
    q.taskDone();
    await flush();
    expect(steps).toEqual([]);
    q.getNowait();
    q.taskDone();
    await joiner;
    expect(steps).toEqual(['joined']);
    let error: unknown;
    try {
      q.taskDone();
    } catch (e) {
      error = e;
    }
    expect(isInvalidStateError(error)).toBe(true);
  });

  it('after shutdown(): puts throw, gets drain then throw, blocked getters and putters throw', async () => {
    const getterQueue = new Queue<number>();
    const blockedGetter = getterQueue.get();
    getterQueue.shutdown();
    expect(isQueueShutDown(await errorOf(blockedGetter))).toBe(true);

    const q = new Queue<number>(1);
    q.putNowait(1);
    const blockedPutter = q.put(2);
    q.shutdown();
    expect(isQueueShutDown(await errorOf(blockedPutter))).toBe(true);
    expect(isQueueShutDown(await errorOf(q.put(3)))).toBe(true);
    expect(() => q.putNowait(3)).toThrow(expect.objectContaining({ name: 'QueueShutDown' }));
    expect(await q.get()).toBe(1); // still drains
    expect(isQueueShutDown(await errorOf(q.get()))).toBe(true);
    expect(() => q.getNowait()).toThrow(expect.objectContaining({ name: 'QueueShutDown' }));
    expect(q.isShutdown).toBe(true);
  });

  it('shutdown(true) drops the items, counts them done and releases join()', async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.putNowait(2);
    const joined = q.join();
    q.shutdown(true);
    await joined;
    expect(q.qsize()).toBe(0);
    expect(q.statistics().unfinished).toBe(0);
    expect(isQueueShutDown(await errorOf(q.get()))).toBe(true);
  });

  it('iterates with for await until shut down and drained', async () => {
    const q = new Queue<number>();
    const consumer = createTask(async () => {
      const seen: number[] = [];
      for await (const item of q) {
        seen.push(item);
        q.taskDone();
      }
      return seen;
    });
    q.putNowait(1);
    await flush();
    q.putNowait(2);
    q.putNowait(3);
    q.shutdown();
    expect(await consumer).toEqual([1, 2, 3]);
  });

  it('cancelling a task iterating over the queue loses no item', async () => {
    const q = new Queue<number>();
    const consumer = createTask(async () => {
      for await (const item of q) void item;
    });
    await flush();
    consumer.cancel();
    await errorOf(consumer);
    q.putNowait(7);
    expect(q.getNowait()).toBe(7);
  });

  it('inserts nothing for a putter cancelled through its task or its signal', async () => {
    const q = new Queue<string>(1);
    q.putNowait('kept');
    const controller = new AbortController();
    const byTask = createTask(() => q.put('by task'));
    const bySignal = q.put('by signal', { signal: controller.signal });
    const live = q.put('live');
    await flush();
    expect(q.statistics().putters).toBe(3);
    byTask.cancel();
    controller.abort();
    expect(q.statistics().putters).toBe(1);
    expect(q.getNowait()).toBe('kept');
    await live;
    for (const f of [byTask, bySignal]) expect(isCancelledError(await errorOf(f))).toBe(true);
    expect([q.getNowait(), q.qsize(), q.statistics().unfinished]).toEqual(['live', 0, 2]);
  });

  it('cancels a join() waiter three ways and leaves the others waiting', async () => {
    const q = new Queue<number>();
    q.putNowait(1);
    q.getNowait();
    const steps: string[] = [];
    const controller = new AbortController();
    const byFuture = q.join();
    const bySignal = q.join({ signal: controller.signal });
    const byTask = createTask(() => q.join());
    const live = createTask(async () => {
      await q.join();
      steps.push('live joiner released');
    });
    await flush();
    expect(q.statistics().joiners).toBe(4);
    byFuture.cancel();
    controller.abort();
    byTask.cancel();
    for (const f of [byFuture, bySignal, byTask]) expect(isCancelledError(await errorOf(f))).toBe(true);
    steps.push('three cancelled');
    expect(q.statistics().joiners).toBe(1);
    q.taskDone();
    await live;
    expect(steps).toEqual(['three cancelled', 'live joiner released']);
    expect(q.statistics().joiners).toBe(0);
  });

  it('leaves no stale getter behind when waitFor(queue.get(), ms) times out', async () => {
    const q = new Queue<string>();
    const error = await errorOf(waitFor(q.get(), 5));
    expect(isTimeoutError(error)).toBe(true);
    expect(q.statistics().getters).toBe(0);
    // The next item stays in the queue for the next get instead of vanishing into the
    // abandoned getter.
    q.putNowait('next');
    expect(q.qsize()).toBe(1);
    expect(await q.get()).toBe('next');
  });

  it('validates maxsize, options and shutdown(immediate)', () => {
    expect(() => q0().shutdown('yes' as never)).toThrow(TypeError);
    expect(() => q0().put(1, { signal: null } as never)).toThrow(TypeError);
    expect(() => q0().join('x' as never)).toThrow(TypeError);
    expect(() => new Queue('3' as never)).toThrow(TypeError);
    expect(() => new Queue(1.5)).toThrow(TypeError);
    expect(() => new Queue<number>().get({ signal: 1 } as never)).toThrow(TypeError);
    expect(Object.isFrozen(new Queue().statistics())).toBe(true);
  });
});

function q0(): Queue<number> {
  return new Queue<number>();
}

describe('Queue: a task cancelled after the hand-off, before it resumed', () => {
  // The window: the wake-up fulfilled the waiter's future, the task's body has not run yet.
  // As in asyncio the body sees CancelledError at its await, and the item is not lost.
  it('gives a handed-over item back when the getter task is cancelled (the seed worker pattern)', async () => {
    const q = new Queue<string>();
    const steps: string[] = [];
    const worker = (name: string) =>
      createTask(async () => {
        for (;;) {
          const item = await q.get();
          steps.push(`${name} got ${item}`);
          q.taskDone();
        }
      });
    const first = worker('first');
    await flush(); // first is parked in get()
    q.putNowait('job');
    first.cancel();
    expect(q.qsize()).toBe(1); // back in the queue at once
    const second = worker('second');
    await q.join();
    second.cancel();
    await Promise.allSettled([first, second]);
    expect(steps).toEqual(['second got job']);
    expect(first.cancelled()).toBe(true);
  });

  it('hands a given-back item straight to the next parked getter, in order', async () => {
    const q = new Queue<number>();
    const a = createTask(() => q.get());
    const b = createTask(() => q.get());
    await flush();
    q.putNowait(1); // to a
    a.cancel();
    q.putNowait(2);
    expect(await b).toBe(1);
    expect(q.getNowait()).toBe(2);
    expect(a.cancelled()).toBe(true);
  });

  it('keeps an item taken on the no-wait path when a task whose body is get() is cancelled before copying it', async () => {
    const q = new Queue<string>();
    q.putNowait('x');
    const t: Unfuture<string> = createTask(() => {
      // Runs after get() took 'x' and returned its fulfilled future, before the task copies it.
      queueMicrotask(() => t.cancel());
      return q.get();
    });
    await t.then(undefined, () => undefined);
    expect(t.cancelled()).toBe(true);
    expect(q.getNowait()).toBe('x');
  });

  it('takes a woken putter\'s item back out, and the next blocked putter moves in', async () => {
    const q = new Queue<string>(1);
    q.putNowait('a');
    const p1 = createTask(() => q.put('b'));
    const p2 = createTask(() => q.put('c'));
    await flush(); // both putters parked
    expect(q.getNowait()).toBe('a'); // the slot goes to p1: 'b' moves in
    p1.cancel();
    await Promise.allSettled([p1, p2]);
    expect(p1.cancelled()).toBe(true);
    expect(p2.state).toBe('fulfilled');
    expect(q.getNowait()).toBe('c');
    expect(q.qsize()).toBe(0);
    expect(q.statistics().unfinished).toBe(2); // 'a' and 'c'
  });

  it('puts a given-back item on top of a LifoQueue and in its place in a PriorityQueue', async () => {
    const lifo = new LifoQueue<number>();
    const t = createTask(() => lifo.get());
    await flush();
    lifo.putNowait(1);
    t.cancel();
    lifo.putNowait(2);
    expect([lifo.getNowait(), lifo.getNowait()]).toEqual([2, 1]);

    const pq = new PriorityQueue<number>();
    const u = createTask(() => pq.get());
    await flush();
    pq.putNowait(5);
    u.cancel();
    pq.putNowait(7);
    pq.putNowait(3);
    expect([pq.getNowait(), pq.getNowait(), pq.getNowait()]).toEqual([3, 5, 7]);
  });

  it('removes a cancelled putter\'s item from a PriorityQueue', async () => {
    const pq = new PriorityQueue<number>(1);
    pq.putNowait(9);
    const p = createTask(() => pq.put(4));
    await flush();
    expect(pq.getNowait()).toBe(9); // 4 moves in
    p.cancel();
    await p.then(undefined, () => undefined);
    expect(pq.qsize()).toBe(0);
    expect(pq.statistics().unfinished).toBe(1);
  });
});
