/**
 * Property tests for cancellation that lands between a wake-up and the awaiting task's
 * resumption (the window the synchronous model tests cannot reach): random tasks doing
 * get/put or acquire/release, random microtask steps, random task cancels. Checked:
 * no item lost or duplicated, the queue's `unfinished` count matches what is held, no
 * waiter stranded, locks free and permits all back at the end.
 */
import fc from 'fast-check';
import { LifoQueue, Lock, PriorityQueue, Queue, Semaphore, createTask, type Unfuture } from '../../src';
import { flush } from './helpers';

type Kind = 'fifo' | 'lifo' | 'priority';
type Step =
  | { op: 'getter' }
  | { op: 'putter' }
  | { op: 'putNowait' }
  | { op: 'getNowait' }
  | { op: 'cancel'; pick: number }
  | { op: 'micro'; n: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('getter' as const) }),
  fc.record({ op: fc.constant('putter' as const) }),
  fc.record({ op: fc.constant('putNowait' as const) }),
  fc.record({ op: fc.constant('getNowait' as const) }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('micro' as const), n: fc.integer({ min: 0, max: 4 }) }),
);

function makeQueue(kind: Kind, maxsize: number): Queue<number> {
  if (kind === 'fifo') return new Queue<number>(maxsize);
  if (kind === 'lifo') return new LifoQueue<number>(maxsize);
  return new PriorityQueue<number>(maxsize);
}

async function micro(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

async function runQueue(kind: Kind, maxsize: number, steps: Step[]): Promise<void> {
  const queue = makeQueue(kind, maxsize);
  const tasks: Unfuture<unknown>[] = [];
  const delivered: number[] = []; // items a getter task's body actually received
  const surePut = new Set<number>(); // items whose put certainly took effect
  let next = 0;
  for (const s of steps) {
    switch (s.op) {
      case 'getter':
        tasks.push(createTask(async () => delivered.push(await queue.get())));
        break;
      case 'putter': {
        const item = next++;
        tasks.push(createTask(async () => {
          await queue.put(item);
          surePut.add(item);
        }));
        break;
      }
      case 'putNowait': {
        const item = next++;
        try {
          queue.putNowait(item);
          surePut.add(item);
        } catch {
          // full: nothing inserted
        }
        break;
      }
      case 'getNowait':
        try {
          delivered.push(queue.getNowait());
        } catch {
          // empty
        }
        break;
      case 'cancel':
        if (tasks.length > 0) tasks[s.pick % tasks.length]!.cancel();
        break;
      case 'micro':
        await micro(s.n);
        break;
    }
  }
  for (const t of tasks) t.cancel();
  await Promise.allSettled(tasks);
  await flush();
  const stats = queue.statistics();
  expect(stats.getters).toBe(0);
  expect(stats.putters).toBe(0);
  const remaining: number[] = [];
  while (!queue.empty()) remaining.push(queue.getNowait());
  const held = [...delivered, ...remaining];
  expect(new Set(held).size).toBe(held.length); // nothing duplicated
  for (const item of surePut) expect(held).toContain(item); // nothing lost
  expect(stats.unfinished).toBe(held.length); // the count matches what exists
}

describe.each<Kind>(['fifo', 'lifo', 'priority'])('%s queue under late task cancels', (kind) => {
  it('never loses or duplicates an item and never strands a waiter', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.array(step, { maxLength: 30 }), async (maxsize, steps) => {
        await runQueue(kind, maxsize, steps);
      }),
      { numRuns: 1000 },
    );
  });
});

type LockStep = { op: 'holder'; hold: number } | { op: 'cancel'; pick: number } | { op: 'micro'; n: number };
const lockStep: fc.Arbitrary<LockStep> = fc.oneof(
  fc.record({ op: fc.constant('holder' as const), hold: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('micro' as const), n: fc.integer({ min: 0, max: 4 }) }),
);

/** Run holders (acquire, hold for some microtasks, release in finally) with random cancels. */
async function runHolders(acquire: () => Unfuture<{ release(): boolean }>, steps: LockStep[], inside: { now: number; max: number }): Promise<void> {
  const tasks: Unfuture<unknown>[] = [];
  for (const s of steps) {
    if (s.op === 'holder') {
      tasks.push(createTask(async () => {
        const guard = await acquire();
        inside.now++;
        inside.max = Math.max(inside.max, inside.now);
        try {
          await micro(s.hold);
        } finally {
          inside.now--;
          guard.release();
        }
      }));
    } else if (s.op === 'cancel') {
      if (tasks.length > 0) tasks[s.pick % tasks.length]!.cancel();
    } else await micro(s.n);
  }
  for (const t of tasks) t.cancel();
  await Promise.allSettled(tasks);
  await flush();
}

describe('Lock and Semaphore under late task cancels', () => {
  it('a Lock ends free with no waiter and never has two holders', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lockStep, { maxLength: 30 }), async (steps) => {
        const lock = new Lock();
        const inside = { now: 0, max: 0 };
        await runHolders(() => lock.acquire(), steps, inside);
        expect(lock.statistics()).toEqual({ locked: false, waiters: 0 });
        expect(inside.max).toBeLessThanOrEqual(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('a Semaphore gets every permit back, never goes negative and never over-admits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 3 }), fc.array(lockStep, { maxLength: 30 }), async (value, steps) => {
        const sem = new Semaphore(value);
        const inside = { now: 0, max: 0 };
        await runHolders(() => sem.acquire(), steps, inside);
        const stats = sem.statistics();
        expect(stats.value).toBe(value);
        expect(stats.waiters).toBe(0);
        expect(inside.max).toBeLessThanOrEqual(value);
      }),
      { numRuns: 1000 },
    );
  });
});
