import { InvalidStateError, isCancelledError } from '../../src/core/errors';
import { isLocateError } from '../../src/core/executor-errors';
import { configure } from '../../src/runtime/configure';
import { debugState } from '../../src/runtime/debug';
import { executorStarted, getExecutor, liveExecutors } from '../../src/runtime/pools';
import { run } from '../../src/runtime/run';
import { shutdown } from '../../src/runtime/shutdown';
import { toThread } from '../../src/runtime/to-thread';
import * as fx from '../fixtures/pool-functions';
import { rejectionOf, release, shared } from './helpers';

afterAll(() => shutdown());

describe('run() and the runtime pools', () => {
  it('shuts down the real pool a program used, once main returns', async () => {
    const value = await run(async () => {
      const sum = await toThread(fx.add, 2, 3);
      return [sum, executorStarted('thread')];
    });
    expect(value).toEqual([5, true]);
    expect(executorStarted('thread')).toBe(false);
    expect(liveExecutors().size).toBe(0);
  });
});

describe('the runtime thread pool', () => {
  it('starts no pool until the first call', () => {
    expect(executorStarted('thread')).toBe(false);
    expect(liveExecutors().size).toBe(0);
  });

  it('validates configure() and rejects unknown keys', () => {
    expect(() => configure({ threads: {} } as never)).toThrow('Unknown option `threads` in `options`');
    expect(() => configure({ thread: { maxThreads: 2 } as never })).toThrow('Unknown option `maxThreads` in `thread`');
    expect(() => configure({ thread: { maxWorkers: 0 } })).toThrow(RangeError);
    expect(() => configure({ thread: { minWorkers: 3, maxWorkers: 2 } })).toThrow('Expected `thread.minWorkers` to be an integer <= maxWorkers (2), got 3 (number)');
    expect(() => configure({ process: { maxTasksPerWorker: 0 } })).toThrow(RangeError);
    expect(() => configure({ debug: 'yes' as never })).toThrow(TypeError);
    // Longer than a Node timer can wait (it would fire after 1 ms): refused, not misread.
    for (const idleTimeout of [Infinity, 2 ** 31, -1]) {
      expect(() => configure({ thread: { idleTimeout } })).toThrow(RangeError);
      expect(() => configure({ process: { idleTimeout } })).toThrow('(to keep workers forever, set minWorkers)');
    }
    expect(() => configure({ process: { idleTimeout: NaN } })).toThrow(TypeError);
  });

  it('applies configure() to the pool created on the first call, and forwards debug keys', async () => {
    const before = debugState.slowCallbackDuration;
    configure({ thread: { maxWorkers: 1, idleTimeout: 1000 }, slowCallbackDuration: 250 });
    expect(debugState.slowCallbackDuration).toBe(250);
    configure({ slowCallbackDuration: before });
    const f = toThread(fx.add, 1, 2);
    expect(f.executor).toBe('thread');
    expect(await f).toBe(3);
    expect(executorStarted('thread')).toBe(true);
    expect(() => configure({ thread: { maxWorkers: 2 } })).toThrow(InvalidStateError);
  });

  it('toThread throws LocateError at once for a function it cannot find', () => {
    function local(): number {
      return 1;
    }
    let error: unknown;
    try {
      toThread(local);
    } catch (e) {
      error = e;
    }
    expect(isLocateError(error)).toBe(true);
    expect(() => toThread(1 as never)).toThrow('Expected `fn` to be a function');
  });

  it('shutdown({ cancelPending }) cancels queued calls, lets running ones finish, and a later call starts a fresh pool', async () => {
    const steps: string[] = [];
    const flags = shared(1);
    const running = toThread(fx.blockUntil, flags, 0);
    const queued = toThread(fx.add, 1, 1);
    const first = getExecutor('thread');
    const done = shutdown({ cancelPending: true }).then(() => steps.push('shutdown done'));
    expect(executorStarted('thread')).toBe(false);
    await rejectionOf(queued).then((e) => steps.push(`queued: ${isCancelledError(e) ? 'cancelled' : e}`));
    release(flags, 0);
    steps.push(`running: ${await running}`);
    await done;
    expect(steps).toEqual(['queued: cancelled', 'running: released 0', 'shutdown done']);
    expect(first.statistics().state).toBe('closed');
    expect(await toThread(fx.add, 2, 2)).toBe(4);
    expect(getExecutor('thread')).not.toBe(first);
  });

  it('shutdown({ wait: false }) returns before running calls finish', async () => {
    const flags = shared(1);
    const running = toThread(fx.blockUntil, flags, 0);
    const steps: string[] = [];
    await shutdown({ wait: false });
    steps.push('shutdown returned');
    release(flags, 0);
    steps.push(await running);
    expect(steps).toEqual(['shutdown returned', 'released 0']);
    await expect(shutdown({ wait: 1 } as never)).rejects.toThrow(TypeError);
  });
});
