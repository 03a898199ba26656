import { CancelledError, isCancelledError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { createTask } from '../../src/core/task';
import { gather } from '../../src/combinators/gather';
import { sleep } from '../../src/combinators/sleep';
import { errorOf, flush, inTurns, nativeDelay } from './helpers';

class Boom extends Error {}

/** A future the test completes by hand (with inTurns, to fix the order children finish in). */
const gate = () => Unfuture.withResolvers<void>();

describe('gather', () => {
  it('resolves with results in argument order, not completion order', async () => {
    const steps: string[] = [];
    const [a, b, c] = [gate(), gate(), gate()];
    const child = (name: string, opened: Unfuture<void>) => async () => {
      await opened;
      steps.push(name);
      return name;
    };
    const g = gather(child('a', a.future), child('b', b.future), child('c', c.future));
    void inTurns(() => b.resolve(), () => c.resolve(), () => a.resolve());
    const result = await g;
    expect(result).toEqual(['a', 'b', 'c']);
    expect(steps).toEqual(['b', 'c', 'a']);
  });

  it('accepts Unfutures, native promises and zero-argument functions together', async () => {
    const result = await gather(sleep(5, 1), Promise.resolve('two'), () => 3, async () => 4);
    expect(result).toEqual([1, 'two', 3, 4]);
  });

  it('accepts an iterable in the list form, including a generator', async () => {
    function* inputs() {
      yield sleep(10, 'x');
      yield sleep(1, 'y');
    }
    expect(await gather(inputs())).toEqual(['x', 'y']);
    expect(await gather([sleep(1, 1), sleep(1, 2)], {})).toEqual([1, 2]);
  });

  it('resolves with an empty array for no inputs', async () => {
    expect(await gather()).toEqual([]);
    expect(await gather([])).toEqual([]);
  });

  it('keeps duplicate inputs in every position', async () => {
    const s = sleep(5, 'same');
    expect(await gather(s, s)).toEqual(['same', 'same']);
  });

  it('types the variadic form as a tuple', async () => {
    const result: [string, number, boolean] = await gather(sleep(1, 'a'), Promise.resolve(1), () => true);
    const [s, n, b] = result;
    expect([s.toUpperCase(), n + 1, !b]).toEqual(['A', 2, false]);
    // @ts-expect-error the second element is a number, so the tuple is not [string, string]
    const wrong: [string, string] = await gather(sleep(1, 'a'), sleep(1, 2));
    expect(wrong[1]).toBe(2);
    const list: number[] = await gather([sleep(1, 1), sleep(1, 2)]);
    expect(list).toEqual([1, 2]);
  });

  it('types async functions and tasks in the variadic form by what they resolve to', async () => {
    const fetchName = async (): Promise<string> => 'ada';
    const count = (): number => 3;
    const result: [string, number, string] = await gather(fetchName, count, () => sleep(1, 'slept'));
    // The elements are values, not promises: string methods apply directly.
    expect([result[0].toUpperCase(), result[1] * 2, result[2].length]).toEqual(['ADA', 6, 5]);
    // @ts-expect-error an async function's slot is its value (string), never Promise<string>
    const promised: [Promise<string>] = await gather(fetchName);
    expect(promised).toEqual(['ada']);
  });

  it('throws the first error at once while the other children keep running', async () => {
    const steps: string[] = [];
    const [slowGate, firstGate, secondGate] = [gate(), gate(), gate()];
    const slow = createTask(async () => {
      await slowGate.future;
      steps.push('slow finished');
      return 'slow';
    });
    const g = gather(
      slow,
      async () => {
        await firstGate.future;
        steps.push('first fails');
        throw new Boom('first');
      },
      async () => {
        await secondGate.future;
        steps.push('second fails');
        throw new Boom('second');
      },
    );
    void inTurns(() => firstGate.resolve(), () => secondGate.resolve(), () => slowGate.resolve());
    const error = await errorOf(g);
    steps.push('gather threw');
    expect(error).toBeInstanceOf(Boom);
    expect((error as Error).message).toBe('first');
    expect(slow.done()).toBe(false);
    expect(await slow).toBe('slow');
    expect(steps).toEqual(['first fails', 'gather threw', 'second fails', 'slow finished']);
    expect(slow.cancelled()).toBe(false);
  });

  it('throws a child\'s rejection even when the rejection value is null', async () => {
    const g = gather(Promise.reject(null), sleep(5, 'x'));
    let caught: unknown = 'nothing thrown';
    try {
      await g;
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeNull();
    expect(g.state).toBe('rejected');
  });

  it('puts errors in the results with returnExceptions and waits for every child', async () => {
    const steps: string[] = [];
    const boom = new Boom('x');
    const [okGate, failGate] = [gate(), gate()];
    const g = gather(
      [
        async () => {
          await okGate.future;
          steps.push('ok');
          return 'ok';
        },
        async () => {
          await failGate.future;
          steps.push('fail');
          throw boom;
        },
      ],
      { returnExceptions: true },
    );
    void inTurns(() => failGate.resolve(), () => okGate.resolve());
    const result = await g;
    expect(result).toEqual(['ok', boom]);
    expect(result[1]).toBe(boom);
    expect(steps).toEqual(['fail', 'ok']);
  });

  it('puts a cancelled child\'s CancelledError in the results with returnExceptions', async () => {
    const victim = sleep(1000, 'never');
    const result = gather([victim, sleep(10, 'ok')], { returnExceptions: true });
    await sleep(1);
    victim.cancel('gone');
    const values = await result;
    expect(isCancelledError(values[0])).toBe(true);
    expect((values[0] as Error).message).toBe('gone');
    expect(values[1]).toBe('ok');
  });

  it('throws CancelledError when a child is cancelled, without cancelling the gather itself', async () => {
    const victim = sleep(1000);
    const other = sleep(20, 'other');
    const g = gather(victim, other);
    await sleep(1);
    victim.cancel('child gone');
    const error = await errorOf(g);
    expect(isCancelledError(error)).toBe(true);
    expect((error as Error).message).toBe('child gone');
    expect(g.cancelled()).toBe(false);
    expect(g.done()).toBe(true);
    expect(other.cancelled()).toBe(false);
    expect(await other).toBe('other');
  });

  it('cancels every child when the gather is cancelled', async () => {
    const steps: string[] = [];
    const child = (name: string) => async () => {
      try {
        await sleep(1000);
      } catch (error) {
        steps.push(`${name}: ${(error as Error).message}`);
        throw error;
      }
    };
    const a = createTask(child('a'));
    const b = createTask(child('b'));
    const g = gather(a, b);
    await sleep(1);
    expect(g.cancel('stop all')).toBe(true);
    const error = await errorOf(g);
    expect(isCancelledError(error)).toBe(true);
    expect(g.cancelled()).toBe(true);
    expect(a.cancelled() && b.cancelled()).toBe(true);
    expect(steps).toEqual(['a: stop all', 'b: stop all']);
  });

  it('ends cancelled once the children finished cancelling, after their cleanup ran', async () => {
    const steps: string[] = [];
    const child = createTask(async () => {
      try {
        await sleep(1000);
      } finally {
        await sleep(10);
        steps.push('child cleanup done');
      }
    });
    const g = gather(child);
    await sleep(1);
    g.cancel();
    expect(g.done()).toBe(false);
    await errorOf(g);
    steps.push('gather settled');
    expect(g.cancelled()).toBe(true);
    expect(steps).toEqual(['child cleanup done', 'gather settled']);
  });

  it('ends cancelled when cancelled even if a child swallows the cancellation', async () => {
    const child = createTask(async () => {
      try {
        await sleep(1000);
        return 'slept';
      } catch {
        return 'swallowed';
      }
    });
    const g = gather(child);
    await sleep(1);
    g.cancel();
    expect(isCancelledError(await errorOf(g))).toBe(true);
    expect(g.cancelled()).toBe(true);
    expect(await child).toBe('swallowed');
  });

  it('ends cancelled when cancelled with returnExceptions', async () => {
    const child = sleep(1000);
    const g = gather([child], { returnExceptions: true });
    g.cancel();
    expect(isCancelledError(await errorOf(g))).toBe(true);
    expect(g.cancelled()).toBe(true);
    expect(child.cancelled()).toBe(true);
  });

  it('cancels the children when the task awaiting the gather is cancelled', async () => {
    const steps: string[] = [];
    const children = [sleep(1000), sleep(1000)];
    const task = createTask(async () => {
      try {
        await gather(...children);
      } catch (error) {
        steps.push(isCancelledError(error) ? 'task saw CancelledError' : 'other');
        throw error;
      }
    });
    await sleep(1);
    task.cancel();
    await errorOf(task);
    expect(task.cancelled()).toBe(true);
    expect(children.map((c) => c.cancelled())).toEqual([true, true]);
    expect(steps).toEqual(['task saw CancelledError']);
  });

  it('cannot be cancelled once it has settled and leaves finished children alone', async () => {
    const g = gather(sleep(1, 'a'));
    expect(await g).toEqual(['a']);
    expect(g.cancel()).toBe(false);
    expect(g.cancelled()).toBe(false);
  });

  it('settles as cancelled when cancelled after all children finished but before it resolved', async () => {
    const a = Unfuture.fromValue(1);
    const g = gather(a);
    expect(g.cancel()).toBe(true);
    expect(isCancelledError(await errorOf(g))).toBe(true);
  });

  it('does not report the errors of other children as unhandled after the first one is thrown', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const g = gather(
        () => Promise.reject(new Boom('one')),
        async () => {
          await sleep(5);
          throw new Boom('two');
        },
      );
      expect(await errorOf(g)).toBeInstanceOf(Boom);
      await nativeDelay(20);
      await flush();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('rejects invalid inputs and options with a TypeError naming the argument', () => {
    expect(() => gather(42 as never)).toThrow(TypeError);
    expect(() => gather(42 as never)).toThrow('Expected `aws[0]` to be an awaitable');
    expect(() => gather([sleep(1), 'x' as never])).toThrow('Expected `aws[1]` to be an awaitable');
    expect(() => gather([sleep(1)], { returnException: true } as never)).toThrow(/Unknown option `returnException`/);
    expect(() => gather([sleep(1)], 'yes' as never)).toThrow(TypeError);
    expect(() => gather([sleep(1)], { returnExceptions: 'yes' as never })).toThrow(
      'Expected `options.returnExceptions` to be a boolean, got "yes" (string)',
    );
  });

  it('starts no child when an argument is invalid', async () => {
    const steps: string[] = [];
    expect(() => gather([() => steps.push('ran'), null as never])).toThrow(TypeError);
    await sleep(1);
    expect(steps).toEqual([]);
  });

  it('puts a real CancelledError instance in the results for a cancelled child', async () => {
    const victim = sleep(1000);
    const g = gather([victim], { returnExceptions: true });
    victim.cancel();
    const [error] = await g;
    expect(error).toBeInstanceOf(CancelledError);
  });
});
