/**
 * `resultSync(future, ms)` and `unsync.sync(fn)`, and that a decorated function called
 * inside a worker runs inline there.
 */
import { isInvalidStateError, resultSync, shutdown, sleep, unsync } from '../../src';
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

  it('says that blocking on a pending thread call needs the executors', async () => {
    const f = F.onThread(3);
    const error = thrown(() => resultSync(f, 1000));
    expect(isInvalidStateError(error)).toBe(true);
    expect((error as Error).message).toMatch(/runs on the thread executor/);
    expect(await f).toBe(9);
  });

  it('checks its arguments', () => {
    expect(() => resultSync(42 as never)).toThrow(new TypeError('Expected `future` to be an Unfuture, got 42 (number)'));
    expect(() => resultSync(F.addU(1, 1), 'x' as never)).toThrow(TypeError);
  });
});

describe('unsync.sync', () => {
  it('keeps name and length, checks its argument, and says what it needs', () => {
    const readLater = unsync.sync(async function readLater(ms: number) {
      await sleep(ms);
      return 'x';
    });
    expect(readLater.name).toBe('readLater');
    expect(readLater.length).toBe(1);
    expect(isInvalidStateError(thrown(() => readLater(1)))).toBe(true);
    expect(() => unsync.sync(3 as never)).toThrow(TypeError);
  });
});

describe('inside a worker', () => {
  it('runs a decorated function inline instead of dispatching it again', async () => {
    expect(await F.nested(4)).toBe('inline:5');
  });
});
