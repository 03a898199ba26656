import { isCancelledError, isTimeoutError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { createTask } from '../../src/core/task';
import { asCompleted } from '../../src/combinators/as-completed';
import { sleep } from '../../src/combinators/sleep';
import { activeTimers, errorOf, timersSettleTo } from './helpers';

class Boom extends Error {}

describe('asCompleted', () => {
  it('yields one awaitable per input, each resolving with the next completion', async () => {
    const steps: string[] = [];
    // Completed in the order a, b, c by hand, each on a later turn of the loop (timers
    // started together can fire out of order when a pause falls between their starts).
    const [c, a, b] = [Unfuture.withResolvers<string>(), Unfuture.withResolvers<string>(), Unfuture.withResolvers<string>()];
    const iterable = asCompleted([c.future, a.future, b.future]);
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    void (async () => {
      for (const [control, value] of [[a, 'a'], [b, 'b'], [c, 'c']] as const) {
        await turn();
        control.resolve(value);
      }
    })();
    let count = 0;
    for (const next of iterable) {
      count++;
      expect(next).toBeInstanceOf(Unfuture);
      steps.push(await next);
    }
    expect(count).toBe(3);
    expect(steps).toEqual(['a', 'b', 'c']);
  });

  it('yields the results in completion order with for await', async () => {
    const steps: string[] = [];
    for await (const value of asCompleted([sleep(30, 'c'), () => sleep(5, 'a'), Promise.resolve('now')])) {
      steps.push(value);
    }
    expect(steps).toEqual(['now', 'a', 'c']);
  });

  it('hands out completions in order even when the awaitables are taken all at once', async () => {
    const nexts = [...asCompleted([sleep(20, 'slow'), sleep(5, 'fast')])];
    expect(nexts).toHaveLength(2);
    const second = nexts[1]!;
    const first = nexts[0]!;
    expect(await second).toBe('slow');
    expect(await first).toBe('fast');
  });

  it('delivers an error in its completion slot without affecting the others', async () => {
    const failing = createTask(async () => {
      await sleep(5);
      throw new Boom('x');
    });
    const [first, second] = [...asCompleted([sleep(20, 'ok'), failing])];
    expect(await errorOf(first!)).toBeInstanceOf(Boom);
    expect(await second).toBe('ok');
  });

  it('throws the first error it meets from the async iterable', async () => {
    const steps: string[] = [];
    const failing = createTask(async () => {
      await sleep(10);
      throw new Boom('late');
    });
    const error = await errorOf(
      (async () => {
        for await (const value of asCompleted([sleep(1, 'early'), failing])) steps.push(value);
      })(),
    );
    expect(error).toBeInstanceOf(Boom);
    expect(steps).toEqual(['early']);
  });

  it('throws TimeoutError for the completions left at the deadline, cancelling nothing', async () => {
    const slow = sleep(60, 'slow');
    const [first, second] = [...asCompleted([slow, sleep(5, 'fast')], { timeout: 30 })];
    expect(await first).toBe('fast');
    const error = await errorOf(second!);
    expect(isTimeoutError(error)).toBe(true);
    expect(slow.done()).toBe(false);
    expect(await slow).toBe('slow');
    expect(slow.cancelled()).toBe(false);
  });

  it('throws TimeoutError from the async iterable after the values that arrived in time', async () => {
    const steps: string[] = [];
    const slow = sleep(60, 'slow');
    const error = await errorOf(
      (async () => {
        for await (const value of asCompleted([slow, sleep(5, 'fast')], { timeout: 30 })) steps.push(value);
      })(),
    );
    expect(isTimeoutError(error)).toBe(true);
    expect(steps).toEqual(['fast']);
    expect(slow.cancelled()).toBe(false);
    slow.cancel();
  });

  it('still delivers completions that arrived before the deadline but were taken after it', async () => {
    const slow = sleep(1000, 'late');
    const iterator = asCompleted([sleep(1, 'early'), slow], { timeout: 10 })[Symbol.iterator]();
    await sleep(30);
    expect(await iterator.next().value).toBe('early');
    expect(isTimeoutError(await errorOf(iterator.next().value!))).toBe(true);
    expect(iterator.next().done).toBe(true);
    slow.cancel();
  });

  it('clears its deadline timer once everything finished before it', async () => {
    const before = activeTimers();
    const values: string[] = [];
    for await (const v of asCompleted([sleep(1, 'a')], { timeout: 60_000 })) values.push(v);
    expect(values).toEqual(['a']);
    expect(await timersSettleTo(before)).toBeLessThanOrEqual(before);
  });

  it('still delivers inputs that were already done with a zero timeout', async () => {
    const values: number[] = [];
    for await (const v of asCompleted([Unfuture.fromValue(1), Promise.resolve(2)], { timeout: 0 })) values.push(v);
    expect(values).toEqual([1, 2]);
  });

  it('delivers a cancelled input as CancelledError', async () => {
    const victim = sleep(1000, 'never');
    const [first, second] = [...asCompleted([victim, sleep(10, 'ok')])];
    victim.cancel('gone');
    const error = await errorOf(first!);
    expect(isCancelledError(error)).toBe(true);
    expect((error as Error).message).toBe('gone');
    expect(await second).toBe('ok');
  });

  it('gives the completion of a cancelled yielded awaitable to the next one', async () => {
    const [first, second] = [...asCompleted([sleep(5, 'a'), sleep(10, 'b')])];
    first!.cancel();
    expect(first!.cancelled()).toBe(true);
    expect(await second).toBe('a');
  });

  it('yields nothing for an empty input', async () => {
    expect([...asCompleted([])]).toEqual([]);
    const values: unknown[] = [];
    for await (const v of asCompleted([])) values.push(v);
    expect(values).toEqual([]);
  });

  it('rejects invalid inputs and options', () => {
    expect(() => asCompleted(5 as never)).toThrow('Expected `aws` to be an iterable of awaitables');
    expect(() => asCompleted([{} as never])).toThrow('Expected `aws[0]` to be an awaitable');
    expect(() => asCompleted([sleep(1)], { timeout: 'soon' as never })).toThrow(TypeError);
    expect(() => asCompleted([sleep(1)], { timeout: 'soon' as never })).toThrow('Expected `options.timeout` to be a number of milliseconds or null');
    expect(() => asCompleted([sleep(1)], { limit: 1 } as never)).toThrow(/Unknown option `limit`/);
  });
});
