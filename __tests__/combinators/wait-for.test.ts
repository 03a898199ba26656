import { Queue } from '../../src/primitives';
import { CancelledError, isCancelledError, isTimeoutError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { waitFor } from '../../src/combinators/wait-for';
import { activeTimers as activeTimeouts, errorOf, flush, timersSettleTo } from './helpers';

class Boom extends Error {}


describe('waitFor', () => {
  it('returns the value when the awaitable finishes in time', async () => {
    expect(await waitFor(sleep(5, 'v'), 1000)).toBe('v');
    expect(await waitFor(() => sleep(1, 'fn'), 1000)).toBe('fn');
    expect(await waitFor(Promise.resolve('p'), 1000)).toBe('p');
  });

  it('passes an error of the awaitable through unchanged', async () => {
    const boom = new Boom('x');
    const error = await errorOf(
      waitFor(async () => {
        await sleep(1);
        throw boom;
      }, 1000),
    );
    expect(error).toBe(boom);
  });

  it('clears its timer once the awaitable finished', async () => {
    const before = activeTimeouts();
    await waitFor(sleep(1, 'v'), 60_000);
    expect(await timersSettleTo(before)).toBeLessThanOrEqual(before);
  });

  it('cancels the inner task at the deadline and throws TimeoutError', async () => {
    const inner = createTask(() => sleep(1000, 'late'));
    const error = await errorOf(waitFor(inner, 10));
    expect(isTimeoutError(error)).toBe(true);
    expect(inner.cancelled()).toBe(true);
  });

  it('waits for the inner task to finish cancelling: its finally runs before the TimeoutError arrives', async () => {
    const steps: string[] = [];
    const inner = createTask(async () => {
      try {
        steps.push('inner started');
        await sleep(1000);
      } finally {
        steps.push('inner cleanup started');
        await sleep(20);
        steps.push('inner cleanup finished');
      }
    });
    const wf = waitFor(inner, 10);
    const error = await errorOf(wf);
    steps.push('caller got TimeoutError');
    expect(isTimeoutError(error)).toBe(true);
    expect(steps).toEqual(['inner started', 'inner cleanup started', 'inner cleanup finished', 'caller got TimeoutError']);
  });

  it('sets the TimeoutError cause to the CancelledError the inner task saw', async () => {
    let seen: unknown;
    const inner = createTask(async () => {
      try {
        await sleep(1000);
      } catch (error) {
        seen = error;
        throw error;
      }
    });
    const error = (await errorOf(waitFor(inner, 5))) as Error;
    expect(isTimeoutError(error)).toBe(true);
    expect(isCancelledError(error.cause)).toBe(true);
    expect(error.cause).toBe(seen);
    expect(error.cause).toBeInstanceOf(CancelledError);
  });

  it('returns the inner value when the inner task swallows the cancellation', async () => {
    const steps: string[] = [];
    const result = await waitFor(
      createTask(async () => {
        try {
          await sleep(1000);
          return 'finished';
        } catch (error) {
          steps.push(isCancelledError(error) ? 'swallowed CancelledError' : 'other');
          await sleep(5);
          return 'swallowed';
        }
      }),
      5,
    );
    expect(result).toBe('swallowed');
    expect(steps).toEqual(['swallowed CancelledError']);
  });

  it('throws the error the inner task raises while handling its cancellation', async () => {
    const boom = new Boom('cleanup failed');
    const inner = createTask(async () => {
      try {
        await sleep(1000);
      } catch {
        throw boom;
      }
    });
    expect(await errorOf(waitFor(inner, 5))).toBe(boom);
  });

  it('waits without a deadline for null', async () => {
    const before = activeTimeouts();
    const wf = waitFor(sleep(20, 'slow'), null);
    expect(activeTimeouts()).toBe(before + 1); // only the sleep's own timer
    expect(await wf).toBe('slow');
  });

  it('cancels a task that has not started yet for a zero timeout, so its body never runs', async () => {
    const steps: string[] = [];
    const inner = createTask(() => {
      steps.push('body ran');
      return 'x';
    });
    const error = await errorOf(waitFor(inner, 0));
    expect(isTimeoutError(error)).toBe(true);
    expect(inner.cancelled()).toBe(true);
    await sleep(1);
    expect(steps).toEqual([]);
  });

  it('never starts a function body for a negative timeout', async () => {
    const steps: string[] = [];
    const error = await errorOf(waitFor(() => steps.push('body ran'), -1));
    expect(isTimeoutError(error)).toBe(true);
    await sleep(1);
    expect(steps).toEqual([]);
  });

  it('waits for a started task to finish cancelling for a zero timeout too', async () => {
    const steps: string[] = [];
    const inner = createTask(async () => {
      try {
        steps.push('inner started');
        await sleep(1000);
      } finally {
        await sleep(5);
        steps.push('inner cleanup finished');
      }
    });
    await sleep(1);
    const error = await errorOf(waitFor(inner, 0));
    steps.push('caller got TimeoutError');
    expect(isTimeoutError(error)).toBe(true);
    expect(steps).toEqual(['inner started', 'inner cleanup finished', 'caller got TimeoutError']);
  });

  it('returns the result of an already finished awaitable for a zero timeout', async () => {
    expect(await waitFor(Unfuture.fromValue('ready'), 0)).toBe('ready');
    const done = sleep(1, 'slept');
    await done;
    expect(await waitFor(done, -5)).toBe('slept');
  });

  it('cancels the inner task when the wait itself is cancelled, and throws CancelledError', async () => {
    const steps: string[] = [];
    const inner = createTask(async () => {
      try {
        await sleep(1000);
      } finally {
        await sleep(5);
        steps.push('inner cleaned up');
      }
    });
    const wf = waitFor(inner, 1000);
    await sleep(1);
    expect(wf.cancel('outer stop')).toBe(true);
    const error = await errorOf(wf);
    steps.push('wait settled');
    expect(isCancelledError(error)).toBe(true);
    expect(isTimeoutError(error)).toBe(false);
    expect(wf.cancelled()).toBe(true);
    expect(inner.cancelled()).toBe(true);
    expect(steps).toEqual(['inner cleaned up', 'wait settled']);
  });

  it('cancels the inner task when the task awaiting waitFor is cancelled', async () => {
    const inner = createTask(() => sleep(1000));
    const outer = createTask(() => waitFor(inner, 1000));
    await sleep(1);
    outer.cancel();
    expect(isCancelledError(await errorOf(outer))).toBe(true);
    expect(outer.cancelled()).toBe(true);
    expect(inner.cancelled()).toBe(true);
  });

  it('keeps an outside cancellation that arrives while the inner task is still cancelling after the deadline', async () => {
    const steps: string[] = [];
    const inner = createTask(async () => {
      try {
        await sleep(1000);
      } finally {
        steps.push('cleanup');
        await sleep(1000); // cut short by the outside cancellation
      }
    });
    const wf = waitFor(inner, 5);
    while (steps.length === 0) await sleep(1);
    wf.cancel('outside');
    const error = await errorOf(wf);
    expect(isTimeoutError(error)).toBe(false);
    expect(isCancelledError(error)).toBe(true);
    expect(wf.cancelled()).toBe(true);
  });

  it('throws CancelledError, not TimeoutError, when someone else cancels the inner task', async () => {
    const inner = sleep(1000);
    const wf = waitFor(inner, 1000);
    inner.cancel('elsewhere');
    const error = await errorOf(wf);
    expect(isCancelledError(error)).toBe(true);
    expect((error as Error).message).toBe('elsewhere');
  });

  it('rejects at the deadline for a foreign promise it cannot cancel, which keeps running', async () => {
    const steps: string[] = [];
    // A native promise the test settles itself, only after the deadline passed.
    let finish!: (value: string) => void;
    const foreign = new Promise<string>((resolve) => (finish = resolve)).then((value) => {
      steps.push('foreign finished');
      return value;
    });
    const error = await errorOf(waitFor(foreign, 5));
    steps.push('caller got TimeoutError');
    expect(isTimeoutError(error)).toBe(true);
    finish('foreign');
    expect(await foreign).toBe('foreign');
    expect(steps).toEqual(['caller got TimeoutError', 'foreign finished']);
  });

  it('rejects invalid timeouts and awaitables with a TypeError', () => {
    expect(() => waitFor(sleep(1), '10' as never)).toThrow(TypeError);
    expect(() => waitFor(sleep(1), '10' as never)).toThrow('Expected `ms` to be a number of milliseconds or null, got "10" (string)');
    expect(() => waitFor(sleep(1), Number.NaN)).toThrow(TypeError);
    expect(() => waitFor(42 as never, 10)).toThrow('Expected `aw` to be an awaitable');
  });
});

describe('waitFor when cancelled after the inner work finished', () => {
  it('gives a queue item handed over just before the cancel back to the queue; the task sees the cancel at its await', async () => {
    const q = new Queue<number>();
    const steps: string[] = [];
    const t = createTask(async () => {
      try {
        const item = await waitFor(q.get(), 1000);
        steps.push(`got ${item}`);
      } catch (e) {
        steps.push(isCancelledError(e) ? 'cancelled at the await' : 'other error');
        throw e;
      }
    });
    await flush(); // t is parked on the getter
    q.putNowait(1); // hand-off: the getter is fulfilled with 1
    expect(t.cancel()).toBe(true); // before waitFor copied the result
    await t.then(undefined, () => undefined);
    expect(steps).toEqual(['cancelled at the await']);
    expect(t.cancelled()).toBe(true);
    expect(q.qsize()).toBe(1);
    expect(q.getNowait()).toBe(1);
  });

  it('declines a cancel of the waitFor future itself once the inner work is done', async () => {
    const inner = Unfuture.withResolvers<string>();
    const w = waitFor(inner.future, 1000);
    inner.resolve('v');
    expect(w.cancel()).toBe(false);
    expect(await w).toBe('v');
  });
});
