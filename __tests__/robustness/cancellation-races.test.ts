/**
 * Cancel a flow at every point: after k microtask turns and after k event-loop turns, for
 * every k in a range, then check the invariants the library promises ("a failed or
 * cancelled call never leaves a pool, a lock or a queue in a broken state").
 */
import { isCancelledError, isTaskGroupError, isTimeoutError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { allTasks, createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { waitFor } from '../../src/combinators/wait-for';
import { timeout } from '../../src/combinators/timeout';
import { shield } from '../../src/combinators/shield';
import { gather } from '../../src/combinators/gather';
import { TaskGroup } from '../../src/combinators/task-group';
import { Lock } from '../../src/primitives/lock';
import { Semaphore } from '../../src/primitives/semaphore';
import { Queue } from '../../src/primitives/queue';
import { Condition } from '../../src/primitives/condition';
import { Barrier } from '../../src/primitives/barrier';
import { Event } from '../../src/primitives/event';
import { activeTimers, drainTasks, macroTurns, microTurns, outcome, settledWithin, timersSettleTo } from './helpers';

type Mode = 'micro' | 'macro';
const POINTS: Array<[Mode, number]> = [
  ...Array.from({ length: 41 }, (_, k) => ['micro', k] as [Mode, number]),
  ...Array.from({ length: 12 }, (_, k) => ['macro', k] as [Mode, number]),
];

/** Start `flow` as a task, cancel it at the given point, wait until it and every task settled. */
async function cancelAt(mode: Mode, k: number, flow: () => Unfuture<unknown>): Promise<{ outer: Unfuture<unknown> }> {
  const timersBefore = activeTimers();
  const outer = createTask(flow, { name: 'outer' });
  if (mode === 'micro') await microTurns(k);
  else await macroTurns(k);
  outer.cancel('cancelled by the test');
  await settledWithin(outer, 3000, `outer (${mode} ${k})`);
  expect(await drainTasks()).toEqual([]);
  // Every timer a cancelled or settled operation made is cleared once all tasks are done.
  expect(await timersSettleTo(timersBefore)).toBeLessThanOrEqual(timersBefore);
  // Wrapped: an async function returning a thenable would adopt it.
  return { outer };
}

/** The outer outcome is cancelled, fulfilled, or a TaskGroupError of ordinary errors only. */
function expectCleanOutcome(f: Unfuture<unknown>, allowed: (e: unknown) => boolean = () => false): void {
  const o = outcome(f);
  if (o.state === 'rejected') {
    if (isTaskGroupError(o.error)) {
      for (const e of flatten(o.error)) {
        expect(isCancelledError(e)).toBe(false);
        expect(allowed(e)).toBe(true);
      }
    } else {
      expect(allowed(o.error)).toBe(true);
    }
  }
}

function flatten(error: unknown): unknown[] {
  if (isTaskGroupError(error)) return (error as AggregateError).errors.flatMap(flatten);
  return [error];
}

describe.each(POINTS)('cancelled after %s turn %i', (mode, k) => {
  it('leaves a Lock free with no waiter (acquire/release in waitFor, timeout, runExclusive, TaskGroup)', async () => {
    const lock = new Lock();
    const { outer } = await cancelAt(mode, k, () =>
      new TaskGroup().run((tg) => {
        for (let i = 0; i < 3; i++) {
          tg.createTask(async () => {
            for (let round = 0; round < 3; round++) {
              try {
                await waitFor(async () => {
                  const guard = await lock.acquire();
                  try {
                    await sleep(i % 2);
                  } finally {
                    guard.release();
                  }
                }, 2);
              } catch (e) {
                if (!isTimeoutError(e)) throw e;
              }
            }
          });
        }
        tg.createTask(async () => {
          try {
            await timeout(1, () => lock.runExclusive(() => sleep(1)));
          } catch (e) {
            if (!isTimeoutError(e)) throw e;
          }
        });
        tg.createTask(async () => {
          await using _held = await lock.acquire();
          await sleep(0);
        });
      }),
    );
    expectCleanOutcome(outer);
    expect(lock.statistics()).toEqual({ locked: false, waiters: 0 });
    const guard = lock.acquire();
    expect(guard.state).toBe('fulfilled');
  });

  it('gives every Semaphore permit back', async () => {
    const sem = new Semaphore(2);
    const { outer } = await cancelAt(mode, k, () =>
      gather(
        ...Array.from({ length: 5 }, (_, i) => async () => {
          for (let round = 0; round < 2; round++) {
            try {
              await waitFor(async () => {
                const permit = await sem.acquire();
                try {
                  await sleep(i % 3);
                } finally {
                  permit.release();
                }
              }, i % 2 === 0 ? 1 : 0);
            } catch (e) {
              if (!isTimeoutError(e)) throw e;
            }
          }
        }),
      ),
    );
    expectCleanOutcome(outer);
    expect(sem.statistics()).toEqual({ value: 2, waiters: 0 });
  });

  it('conserves queue items: nothing lost or duplicated (get/put under waitFor 0..2 ms)', async () => {
    const queue = new Queue<number>(2);
    const got: number[] = [];
    const accepted: number[] = [];
    const { outer } = await cancelAt(mode, k, () =>
      new TaskGroup().run((tg) => {
        for (let p = 0; p < 2; p++) {
          tg.createTask(async () => {
            for (let i = 0; i < 8; i++) {
              const item = p * 100 + i;
              try {
                await waitFor(queue.put(item), i % 3);
                accepted.push(item);
              } catch (e) {
                if (!isTimeoutError(e)) throw e;
              }
            }
          });
        }
        for (let c = 0; c < 3; c++) {
          tg.createTask(async () => {
            for (;;) {
              try {
                // A cancel that lands after the hand-off, before the await resumes, gives
                // the item back to the queue (through waitFor too): nothing to keep here.
                if (c === 0) got.push(await queue.get());
                else got.push(await waitFor(queue.get(), c - 1));
              } catch (e) {
                if (!isTimeoutError(e)) throw e;
                await sleep(0);
              }
            }
          });
        }
      }),
    );
    expectCleanOutcome(outer);
    const stats = queue.statistics();
    expect({ getters: stats.getters, putters: stats.putters }).toEqual({ getters: 0, putters: 0 });
    const left: number[] = [];
    while (!queue.empty()) left.push(queue.getNowait());
    const seen = [...got, ...left];
    // Every item the queue accepted (unfinished counts them) is either taken or still there.
    expect(seen.length).toBe(stats.unfinished);
    expect(new Set(seen).size).toBe(seen.length);
    // A put that reported success really inserted its item.
    for (const item of accepted) expect(seen).toContain(item);
  });

  it('leaves a Condition with its lock free and no waiter; produced items are all accounted for', async () => {
    const cond = new Condition();
    const items: number[] = [];
    const got: number[] = [];
    let produced = 0;
    const { outer } = await cancelAt(mode, k, () =>
      new TaskGroup().run((tg) => {
        for (let c = 0; c < 2; c++) {
          tg.createTask(async () => {
            for (;;) {
              const guard = await cond.acquire();
              try {
                await cond.waitFor(() => items.length > 0);
                got.push(items.shift()!);
              } finally {
                guard.release();
              }
            }
          });
        }
        tg.createTask(async () => {
          for (let i = 0; i < 6; i++) {
            await cond.acquire();
            try {
              items.push(i);
              produced++;
              if (i % 2 === 0) cond.notify();
              else cond.notifyAll();
            } finally {
              cond.release();
            }
            await sleep(i % 2);
          }
        });
      }),
    );
    expectCleanOutcome(outer);
    expect(cond.statistics()).toEqual({ locked: false, waiters: 0, lockWaiters: 0 });
    expect(got.length + items.length).toBe(produced);
  });

  it('leaves a Barrier with nobody waiting and not broken', async () => {
    const barrier = new Barrier(3);
    const { outer } = await cancelAt(mode, k, () =>
      gather(
        ...Array.from({ length: 4 }, (_, i) => async () => {
          for (let round = 0; round < 3; round++) {
            try {
              await waitFor(barrier.wait(), 1 + (i % 2));
            } catch (e) {
              if (!isTimeoutError(e)) throw e;
            }
            await sleep(i % 2);
          }
        }),
      ),
    );
    expectCleanOutcome(outer);
    expect(barrier.statistics()).toEqual({ parties: 3, waiting: 0, state: 'filling' });
  });

  it('leaves an Event with no stranded waiter', async () => {
    const event = new Event();
    const { outer } = await cancelAt(mode, k, () =>
      gather(
        ...Array.from({ length: 3 }, (_, i) => async () => {
          for (let round = 0; round < 3; round++) {
            try {
              await waitFor(event.wait(), i);
            } catch (e) {
              if (!isTimeoutError(e)) throw e;
            }
            if (i === 0) {
              event.set();
              await sleep(0);
              event.clear();
            }
          }
        }),
      ),
    );
    expectCleanOutcome(outer);
    expect(event.statistics().waiters).toBe(0);
  });

  it('lets a shield inside a timeout finish on its own and clears every timer', async () => {
    const before = activeTimers();
    let shieldedDone = 0;
    let inner: Unfuture<unknown> | undefined;
    const { outer } = await cancelAt(mode, k, () =>
      timeout(1, async () => {
        inner = createTask(async () => {
          await sleep(2);
          shieldedDone++;
        });
        await shield(inner);
      }),
    );
    expectCleanOutcome(outer, isTimeoutError);
    if (inner !== undefined) {
      await settledWithin(inner);
      expect(inner.state).toBe('fulfilled');
      expect(shieldedDone).toBe(1);
    }
    expect(await timersSettleTo(before)).toBeLessThanOrEqual(before);
  });

  it('unwinds nested TaskGroups: plain cancellation or ordinary errors only', async () => {
    const boom = new Error('boom');
    const { outer } = await cancelAt(mode, k, () =>
      new TaskGroup().run((tg) => {
        for (let i = 0; i < 2; i++) {
          tg.createTask(() =>
            new TaskGroup().run((inner) => {
              inner.createTask(() => sleep(i));
              inner.createTask(async () => {
                await sleep(1);
                if (i === 1) throw boom;
              });
              inner.createTask(() => new TaskGroup().run((deep) => void deep.createTask(() => sleep(2))));
            }),
          );
        }
      }),
    );
    expectCleanOutcome(outer, (e) => e === boom);
  });
});

/*
 * A cancel that lands after the awaited operation settled but before the combinator copied
 * the outcome to its own future (a few microtasks later): the request must still reach the
 * awaiting task, which then never runs past its next await.
 */
describe.each([0, 1, 2, 3, 4, 5, 6, 8, 12])('a cancel landing %i microtask turns after the inner work settled', (k) => {
  const combinators: Array<[string, (inner: Unfuture<string>) => PromiseLike<unknown>]> = [
    ['timeout', (inner) => timeout(100, () => inner)],
    ['waitFor (future)', (inner) => waitFor(inner, 100)],
    ['waitFor (function)', (inner) => waitFor(() => inner, 100)],
    ['TaskGroup', (inner) => new TaskGroup().run(() => inner)],
    ['gather', (inner) => gather(inner)],
    ['shield', (inner) => shield(inner)],
    ['nested timeout in waitFor', (inner) => waitFor(() => timeout(100, () => inner), 100)],
  ];
  it.each(combinators)('is delivered through %s', async (_name, wrap) => {
    const steps: string[] = [];
    const inner = Unfuture.withResolvers<string>();
    const task = createTask(async () => {
      const value = await wrap(inner.future);
      steps.push(`resumed with ${String(value)}`);
      await sleep(1);
      steps.push('ran past the next await');
    });
    await macroTurns(2);
    inner.resolve('v');
    await microTurns(k);
    expect(task.cancel('stop')).toBe(true);
    await settledWithin(task);
    expect(task.state).toBe('cancelled');
    expect(steps).not.toContain('ran past the next await');
    expect(await drainTasks()).toEqual([]);
  });
});

afterAll(() => {
  expect(allTasks().size).toBe(0);
});
