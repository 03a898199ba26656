import { isCancelledError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, wait } from '../../src/combinators/wait';
import { errorOf, inTurns } from './helpers';

class Boom extends Error {}

const failAfter = (ms: number, message: string) =>
  createTask(async () => {
    await sleep(ms);
    throw new Boom(message);
  });

describe('wait', () => {
  it('waits for every awaitable by default (ALL_COMPLETED)', async () => {
    const steps: string[] = [];
    const [ra, rb] = [Unfuture.withResolvers<string>(), Unfuture.withResolvers<string>()];
    const a = ra.future.then((v) => (steps.push(v), v));
    const b = rb.future.then((v) => (steps.push(v), v));
    void inTurns(() => rb.resolve('b'), () => ra.resolve('a'));
    const { done, pending } = await wait([a, b]);
    steps.push('wait returned');
    expect(done).toEqual(new Set([a, b]));
    expect(pending.size).toBe(0);
    expect(steps).toEqual(['b', 'a', 'wait returned']);
    const explicit = await wait([sleep(1)], { returnWhen: ALL_COMPLETED });
    expect(explicit.done.size).toBe(1);
  });

  it('returns as soon as one awaitable finishes with FIRST_COMPLETED', async () => {
    const fast = sleep(5, 'fast');
    const slow = sleep(1000, 'slow');
    const { done, pending } = await wait([slow, fast], { returnWhen: FIRST_COMPLETED });
    expect([...done]).toEqual([fast]);
    expect([...pending]).toEqual([slow]);
    expect(slow.done()).toBe(false);
    slow.cancel();
  });

  it('counts a cancellation as a completion with FIRST_COMPLETED', async () => {
    const a = sleep(1000);
    const b = sleep(1000);
    const w = wait([a, b], { returnWhen: FIRST_COMPLETED });
    await sleep(1);
    a.cancel();
    const { done, pending } = await w;
    expect([...done]).toEqual([a]);
    expect([...pending]).toEqual([b]);
    b.cancel();
  });

  it('returns at the first error with FIRST_EXCEPTION and leaves the rest running', async () => {
    const okControl = Unfuture.withResolvers<string>();
    const badGate = Unfuture.withResolvers<void>();
    const ok = okControl.future;
    const bad = createTask(async () => {
      await badGate.future;
      throw new Boom('bad');
    });
    const slow = sleep(1000, 'slow');
    void inTurns(() => okControl.resolve('ok'), () => badGate.resolve());
    const { done, pending } = await wait([ok, bad, slow], { returnWhen: FIRST_EXCEPTION });
    expect(done).toEqual(new Set([ok, bad]));
    expect(pending).toEqual(new Set([slow]));
    expect(bad.exception()).toBeInstanceOf(Boom);
    expect(slow.cancelled()).toBe(false);
    slow.cancel();
  });

  it('does not treat a cancellation as an exception with FIRST_EXCEPTION', async () => {
    const victim = sleep(1000, 'never');
    const later = Unfuture.withResolvers<string>();
    const w = wait([victim, later.future], { returnWhen: FIRST_EXCEPTION });
    await sleep(1);
    victim.cancel();
    await sleep(1);
    expect(w.done()).toBe(false);
    later.resolve('later');
    const { done, pending } = await w;
    expect(done).toEqual(new Set([victim, later.future]));
    expect(pending.size).toBe(0);
  });

  it('behaves like ALL_COMPLETED with FIRST_EXCEPTION when nothing fails', async () => {
    const a = sleep(5, 'a');
    const b = sleep(15, 'b');
    const { done, pending } = await wait([a, b], { returnWhen: FIRST_EXCEPTION });
    expect(done).toEqual(new Set([a, b]));
    expect(pending.size).toBe(0);
  });

  it('returns at once when an input already failed, with FIRST_EXCEPTION', async () => {
    const failed = failAfter(0, 'early');
    await errorOf(failed);
    const slow = sleep(1000);
    const { done, pending } = await wait([slow, failed], { returnWhen: FIRST_EXCEPTION });
    expect([...done]).toEqual([failed]);
    expect([...pending]).toEqual([slow]);
    slow.cancel();
  });

  it('treats a rejection with null as an exception with FIRST_EXCEPTION', async () => {
    const slow = sleep(1000, 'slow');
    const rejected = Unfuture.fromPromise(Promise.reject(null));
    const { done, pending } = await wait([slow, rejected], { returnWhen: FIRST_EXCEPTION });
    expect([...done]).toEqual([rejected]);
    expect([...pending]).toEqual([slow]);
    slow.cancel();
  });

  it('returns at once with FIRST_COMPLETED when an input is already done', async () => {
    const ready = Unfuture.fromValue('ready');
    const slow = sleep(1000, 'slow');
    const { done, pending } = await wait([slow, ready], { returnWhen: FIRST_COMPLETED });
    expect([...done]).toEqual([ready]);
    expect([...pending]).toEqual([slow]);
    slow.cancel();
  });

  it('counts a duplicated awaitable once', async () => {
    const a = sleep(1, 'a');
    const { done, pending } = await wait([a, a]);
    expect([...done]).toEqual([a]);
    expect(pending.size).toBe(0);
  });

  it('never throws the children\'s errors', async () => {
    const bad = failAfter(1, 'x');
    const { done } = await wait([bad]);
    expect([...done]).toEqual([bad]);
    expect(bad.exception()).toBeInstanceOf(Boom);
  });

  it('returns the partition at the timeout without cancelling or throwing', async () => {
    const fast = sleep(5, 'fast');
    const slow = sleep(1000, 'slow');
    const { done, pending } = await wait([fast, slow], { timeout: 30 });
    expect([...done]).toEqual([fast]);
    expect([...pending]).toEqual([slow]);
    expect(slow.cancelled()).toBe(false);
    expect(slow.done()).toBe(false);
    slow.cancel();
  });

  it('expires at once for a zero or negative timeout, putting everything pending', async () => {
    const slow = sleep(1000);
    for (const timeout of [0, -5]) {
      const { done, pending } = await wait([slow], { timeout });
      expect(done.size).toBe(0);
      expect([...pending]).toEqual([slow]);
    }
    expect(slow.cancelled()).toBe(false);
    slow.cancel();
  });

  it('waits without limit for a null timeout', async () => {
    const a = sleep(10, 'a');
    const { done } = await wait([a], { timeout: null });
    expect([...done]).toEqual([a]);
  });

  it('keeps Unfuture identity in the sets and wraps promises and functions', async () => {
    const u = sleep(1, 'u');
    const { done } = await wait([u, Promise.resolve('p'), () => 'f']);
    expect(done.size).toBe(3);
    expect(done.has(u)).toBe(true);
    for (const f of done) expect(f).toBeInstanceOf(Unfuture);
    expect(new Set([...done].map((f) => f.result()))).toEqual(new Set(['u', 'p', 'f']));
  });

  it('stops waiting when cancelled and leaves the awaitables running', async () => {
    const child = sleep(20, 'child');
    const w = wait([child]);
    expect(w.cancel('stop')).toBe(true);
    expect(isCancelledError(await errorOf(w))).toBe(true);
    expect(child.cancelled()).toBe(false);
    expect(await child).toBe('child');
  });

  it('leaves the awaitables running when the task awaiting it is cancelled', async () => {
    // The child finishes only when the test says so, after the cancellation.
    const control = Unfuture.withResolvers<string>();
    const child = control.future;
    const task = createTask(() => wait([child]));
    await sleep(1);
    task.cancel();
    await errorOf(task);
    expect(task.cancelled()).toBe(true);
    expect(child.cancelled()).toBe(false);
    control.resolve('child');
    expect(await child).toBe('child');
  });

  it('rejects an empty input', () => {
    expect(() => wait([])).toThrow(TypeError);
    expect(() => wait([])).toThrow('Expected `aws` to be a non-empty iterable of awaitables');
  });

  it('rejects an unknown returnWhen with a message listing the valid ones', () => {
    expect(() => wait([sleep(1)], { returnWhen: 'FIRST' as never })).toThrow(TypeError);
    expect(() => wait([sleep(1)], { returnWhen: 'FIRST' as never })).toThrow(
      'Expected `options.returnWhen` to be one of FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED, got "FIRST" (string)',
    );
  });

  it('rejects an invalid timeout, input or option', () => {
    expect(() => wait([sleep(1)], { timeout: '5' as never })).toThrow('Expected `options.timeout` to be a number of milliseconds or null');
    expect(() => wait([sleep(1)], { timeout: Number.NaN })).toThrow(TypeError);
    expect(() => wait(sleep(1) as never)).toThrow('Expected `aws` to be an iterable of awaitables');
    expect(() => wait([1 as never])).toThrow('Expected `aws[0]` to be an awaitable');
    expect(() => wait([sleep(1)], { until: 1 } as never)).toThrow(/Unknown option `until`/);
  });
});
