import { CancelledError, isCancelledError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { pendingFuture, resolveFuture, setDiscardHook } from '../../src/core/future-internal';
import { Task, allTasks, createTask, currentTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { TaskGroup } from '../../src/combinators/task-group';
import { inTurns } from '../helpers/async';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('createTask', () => {
  it('returns at once and starts the body on a later tick, never inside createTask', async () => {
    const steps: string[] = [];
    const t = createTask(() => {
      steps.push('body');
      return 1;
    });
    steps.push('created');
    expect(t.done()).toBe(false);
    expect(await t).toBe(1);
    expect(steps).toEqual(['created', 'body']);
  });

  it('runs tasks in creation order', async () => {
    const steps: string[] = [];
    const ts = ['a', 'b', 'c'].map((n) => createTask(async () => steps.push(n)));
    await Promise.all(ts);
    expect(steps).toEqual(['a', 'b', 'c']);
  });

  it('accepts a name, returns an Unfuture as is, and wraps a foreign promise', async () => {
    const named = createTask(() => 1, { name: 'worker' });
    expect(named.getName()).toBe('worker');
    const f = Unfuture.fromValue(2);
    expect(createTask(f)).toBe(f);
    const wrapped = createTask(Promise.resolve(3));
    expect(wrapped).toBeInstanceOf(Unfuture);
    expect(await wrapped).toBe(3);
    await named;
  });

  it('rejects what is neither a function nor an awaitable, and bad options', () => {
    expect(() => createTask(42 as never)).toThrow(/Expected `fn` to be a function or an awaitable, got 42 \(number\)/);
    expect(() => createTask(() => 1, { name: 5 as never })).toThrow(TypeError);
    expect(() => createTask(() => 1, { nmae: 'x' } as never)).toThrow(/Unknown option `nmae`/);
  });

  it('fails with the error a body throws, synchronously or asynchronously', async () => {
    await expect(
      createTask(() => {
        throw new RangeError('sync');
      }),
    ).rejects.toThrow(RangeError);
    await expect(createTask(async () => Promise.reject(new TypeError('async')))).rejects.toThrow(TypeError);
  });

  it('has executor "loop"', async () => {
    const t = createTask(() => 1);
    expect(t.executor).toBe('loop');
    await t;
  });
});

describe('currentTask and allTasks', () => {
  it('is null outside any task and the running task inside, across awaits', async () => {
    expect(currentTask()).toBeNull();
    const seen: Array<unknown> = [];
    const t = createTask(async () => {
      seen.push(currentTask());
      await sleep(1);
      seen.push(currentTask());
    });
    await t;
    expect(seen).toEqual([t, t]);
  });

  it('lists pending tasks only', async () => {
    const gate = pendingFuture<void>();
    const t = createTask(() => gate);
    expect(allTasks().has(t as Task<unknown>)).toBe(true);
    resolveFuture(gate, undefined);
    await t;
    expect(allTasks().has(t as Task<unknown>)).toBe(false);
  });
});

describe('task cancellation', () => {
  it('never runs the body of a task cancelled before it started', async () => {
    const steps: string[] = [];
    const t = createTask(() => steps.push('body'));
    expect(t.cancel('early')).toBe(true);
    await expect(t).rejects.toThrow(CancelledError);
    await tick();
    expect(steps).toEqual([]);
    expect(t.cancelled()).toBe(true);
  });

  it('throws CancelledError with the message at the await where the body is suspended', async () => {
    const steps: string[] = [];
    const t = createTask(async () => {
      steps.push('before');
      try {
        await sleep(10_000);
        steps.push('not reached');
      } catch (e) {
        steps.push(`caught ${isCancelledError(e)} ${(e as Error).message}`);
        throw e;
      } finally {
        steps.push('finally');
      }
    });
    await sleep(1);
    expect(t.cancel('stop it')).toBe(true);
    await expect(t).rejects.toThrow('stop it');
    expect(t.cancelled()).toBe(true);
    expect(steps).toEqual(['before', 'caught true stop it', 'finally']);
  });

  it('cancels the awaited library future (the sleep timer is disposed)', async () => {
    let inner: Unfuture<void> | undefined;
    const t = createTask(async () => {
      inner = sleep(10_000);
      await inner;
    });
    await sleep(1);
    t.cancel();
    await t.then(undefined, () => undefined);
    expect(inner!.cancelled()).toBe(true);
  });

  it('cancels an awaited child task when the parent is cancelled', async () => {
    const steps: string[] = [];
    let child: Unfuture<void> | undefined;
    const parent = createTask(async () => {
      child = createTask(async () => {
        try {
          await sleep(10_000);
        } catch (e) {
          steps.push('child cancelled');
          throw e;
        }
      });
      await child;
    });
    await sleep(1);
    parent.cancel();
    await parent.then(undefined, () => undefined);
    expect(child!.cancelled()).toBe(true);
    expect(parent.cancelled()).toBe(true);
    expect(steps).toEqual(['child cancelled']);
  });

  it('cancels every future a body awaits through Promise.all', async () => {
    const a = sleep(10_000);
    const b = sleep(10_000);
    const t = createTask(() => Promise.all([a, b]));
    await sleep(1);
    t.cancel();
    await t.then(undefined, () => undefined);
    expect([a.cancelled(), b.cancelled()]).toEqual([true, true]);
  });

  it('completes normally when the body catches CancelledError and returns (edge-triggered)', async () => {
    const t = createTask(async () => {
      try {
        await sleep(10_000);
      } catch {
        return 'recovered';
      }
      return 'unreachable';
    });
    await sleep(1);
    t.cancel();
    expect(await t).toBe('recovered');
    expect(t.cancelled()).toBe(false);
  });

  it('delivers a request made during a foreign await at the next library await', async () => {
    const steps: string[] = [];
    let release!: () => void;
    const foreign = new Promise<void>((r) => (release = r));
    const t = createTask(async () => {
      await foreign; // unsync cannot interrupt this
      steps.push('resumed');
      try {
        await sleep(10_000);
      } catch (e) {
        steps.push(`cancelled at sleep: ${(e as Error).message}`);
        throw e;
      }
    });
    await sleep(1);
    t.cancel('later');
    steps.push('cancel requested');
    release();
    await expect(t).rejects.toThrow(CancelledError);
    expect(steps).toEqual(['cancel requested', 'resumed', 'cancelled at sleep: later']);
  });

  it('ends cancelled when an undelivered request meets a body that returns', async () => {
    let release!: () => void;
    const foreign = new Promise<void>((r) => (release = r));
    const t = createTask(async () => {
      await foreign;
      return 'value';
    });
    await sleep(1);
    t.cancel();
    release();
    await expect(t).rejects.toThrow(CancelledError);
    expect(t.cancelled()).toBe(true);
  });

  it('aborts the task signal at once, with the CancelledError as reason', async () => {
    const steps: string[] = [];
    const t = createTask(async () => {
      const signal = currentTask()!.signal;
      signal.addEventListener('abort', () => steps.push(`aborted: ${isCancelledError(signal.reason)}`));
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      steps.push('foreign await ended');
    });
    await sleep(1);
    t.cancel();
    await t.then(undefined, () => undefined);
    expect(steps).toEqual(['aborted: true', 'foreign await ended']);
    expect(t.cancelled()).toBe(true);
  });

  it('counts requests with cancelling() and withdraws one with uncancel()', async () => {
    let release!: () => void;
    const foreign = new Promise<void>((r) => (release = r));
    const t = createTask(async () => {
      await foreign;
      return 'kept';
    }) as Task<string>;
    await sleep(1);
    t.cancel();
    t.cancel();
    expect(t.cancelling()).toBe(2);
    expect(t.uncancel()).toBe(1);
    expect(t.uncancel()).toBe(0);
    expect(t.uncancel()).toBe(0);
    release();
    expect(await t).toBe('kept');
  });

  it('rejects a cancel message that is not a string and leaves the task running', async () => {
    const t = createTask(() => sleep(5, 'finished')) as Task<string>;
    expect(() => t.cancel(new Error('no') as never)).toThrow(TypeError);
    expect(t.cancelling()).toBe(0);
    expect(await t).toBe('finished');
  });

  it('returns false when cancelling a finished task', async () => {
    const t = createTask(() => 1);
    await t;
    expect(t.cancel()).toBe(false);
  });

  it('treats a CancelledError escaping the body as cancellation even without a request', async () => {
    const t = createTask(() => {
      throw new CancelledError('self');
    });
    await t.then(undefined, () => undefined);
    expect(t.cancelled()).toBe(true);
  });

  it('cancels an Unfuture returned directly by the body', async () => {
    let inner: Unfuture<void> | undefined;
    const t = createTask(() => (inner = sleep(10_000)));
    await sleep(1);
    t.cancel();
    await t.then(undefined, () => undefined);
    expect(inner!.cancelled()).toBe(true);
    expect(t.cancelled()).toBe(true);
  });

  it('does not cancel futures observed with addDoneCallback only', async () => {
    const watched = sleep(30);
    const t = createTask(async () => {
      watched.addDoneCallback(() => undefined);
      await sleep(10_000);
    });
    await sleep(1);
    t.cancel();
    await t.then(undefined, () => undefined);
    expect(watched.cancelled()).toBe(false);
    await watched;
  });
});

describe('values dropped by a late cancel', () => {
  it('hands the value to the future\'s discard hook when a task that is the future ends cancelled', async () => {
    const steps: string[] = [];
    const source = pendingFuture<string>();
    setDiscardHook(source, (value) => steps.push(`discarded ${value}`));
    const task = createTask(() => source);
    // Runs before the task's own reaction: the cancel finds the source done and is remembered.
    source.addDoneCallback(() => steps.push(`cancel accepted: ${task.cancel('late')}`));
    resolveFuture(source, 'socket');
    await task.then(undefined, () => steps.push('task cancelled'));
    expect(task.cancelled()).toBe(true);
    expect(steps).toEqual(['cancel accepted: true', 'discarded socket', 'task cancelled']);
  });

  it('leaves the value alone when the task completes, and runs a hook at most once', async () => {
    const discarded: string[] = [];
    const source = pendingFuture<string>();
    setDiscardHook(source, (value) => discarded.push(value));
    const task = createTask(() => source);
    resolveFuture(source, 'kept');
    expect(await task).toBe('kept');
    const again = createTask(() => source); // already fulfilled: the value is handed over
    expect(await again).toBe('kept');
    expect(discarded).toEqual([]);
  });
});

describe('task cancellation after multi-awaits', () => {
  it('does not cancel a future that a finished Promise.race abandoned', async () => {
    // The race is won by a future completed by hand on a later turn (while the task awaits
    // the race); the task then parks on a long sleep (raced says when), and only then is
    // it cancelled.
    const never = Unfuture.withResolvers<string>();
    const stray = createTask(() => never.future);
    const winner = Unfuture.withResolvers<void>();
    const raced = Unfuture.withResolvers<void>();
    const task = createTask(async () => {
      await Promise.race([winner.future, stray]);
      raced.resolve();
      await sleep(10_000);
    });
    void inTurns(() => winner.resolve());
    await raced.future;
    task.cancel();
    await task.then(undefined, () => undefined);
    expect(task.cancelled()).toBe(true);
    expect(stray.cancelled()).toBe(false);
    stray.cancel();
  });

  // The race is over before the task parks on the sleep: the futures it left pending are
  // no longer awaited, and cancelling the task must not reach them (asyncio cancels only
  // what the task awaits at that moment).
  const winners: Array<[string, (release: Promise<void>) => PromiseLike<unknown>]> = [
    ['a native promise resolved on a later turn', (release) => release],
    ['a native promise already resolved', () => Promise.resolve()],
    ['an already settled Unfuture', () => Unfuture.fromValue('won')],
    ['a chain on a settled Unfuture made in the body', () => Unfuture.fromValue('won').then((v) => v)],
  ];
  it.each(winners)('does not cancel a future left behind by a Promise.race won by %s', async (_name, winner) => {
    const stray = pendingFuture<void>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const steps: string[] = [];
    let parked: Unfuture<void> | undefined;
    const task = createTask(async () => {
      await Promise.race([winner(gate), stray]);
      steps.push('race over');
      parked = sleep(10_000);
      try {
        await parked;
      } catch (e) {
        steps.push(`cancelled at the sleep: ${isCancelledError(e)}`);
        throw e;
      }
    });
    await tick();
    release();
    await tick(); // parked on the sleep
    task.cancel();
    await task.then(undefined, () => undefined);
    expect(steps).toEqual(['race over', 'cancelled at the sleep: true']);
    expect([task.cancelled(), parked!.cancelled(), stray.cancelled()]).toEqual([true, true, false]);
    expect(stray.done()).toBe(false);
  });

  it('still cancels the futures of a Promise.race the task is suspended on', async () => {
    const stray = pendingFuture<void>();
    const task = createTask(() => Promise.race([new Promise<void>(() => undefined), stray]));
    await tick();
    task.cancel();
    await task.then(undefined, () => undefined);
    expect([task.cancelled(), stray.cancelled()]).toEqual([true, true]);
  });

  it('cancels a future a finished race left behind once the task awaits it again', async () => {
    const stray = pendingFuture<void>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const task = createTask(async () => {
      await Promise.race([gate, stray]);
      await stray;
    });
    await tick();
    release();
    await tick(); // parked on the stray itself
    task.cancel();
    await task.then(undefined, () => undefined);
    expect([task.cancelled(), stray.cancelled()]).toEqual([true, true]);
  });

  it('cancels only the sleep of a TaskGroup child whose race a native promise won', async () => {
    const stray = pendingFuture<void>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let child: Unfuture<void> | undefined;
    let parked: Unfuture<void> | undefined;
    const run = new TaskGroup().run(async (group) => {
      child = group.createTask(async () => {
        await Promise.race([gate, stray]);
        parked = sleep(10_000);
        await parked;
      });
    });
    await tick();
    release();
    await tick();
    run.cancel();
    await run.then(undefined, () => undefined);
    expect([run.cancelled(), child!.cancelled(), parked!.cancelled(), stray.cancelled()]).toEqual([true, true, true, false]);
  });

  it('cancels every future of one await made of async functions that await at once', async () => {
    const a = pendingFuture<void>();
    const b = pendingFuture<void>();
    const task = createTask(() =>
      Promise.all([
        (async () => {
          await a;
        })(),
        (async () => {
          await Promise.all([b, a.then(() => undefined)]);
        })(),
      ]),
    );
    await tick();
    task.cancel();
    await task.then(undefined, () => undefined);
    expect([task.cancelled(), a.cancelled(), b.cancelled()]).toEqual([true, true, true]);
  });

  it('cancels the library future awaited after a native await, and nothing awaited before', async () => {
    const first = pendingFuture<string>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let parked: Unfuture<void> | undefined;
    const task = createTask(async () => {
      await Promise.race([first, gate]);
      await gate;
      parked = sleep(10_000);
      await parked;
    });
    await tick();
    release();
    await tick();
    task.cancel();
    await task.then(undefined, () => undefined);
    expect([task.cancelled(), parked!.cancelled(), first.cancelled()]).toEqual([true, true, false]);
  });

  it('settles a task whose returned Unfuture is rejected with null', async () => {
    const t = createTask(() => Unfuture.fromPromise(Promise.reject(null)));
    await t.then(undefined, () => undefined);
    expect(t.state).toBe('rejected');
    expect(t.exception()).toBeNull();
  });
});

describe('continuations run in the task that registered them', () => {
  it('runs a then continuation in the task that called then, not the task that settled the source', async () => {
    const gate = Unfuture.withResolvers<string>();
    const seen: string[] = [];
    const b = createTask(
      () =>
        gate.future.then((v) => {
          seen.push(`${v} in ${currentTask()?.getName()}`);
        }),
      { name: 'B' },
    );
    const a = createTask(
      async () => {
        await sleep(0);
        gate.resolve('value');
      },
      { name: 'A' },
    );
    await gather2(a, b);
    expect(seen).toEqual(['value in B']);
  });

  it('runs a done callback in the task that added it, and outside any task when added outside', async () => {
    const gate = Unfuture.withResolvers<void>();
    const seen: string[] = [];
    gate.future.addDoneCallback(() => seen.push(`outside: ${currentTask()?.getName() ?? 'none'}`));
    const b = createTask(
      async () => {
        gate.future.addDoneCallback(() => seen.push(`inside: ${currentTask()?.getName() ?? 'none'}`));
        await sleep(5);
      },
      { name: 'B' },
    );
    const a = createTask(
      async () => {
        await sleep(0);
        gate.resolve();
      },
      { name: 'A' },
    );
    await gather2(a, b);
    expect(seen).toEqual(['outside: none', 'inside: B']);
  });

  it('keeps a cancellation of one task out of another task\'s continuation', async () => {
    const gate = Unfuture.withResolvers<void>();
    const steps: string[] = [];
    const b = createTask(
      async () => {
        await gate.future.then(async () => {
          await sleep(20); // linked to B, so cancelling A must not reach it
          steps.push('B continuation finished');
        });
        return 'B done';
      },
      { name: 'B' },
    );
    const a = createTask(
      async () => {
        await sleep(0);
        gate.resolve();
        await sleep(1000);
      },
      { name: 'A' },
    );
    await sleep(5);
    a.cancel('cancel only A');
    expect(await b).toBe('B done');
    expect(a.cancelled()).toBe(true);
    expect(steps).toEqual(['B continuation finished']);
  });
});

describe('a cancel that arrives after the awaited future settled', () => {
  it('throws CancelledError at that await instead of handing over the value (asyncio)', async () => {
    const gate = Unfuture.withResolvers<string>();
    const steps: string[] = [];
    const t = createTask(async () => {
      try {
        steps.push(`got ${await gate.future}`);
      } catch (e) {
        steps.push(isCancelledError(e) ? `cancelled: ${(e as Error).message}` : 'other');
      }
      return 'returned';
    });
    await tick(); // t is suspended on the gate
    gate.resolve('v');
    expect(gate.future.done()).toBe(true);
    expect(t.cancel('late')).toBe(true);
    expect(await t).toBe('returned'); // edge-triggered: the body caught it
    expect(steps).toEqual(['cancelled: late']);
  });

  it('does not give the value back when another consumer received it too', async () => {
    const dropped: string[] = [];
    const gate = pendingFuture<string>();
    setDiscardHook(gate, (v) => dropped.push(v));
    const t = createTask(async () => gate);
    await tick();
    const u = createTask(async () => {
      await gate;
    });
    await tick();
    resolveFuture(gate, 'resource');
    u.cancel();
    await Promise.allSettled([t, u]);
    // t also received the value, so it is not given back (never twice, never from a holder).
    expect(await t).toBe('resource');
    expect(u.cancelled()).toBe(true);
    expect(dropped).toEqual([]);
  });

  it('discards the value of a sole consumer', async () => {
    const dropped: string[] = [];
    const gate = pendingFuture<string>();
    setDiscardHook(gate, (v) => dropped.push(v));
    const t = createTask(async () => {
      await gate;
    });
    await tick();
    resolveFuture(gate, 'resource');
    t.cancel();
    expect(dropped).toEqual(['resource']); // at once, not a microtask later
    await t.then(undefined, () => undefined);
    expect(t.cancelled()).toBe(true);
  });

  it('gives the value back when the body awaits a then-chain on the settled future', async () => {
    const dropped: string[] = [];
    const steps: string[] = [];
    const gate = pendingFuture<string>();
    setDiscardHook(gate, (v) => dropped.push(v));
    const t = createTask(async () => {
      try {
        await gate.then((v) => steps.push(`mapped ${v}`));
      } catch (e) {
        steps.push(`cancelled: ${isCancelledError(e)}`);
        throw e;
      }
    });
    await tick();
    resolveFuture(gate, 'resource');
    t.cancel();
    expect(dropped).toEqual(['resource']); // at once, as under a direct await
    await t.then(undefined, () => undefined);
    expect(t.cancelled()).toBe(true);
    expect(steps).toEqual(['cancelled: true']);
  });

  it('delivers the value when the source settled before the await began (no suspension on a pending future)', async () => {
    const steps: string[] = [];
    const ready = Unfuture.fromValue('ready');
    const t = createTask(async () => {
      steps.push(`got ${await ready}`);
      try {
        await sleep(1000);
      } catch (e) {
        steps.push(isCancelledError(e) ? 'cancelled at the next await' : 'other');
        throw e;
      }
    });
    await Promise.resolve(); // the body starts and awaits the settled future
    await Promise.resolve();
    t.cancel();
    await t.then(undefined, () => undefined);
    expect(steps).toEqual(['got ready', 'cancelled at the next await']);
  });
});

function gather2(a: PromiseLike<unknown>, b: PromiseLike<unknown>): Promise<unknown> {
  return Promise.all([a, b]);
}
