import { CancelledError, InvalidStateError, isCancelledError, isInvalidStateError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { cancelFuture, pendingFuture, rejectFuture, resolveFuture } from '../../src/core/future-internal';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Unfuture state machine', () => {
  it('starts pending and refuses result() and exception() with InvalidStateError', () => {
    const f = pendingFuture<number>();
    expect(f.done()).toBe(false);
    expect(f.state).toBe('pending');
    expect(() => f.result()).toThrow(InvalidStateError);
    expect(() => f.exception()).toThrow(InvalidStateError);
  });

  it('settles exactly once: a second resolve, reject or cancel is refused', () => {
    const f = pendingFuture<number>();
    expect(resolveFuture(f, 1)).toBe(true);
    expect(resolveFuture(f, 2)).toBe(false);
    expect(rejectFuture(f, new Error('x'))).toBe(false);
    expect(cancelFuture(f)).toBe(false);
    expect(f.cancel()).toBe(false);
    expect(f.result()).toBe(1);
    expect(f.exception()).toBeNull();
  });

  it('returns the error from exception() and throws it from result() after a failure', () => {
    const error = new RangeError('bad');
    const f = pendingFuture<number>();
    rejectFuture(f, error);
    expect(f.exception()).toBe(error);
    expect(() => f.result()).toThrow(error);
    expect(f.state).toBe('rejected');
  });

  it('throws CancelledError carrying the message from result() and exception() once cancelled', () => {
    const f = pendingFuture<number>();
    expect(f.cancel('stop')).toBe(true);
    expect(f.cancelled()).toBe(true);
    let seen: unknown;
    try {
      f.result();
    } catch (e) {
      seen = e;
    }
    expect(isCancelledError(seen)).toBe(true);
    expect((seen as Error).message).toBe('stop');
    expect(() => f.exception()).toThrow(CancelledError);
  });

  it('lets a producer hook decide when a cancelled future settles', async () => {
    const steps: string[] = [];
    const f: Unfuture<number> = pendingFuture<number>({
      onCancel: (message) => {
        steps.push(`hook ${message}`);
        setImmediate(() => {
          steps.push('undone');
          cancelFuture(f, message);
        });
      },
    });
    expect(f.cancel('a')).toBe(true);
    expect(f.cancel('b')).toBe(true); // still pending, hook not called twice
    expect(f.done()).toBe(false);
    await expect(f).rejects.toThrow(CancelledError);
    expect(steps).toEqual(['hook a', 'undone']);
  });
});

describe('Unfuture callbacks', () => {
  it('runs done callbacks in registration order, once, never synchronously', async () => {
    const steps: string[] = [];
    const f = pendingFuture<number>();
    f.addDoneCallback(() => steps.push('first'));
    f.addDoneCallback(() => steps.push('second'));
    resolveFuture(f, 1);
    steps.push('after resolve');
    f.addDoneCallback(() => steps.push('late'));
    steps.push('after late add');
    await tick();
    expect(steps).toEqual(['after resolve', 'after late add', 'first', 'second', 'late']);
  });

  it('removes every registration of a callback and reports how many', async () => {
    const steps: string[] = [];
    const f = pendingFuture<number>();
    const cb = (): number => steps.push('cb');
    f.addDoneCallback(cb);
    f.addDoneCallback(() => steps.push('other'));
    f.addDoneCallback(cb);
    expect(f.removeDoneCallback(cb)).toBe(2);
    expect(f.removeDoneCallback(cb)).toBe(0);
    resolveFuture(f, 1);
    await tick();
    expect(steps).toEqual(['other']);
  });

  it('passes the settled future to done callbacks', async () => {
    const f = pendingFuture<string>();
    const seen: unknown[] = [];
    f.addDoneCallback((d) => seen.push(d.result()));
    resolveFuture(f, 'v');
    await tick();
    expect(seen).toEqual(['v']);
  });

  it('rejects a callback that is not a function', () => {
    expect(() => pendingFuture().addDoneCallback(42 as never)).toThrow(
      /^Expected `callback` to be a function, got 42 \(number\)$/,
    );
    expect(() => pendingFuture().removeDoneCallback('cb' as never)).toThrow(TypeError);
  });
});

describe('Unfuture argument checks', () => {
  it('rejects a cancel message that is not a string, without cancelling', () => {
    const f = pendingFuture();
    expect(() => f.cancel(42 as never)).toThrow(/^Expected `message` to be a string or undefined, got 42 \(number\)$/);
    expect(f.done()).toBe(false);
    expect(f.cancel('ok')).toBe(true);
  });

  it('rejects a name that is not a string, keeping the old name', () => {
    const f = pendingFuture();
    f.setName('kept');
    expect(() => f.setName({} as never)).toThrow(TypeError);
    expect(f.getName()).toBe('kept');
  });

  it('rejects what is not a thenable in fromPromise with the standard message', () => {
    expect(() => Unfuture.fromPromise(7 as never)).toThrow(/^Expected `promise` to be a promise or thenable, got 7 \(number\)$/);
  });

  it('validates the options of withResolvers', () => {
    expect(() => Unfuture.withResolvers({ nmae: 'x' } as never)).toThrow(/Unknown option `nmae`/);
    expect(() => Unfuture.withResolvers({ name: 1 } as never)).toThrow(TypeError);
    expect(() => Unfuture.withResolvers({ executor: '' })).toThrow(TypeError);
    expect(() => Unfuture.withResolvers({ onCancel: 'no' } as never)).toThrow(TypeError);
    expect(() => Unfuture.withResolvers({ timed: 1 } as never)).toThrow(TypeError);
    expect(() => Unfuture.withResolvers('x' as never)).toThrow(TypeError);
    const { future } = Unfuture.withResolvers({ executor: 'thread', name: 'call', timed: false });
    expect([future.executor, future.getName(), future.timing.createdAt]).toEqual(['thread', 'call', undefined]);
  });
});

describe('Unfuture.fromValue and withResolvers', () => {
  it('makes an already fulfilled future whose callbacks still run later, not inside the call', async () => {
    const steps: string[] = [];
    const f = Unfuture.fromValue('v');
    expect([f.done(), f.state, f.result(), f.exception()]).toEqual([true, 'fulfilled', 'v', null]);
    expect(f.cancel()).toBe(false);
    f.addDoneCallback((d) => steps.push(`callback ${d.result()}`));
    steps.push('after addDoneCallback');
    await tick();
    expect(steps).toEqual(['after addDoneCallback', 'callback v']);
  });

  it('lets the producer settle a withResolvers future, once', async () => {
    const c = Unfuture.withResolvers<number>();
    expect(c.resolve(1)).toBe(true);
    expect(c.reject(new Error('late'))).toBe(false);
    expect(c.cancel()).toBe(false);
    expect(await c.future).toBe(1);
  });
});

describe('Unfuture as a thenable', () => {
  it('works with await, Promise.all and Promise.race', async () => {
    expect(await Unfuture.fromValue(3)).toBe(3);
    expect(await Promise.all([Unfuture.fromValue(1), Unfuture.fromValue(2)])).toEqual([1, 2]);
    const slow = pendingFuture<string>();
    expect(await Promise.race([slow, Unfuture.fromValue('fast')])).toBe('fast');
  });

  it('chains with then into another Unfuture, flattening sync and async continuations', async () => {
    const chained = Unfuture.fromValue(2)
      .then((v) => v * 10)
      .then(async (v) => v + 1)
      .then((v) => Unfuture.fromValue(`${v}!`));
    expect(chained).toBeInstanceOf(Unfuture);
    expect(await chained).toBe('21!');
  });

  it('routes errors to catch and runs finally without changing the outcome', async () => {
    const steps: string[] = [];
    const f = pendingFuture<number>();
    const handled = f
      .finally(() => steps.push('finally'))
      .catch((e: Error) => {
        steps.push(`caught ${e.message}`);
        return -1;
      });
    rejectFuture(f, new Error('boom'));
    expect(await handled).toBe(-1);
    expect(steps).toEqual(['finally', 'caught boom']);
  });

  it('cancels the source when a chained future is cancelled while the source is pending', async () => {
    const source = pendingFuture<number>();
    const chained = source.then((v) => v + 1);
    expect(chained.cancel('chain')).toBe(true);
    expect(chained.cancelled()).toBe(true);
    expect(source.cancelled()).toBe(true);
  });

  it('cancels what the continuation returned when the chain is cancelled after the source', async () => {
    const inner = pendingFuture<number>();
    const source = pendingFuture<number>();
    const chained = source.then(() => inner);
    resolveFuture(source, 1);
    await tick();
    chained.cancel();
    expect(inner.cancelled()).toBe(true);
  });

  it('rejects a future resolved with itself', async () => {
    const f = pendingFuture<unknown>();
    resolveFuture(f, f);
    await expect(f).rejects.toThrow(TypeError);
  });

  it('adopts a foreign thenable in fromPromise and can abandon it by cancelling', async () => {
    expect(await Unfuture.fromPromise(Promise.resolve('p'))).toBe('p');
    const never = new Promise<string>(() => undefined);
    const wrapped = Unfuture.fromPromise(never);
    expect(wrapped.cancel()).toBe(true);
    await expect(wrapped).rejects.toThrow(CancelledError);
    expect(() => Unfuture.fromPromise(42 as never)).toThrow(TypeError);
  });

  it('never turns an unobserved failure into an unhandled rejection', async () => {
    const seen: unknown[] = [];
    const listener = (reason: unknown): void => {
      seen.push(reason);
    };
    process.on('unhandledRejection', listener);
    try {
      const f = pendingFuture<number>();
      rejectFuture(f, new Error('nobody listens'));
      f.then((v) => v); // a chain without a rejection handler, also unobserved
      pendingFuture<number>().cancel();
      await tick();
      await tick();
    } finally {
      process.off('unhandledRejection', listener);
    }
    expect(seen).toEqual([]);
  });
});

describe('Unfuture names and timing', () => {
  it('numbers default names Future-N strictly increasing and allows renaming', () => {
    const a = pendingFuture();
    const b = pendingFuture();
    const na = Number(a.getName().replace('Future-', ''));
    const nb = Number(b.getName().replace('Future-', ''));
    expect(a.getName()).toMatch(/^Future-\d+$/);
    expect(nb).toBe(na + 1);
    b.setName('renamed');
    expect(b.getName()).toBe('renamed');
  });

  it('numbers tasks Task-N consecutively, whatever other futures are made between them (asyncio)', async () => {
    const first = createTask(() => sleep(1));
    void sleep(1);
    Unfuture.fromValue(1).then(() => undefined);
    const second = createTask(() => 2);
    const n1 = Number(first.getName().replace('Task-', ''));
    expect(first.getName()).toMatch(/^Task-\d+$/);
    expect(second.getName()).toBe(`Task-${n1 + 1}`);
    await Promise.all([first, second]);
  });

  it('records creation, start and settlement in order', async () => {
    const { future, start, resolve } = Unfuture.withResolvers<number>({ executor: 'thread', name: 'job' });
    expect(future.executor).toBe('thread');
    expect(future.getName()).toBe('job');
    expect(future.timing.startedAt).toBeUndefined();
    start();
    await tick();
    resolve(1);
    const { createdAt, startedAt, settledAt } = future.timing;
    expect(startedAt!).toBeGreaterThanOrEqual(createdAt!);
    expect(settledAt!).toBeGreaterThanOrEqual(startedAt!);
  });

  it('reports itself readably', () => {
    const f = Unfuture.fromValue(1);
    f.setName('x');
    expect(String(f)).toBe('Unfuture<x fulfilled on loop>');
    expect(Object.prototype.toString.call(f)).toBe('[object Unfuture]');
  });

  it('exposes the error brand even for errors from result()', () => {
    const f = pendingFuture();
    f.cancel();
    try {
      f.result();
    } catch (e) {
      expect(isInvalidStateError(e)).toBe(false);
      expect(isCancelledError(e)).toBe(true);
    }
    expect.assertions(2);
  });
});

describe('Unfuture.resultSync', () => {
  it('returns the value of a done future and throws its error', () => {
    expect(Unfuture.fromValue(7).resultSync()).toBe(7);
    const failed = pendingFuture<number>();
    rejectFuture(failed, new RangeError('no'));
    expect(() => failed.resultSync()).toThrow(RangeError);
  });

  it('refuses to block for a pending event-loop future, which would deadlock', () => {
    expect(() => pendingFuture().resultSync()).toThrow(/would deadlock/);
    expect(() => pendingFuture().resultSync()).toThrow(InvalidStateError);
  });

  it('refuses an executor without a synchronous reply channel, naming it', () => {
    const f = pendingFuture({ executor: 'remote' });
    expect(() => f.resultSync(10)).toThrow(/'remote' executor/);
  });

  it('validates the timeout', () => {
    expect(() => Unfuture.fromValue(1).resultSync('soon' as never)).toThrow(TypeError);
  });
});

describe('resultSync on a chain', () => {
  it('refuses a then() chain of a pool call with a message that says to block on the call itself', () => {
    const call = Unfuture.withResolvers<number>({ executor: 'thread' });
    const chain = call.future.then((n) => n + 1);
    let thrown: unknown;
    try {
      chain.resultSync(10);
    } catch (error) {
      thrown = error;
    }
    expect(isInvalidStateError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/is a chain \(made with then\(\)\) on a thread call.*block on the call itself/);
    call.cancel();
  });
});
