/**
 * Debug mode's slow-callback report. The timers read a virtual clock that only the test
 * moves: a callback "holds the loop" for exactly the milliseconds it advances the clock
 * (twice the threshold for a slow one), so a loaded machine, which stretches any callback
 * on the real clock, changes nothing. The real clock's use is checked end to end by the
 * debug-mode example's test.
 */
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { run } from '../../src/runtime/run';
import { debugRunning } from '../../src/runtime/debug-slow';
import { captureReports, nextTurn, virtualClock } from './debug-helpers';

const THRESHOLD = 100;
let capture: ReturnType<typeof captureReports>;
let clock: ReturnType<typeof virtualClock>;
/** A callback's synchronous work, taking `ms` on the virtual clock. */
const block = (ms: number): void => clock.advance(ms);
/** Time the thread waited for a core (preempted) within a callback: on the wall clock, not the callback's doing. */
const preempted = (ms: number): void => clock.preempt(ms);

beforeEach(() => {
  clock = virtualClock();
  capture = captureReports({ slowCallbackDuration: THRESHOLD });
});

afterEach(() => {
  capture.restore();
  clock.restore();
});

const slowReports = () => capture.messages().filter((m) => m.includes('the event loop was blocked'));

describe('slow callbacks', () => {
  it('names the task that blocked the loop after an await', async () => {
    await run(async () => {
      await createTask(
        async () => {
          await sleep(1);
          block(THRESHOLD * 2);
        },
        { name: 'resumed-blocker' },
      );
    });
    const found = slowReports().filter((m) => m.includes('resumed-blocker'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/blocked for \d+ ms by task "resumed-blocker" \(resuming after an await\)/);
    expect(found[0]).toContain(`slowCallbackDuration is ${THRESHOLD} ms`);
  });

  it('names the one task whose first step blocked, among tasks started together', async () => {
    await run(async () => {
      const quick = createTask(() => 1, { name: 'quick-a' });
      const slow = createTask(() => block(THRESHOLD * 2), { name: 'first-step-blocker' });
      const quick2 = createTask(() => 2, { name: 'quick-b' });
      await Promise.all([quick, slow, quick2]);
    });
    expect(slowReports().filter((m) => m.includes('task "first-step-blocker" (the start of its body, up to its first await)'))).toHaveLength(1);
    // Reported once, by the precise timer: not also as the microtask that started the tasks.
    expect(slowReports().filter((m) => m.includes('task "main"') || m.includes('quick-'))).toEqual([]);
  });

  it('reports a timer callback outside any task', async () => {
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        block(THRESHOLD * 2);
        resolve();
      }, 1),
    );
    await nextTurn();
    expect(slowReports().filter((m) => m.includes('by a Timeout callback outside any task'))).toHaveLength(1);
  });

  it('stays silent for callbacks under the threshold', async () => {
    await run(async () => {
      for (let i = 0; i < 3; i++) {
        await sleep(1);
        block(THRESHOLD / 10);
      }
    });
    expect(slowReports()).toEqual([]);
  });
});

describe('time the thread waited for a core', () => {
  it('is left out: a promise continuation preempted for most of its time is not reported', async () => {
    await Promise.resolve().then(() => {
      block(THRESHOLD / 5);
      preempted(THRESHOLD * 3); // a machine loaded past its cores: 320 ms on the wall clock
    });
    await nextTurn();
    expect(slowReports()).toEqual([]);
  });

  it('is left out of what a slow callback reports, and the report says how long it was', async () => {
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        block(THRESHOLD * 2);
        preempted(THRESHOLD * 4);
        resolve();
      }, 1),
    );
    await nextTurn();
    expect(slowReports()).toEqual([
      `unsync: the event loop was blocked for ${THRESHOLD * 2} ms by a Timeout callback outside any task (slowCallbackDuration is ${THRESHOLD} ms, not counting ${THRESHOLD * 4} ms its thread waited for a core); nothing else could run meanwhile.`,
    ]);
  });

  it('is left out by nested timers once: a preempted decorated call is reported alone, with its own time', async () => {
    await run(async () => {
      await sleep(1);
      debugRunning('Report.render', () => ({ executor: 'thread', reason: 'r' }), () => {
        block(THRESHOLD * 1.5);
        preempted(THRESHOLD * 5);
      });
      block(THRESHOLD / 2); // the rest of the task's step: under the threshold with the call left out
      preempted(THRESHOLD);
      debugRunning('Report.quick', undefined, () => {
        block(THRESHOLD / 2);
        preempted(THRESHOLD * 5); // 550 ms on the wall clock, 50 of its own: not reported
      });
    });
    const reports = slowReports();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatch(
      new RegExp(`^unsync: the event loop was blocked for ${THRESHOLD * 1.5} ms by decorated function "Report\\.render" \\(slowCallbackDuration is ${THRESHOLD} ms, not counting ${THRESHOLD * 5} ms its thread waited for a core\\)`),
    );
  });

  it('is not mentioned when the thread did not wait', async () => {
    debugRunning('plain', undefined, () => block(THRESHOLD * 2));
    expect(slowReports()).toEqual([
      `unsync: the event loop was blocked for ${THRESHOLD * 2} ms by decorated function "plain" (slowCallbackDuration is ${THRESHOLD} ms); nothing else could run meanwhile.`,
    ]);
  });
});

describe('debugRunning (for decorated functions run on the loop)', () => {
  it('reports a slow call by name with the executor inspect() would pick, once', async () => {
    await run(async () => {
      await sleep(1);
      const value = debugRunning('Files.parse', () => ({ executor: 'thread', reason: 'calls readFileSync, which blocks' }), () => {
        block(THRESHOLD * 2);
        return 'parsed';
      });
      expect(value).toBe('parsed');
    });
    const found = slowReports().filter((m) => m.includes('by decorated function "Files.parse"'));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('inspect() would run it on the thread executor: calls readFileSync, which blocks.');
    // Reported by the most precise timer only: not again as a slow callback of task "main".
    expect(slowReports().filter((m) => m.includes('task "main"'))).toEqual([]);
  });

  it('advises moving a function off the loop when inspect() keeps it there', () => {
    debugRunning('tiny', () => ({ executor: 'loop', reason: 'its calls are cheap' }), () => block(THRESHOLD * 2));
    const found = slowReports().filter((m) => m.includes('decorated function "tiny"'));
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("inspect() keeps it on the loop (its calls are cheap); give it `executor: 'thread'`");
  });

  it('passes results and errors through, and asks for a suggestion only when it reports', () => {
    const suggest = jest.fn(() => ({ executor: 'thread', reason: 'r' }));
    expect(debugRunning('fast', suggest, () => 7)).toBe(7);
    expect(() =>
      debugRunning('thrower', suggest, () => {
        throw new RangeError('boom');
      }),
    ).toThrow(RangeError);
    expect(suggest).not.toHaveBeenCalled();
    expect(slowReports().filter((m) => m.includes('decorated function'))).toEqual([]);
  });

  it('reports a slow call that throws, and survives a suggestion that throws', () => {
    expect(() =>
      debugRunning(
        'slow-thrower',
        () => {
          throw new Error('inspect failed');
        },
        () => {
          block(THRESHOLD * 2);
          throw new RangeError('boom');
        },
      ),
    ).toThrow(RangeError);
    expect(slowReports().filter((m) => m.includes('decorated function "slow-thrower"'))).toHaveLength(1);
  });

  it('with debug mode off, only calls the function', () => {
    capture.restore();
    const suggest = jest.fn(() => ({ executor: 'thread', reason: 'r' }));
    expect(debugRunning('off', suggest, () => (block(THRESHOLD * 2), 'v'))).toBe('v');
    expect(suggest).not.toHaveBeenCalled();
    expect(capture.reports).toEqual([]);
  });
});
