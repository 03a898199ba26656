import { isCancelledError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { createTask } from '../../src/core/task';
import { gather } from '../../src/combinators/gather';
import { shield } from '../../src/combinators/shield';
import { sleep } from '../../src/combinators/sleep';
import { errorOf, flush } from './helpers';

class Boom extends Error {}

describe('shield', () => {
  it('resolves with the inner value', async () => {
    expect(await shield(sleep(5, 'inner'))).toBe('inner');
    expect(await shield(() => sleep(1, 'fn'))).toBe('fn');
    expect(await shield(Promise.resolve('p'))).toBe('p');
  });

  it('rejects with the inner error', async () => {
    const boom = new Boom('x');
    expect(
      await errorOf(
        shield(async () => {
          await sleep(1);
          throw boom;
        }),
      ),
    ).toBe(boom);
  });

  it('is cancelled at once while the inner work keeps running to completion', async () => {
    const steps: string[] = [];
    const inner = createTask(async () => {
      await sleep(20);
      steps.push('inner finished');
      return 'saved';
    });
    const outer = shield(inner);
    await sleep(1);
    expect(outer.cancel('stop')).toBe(true);
    expect(outer.cancelled()).toBe(true);
    const error = await errorOf(outer);
    steps.push('outer cancelled');
    expect((error as Error).message).toBe('stop');
    expect(inner.cancelled()).toBe(false);
    expect(await inner).toBe('saved');
    expect(steps).toEqual(['outer cancelled', 'inner finished']);
  });

  it('lets the awaiting task be cancelled without cancelling the shielded work', async () => {
    const steps: string[] = [];
    const inner = createTask(async () => {
      await sleep(20);
      steps.push('inner finished');
      return 'saved';
    });
    const task = createTask(async () => {
      try {
        await shield(inner);
      } catch (error) {
        steps.push(isCancelledError(error) ? 'task saw CancelledError' : 'other');
        throw error;
      }
    });
    await sleep(1);
    task.cancel();
    await errorOf(task);
    expect(task.cancelled()).toBe(true);
    expect(await inner).toBe('saved');
    expect(steps).toEqual(['task saw CancelledError', 'inner finished']);
  });

  it('is cancelled when the inner work is cancelled by someone else', async () => {
    const inner = sleep(1000);
    const outer = shield(inner);
    inner.cancel('elsewhere');
    const error = await errorOf(outer);
    expect(isCancelledError(error)).toBe(true);
    expect((error as Error).message).toBe('elsewhere');
    expect(outer.cancelled()).toBe(true);
  });

  it('returns an already finished Unfuture as is', () => {
    const done = Unfuture.fromValue(1);
    expect(shield(done)).toBe(done);
  });

  it('protects the children of a shielded gather', async () => {
    const a = sleep(10, 'a');
    const b = sleep(10, 'b');
    const outer = shield(gather(a, b));
    outer.cancel();
    expect(isCancelledError(await errorOf(outer))).toBe(true);
    expect(a.cancelled() || b.cancelled()).toBe(false);
    expect([await a, await b]).toEqual(['a', 'b']);
  });

  it('protects shielded children when a gather over them is cancelled', async () => {
    const a = sleep(10, 'a');
    const b = sleep(10, 'b');
    const g = gather(shield(a), shield(b));
    g.cancel();
    expect(isCancelledError(await errorOf(g))).toBe(true);
    expect([await a, await b]).toEqual(['a', 'b']);
  });

  it('does not turn an inner failure after the outer was cancelled into an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const inner = createTask(async () => {
        await sleep(5);
        throw new Boom('late failure');
      });
      shield(inner).cancel();
      await errorOf(inner);
      await flush();
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('rejects a non-awaitable with a TypeError', () => {
    expect(() => shield(42 as never)).toThrow(TypeError);
    expect(() => shield(42 as never)).toThrow('Expected `aw` to be an awaitable (Unfuture, promise) or a zero-argument function, got 42 (number)');
  });
});
