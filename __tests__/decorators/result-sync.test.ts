/**
 * `resultSync(future, ms)` and `unsync.sync(fn)`, and that a decorated function called
 * inside a worker runs inline there.
 */
import { isInvalidStateError, isLocateError, resultSync, shutdown, unsync, type Unfuture } from '../../src';
import { syncWaiters } from '../../src/core/hooks';
import * as F from '../fixtures/decorated-functions';

afterAll(() => shutdown());

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('resultSync', () => {
  it('returns the value of a done future, and throws its error', () => {
    expect(resultSync(F.addU(1, 1))).toBe(2);
    expect(() => resultSync(F.throwsRange(1))).toThrow(RangeError);
  });

  it('refuses to block on a pending event-loop future (it would deadlock)', async () => {
    const f = F.fetchLaterU(1);
    const error = thrown(() => resultSync(f));
    expect(isInvalidStateError(error)).toBe(true);
    expect((error as Error).message).toMatch(/runs on the event loop and is not done: blocking for it would deadlock/);
    expect(await f).toBe(2);
  });

  it('blocks for a pending thread call through the thread pool\'s synchronous reply channel', async () => {
    expect(syncWaiters.thread).toBeDefined(); // installed by src/executors/sync-wait.ts
    const f = F.onThread(3);
    expect(f.done()).toBe(false);
    expect(resultSync(f, 10_000)).toBe(9);
    expect(f.done()).toBe(true); // settled by the wait itself, so awaiting it still works
    expect(await f).toBe(9);
  });

  it('blocks for a pending process call through the process pool\'s sync answer files', async () => {
    const f = F.onProcess(4);
    expect(f.executor).toBe('process');
    expect(resultSync(f, 30_000)).toBe(16);
    expect(await f).toBe(16); // settled normally, still awaitable
  });

  it('refuses a pending chain on a pool call, saying it is a chain and what to do instead', async () => {
    for (const call of [F.onThread(5), F.onProcess(5)]) {
      const chain = call.then((x) => x + 1);
      const error = thrown(() => resultSync(chain, 10_000));
      expect(isInvalidStateError(error)).toBe(true);
      expect((error as Error).message).toMatch(
        new RegExp(`is a chain \\(made with then\\(\\)\\) on a ${call.executor} call, not the call itself: .*block on the call itself \\(resultSync\\(call\\)\\) and continue from its value, or await the chain$`),
      );
      // The call itself can be blocked on, and the chain still settles when awaited.
      expect(resultSync(call, 30_000)).toBe(25);
      expect(await chain).toBe(26);
    }
  });

  it('checks its arguments', () => {
    expect(() => resultSync(42 as never)).toThrow(new TypeError('Expected `future` to be an Unfuture, got 42 (number)'));
    expect(() => resultSync(F.addU(1, 1), 'x' as never)).toThrow(TypeError);
  });
});

describe('unsync.sync', () => {
  it('keeps name and length and checks its argument', () => {
    expect(F.readLaterSync.name).toBe('readLater');
    expect(F.readLaterSync.length).toBe(1);
    expect(() => unsync.sync(3 as never)).toThrow(TypeError);
  });

  it('refuses at once a function a worker cannot find', () => {
    const error = thrown(() => unsync.sync(async function local() {}));
    expect(isLocateError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^unsync\.sync\(local\) runs its function on the thread pool, but `local` cannot be located in a worker/);
  });

  it('sends the call to the thread pool and blocks through its synchronous reply channel', async () => {
    // A stand-in channel that records what it was asked to wait for, then lets go.
    const previous = syncWaiters.thread;
    const waitedFor: Array<Unfuture<unknown>> = [];
    syncWaiters.thread = (future) => {
      waitedFor.push(future);
      throw new RangeError('stand-in channel');
    };
    try {
      expect(() => F.readLaterSync(5)).toThrow('stand-in channel');
    } finally {
      syncWaiters.thread = previous;
    }
    expect(waitedFor.map((f) => [f.executor, f.getName()])).toEqual([['thread', 'readLater']]);
    expect(await waitedFor[0]).toBe('read after 5 ms'); // it ran on a worker thread
  });

  it('runs the function on a worker thread and blocks for its result', () => {
    expect(F.readLaterSync(5)).toBe('read after 5 ms');
  });

  it('throws what the function threw, with its class, synchronously', () => {
    const error = thrown(() => F.failLaterSync(5));
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('failed after 5 ms');
  });
});

describe('inside a worker', () => {
  it('runs a decorated function inline instead of dispatching it again', async () => {
    expect(await F.nested(4)).toBe('inline:5');
  });
});
