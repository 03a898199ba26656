import { isCancelledError, isTimeoutError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { createTask } from '../../src/core/task';
import { asCompleted } from '../../src/combinators/as-completed';
import { sleep } from '../../src/combinators/sleep';
import { activeTimers, errorOf, inTurns, timersSettleTo } from './helpers';

class Boom extends Error {}

/*
 * Completion order is set by hand: inputs are futures the test completes itself (at once,
 * or each on a turn of its own with inTurns), never timers of different lengths started
 * together. Only the deadline under test is a real timer.
 */
const pending = <T>() => Unfuture.withResolvers<T>();

describe('asCompleted', () => {
  it('yields one awaitable per input, each resolving with the next completion', async () => {
    const steps: string[] = [];
    const [c, a, b] = [pending<string>(), pending<string>(), pending<string>()];
    const iterable = asCompleted([c.future, a.future, b.future]);
    void inTurns(() => a.resolve('a'), () => b.resolve('b'), () => c.resolve('c'));
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
    const [c, a] = [pending<string>(), pending<string>()];
    const iterable = asCompleted([c.future, () => a.future, Promise.resolve('now')]);
    void inTurns(() => a.resolve('a'), () => c.resolve('c'));
    for await (const value of iterable) steps.push(value);
    expect(steps).toEqual(['now', 'a', 'c']);
  });

  it('hands out completions in order even when the awaitables are taken all at once', async () => {
    const [slow, fast] = [pending<string>(), pending<string>()];
    const nexts = [...asCompleted([slow.future, fast.future])];
    expect(nexts).toHaveLength(2);
    void inTurns(() => fast.resolve('fast'), () => slow.resolve('slow'));
    const second = nexts[1]!;
    const first = nexts[0]!;
    expect(await second).toBe('slow');
    expect(await first).toBe('fast');
  });

  it('delivers an error in its completion slot without affecting the others', async () => {
    const [ok, gate] = [pending<string>(), pending<void>()];
    const failing = createTask(async () => {
      await gate.future;
      throw new Boom('x');
    });
    const [first, second] = [...asCompleted([ok.future, failing])];
    void inTurns(() => gate.resolve(), () => ok.resolve('ok'));
    expect(await errorOf(first!)).toBeInstanceOf(Boom);
    expect(await second).toBe('ok');
  });

  it('throws the first error it meets from the async iterable', async () => {
    const steps: string[] = [];
    const [early, gate] = [pending<string>(), pending<void>()];
    const failing = createTask(async () => {
      await gate.future;
      throw new Boom('late');
    });
    const iterable = asCompleted([early.future, failing]);
    void inTurns(() => early.resolve('early'), () => gate.resolve());
    const error = await errorOf(
      (async () => {
        for await (const value of iterable) steps.push(value);
      })(),
    );
    expect(error).toBeInstanceOf(Boom);
    expect(steps).toEqual(['early']);
  });

  it('throws TimeoutError for the completions left at the deadline, cancelling nothing', async () => {
    // fast completes at once (its delivery is a microtask, always ahead of the deadline's
    // timer); slow is completed by hand only after the deadline threw.
    const [slow, fast] = [pending<string>(), pending<string>()];
    const [first, second] = [...asCompleted([slow.future, fast.future], { timeout: 30 })];
    fast.resolve('fast');
    expect(await first).toBe('fast');
    const error = await errorOf(second!);
    expect(isTimeoutError(error)).toBe(true);
    expect(slow.future.done()).toBe(false);
    slow.resolve('slow');
    expect(await slow.future).toBe('slow');
    expect(slow.future.cancelled()).toBe(false);
  });

  it('throws TimeoutError from the async iterable after the values that arrived in time', async () => {
    const steps: string[] = [];
    const [slow, fast] = [pending<string>(), pending<string>()];
    const iterable = asCompleted([slow.future, fast.future], { timeout: 30 });
    fast.resolve('fast');
    const error = await errorOf(
      (async () => {
        for await (const value of iterable) steps.push(value);
      })(),
    );
    expect(isTimeoutError(error)).toBe(true);
    expect(steps).toEqual(['fast']);
    expect(slow.future.done()).toBe(false);
    expect(slow.future.cancelled()).toBe(false);
  });

  it('still delivers completions that arrived before the deadline but were taken after it', async () => {
    const [early, slow] = [pending<string>(), pending<string>()];
    const iterator = asCompleted([early.future, slow.future], { timeout: 10 })[Symbol.iterator]();
    early.resolve('early');
    // Past the deadline: a 30 ms timer started after the 10 ms one fires after it.
    await sleep(30);
    expect(await iterator.next().value).toBe('early');
    expect(isTimeoutError(await errorOf(iterator.next().value!))).toBe(true);
    expect(iterator.next().done).toBe(true);
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
    const [a, b] = [pending<string>(), pending<string>()];
    const [first, second] = [...asCompleted([a.future, b.future])];
    first!.cancel();
    expect(first!.cancelled()).toBe(true);
    void inTurns(() => a.resolve('a'), () => b.resolve('b'));
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
