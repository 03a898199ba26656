/**
 * Debug mode's future reports: never-awaited futures and unretrieved errors.
 */
import { Unfuture } from '../../src/core/future';
import { cancelFuture, pendingFuture, rejectFuture } from '../../src/core/future-internal';
import { allTasks, createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { run } from '../../src/runtime/run';
import { expectAwaited, trackedUnretrieved } from '../../src/runtime/debug-futures';
import { captureReports, collectUntil, settleGarbage } from './debug-helpers';

let capture: ReturnType<typeof captureReports>;
// Futures held until the end of a test, so a report expected at run() return cannot be
// pre-empted by an early garbage collection.
let held: unknown[] = [];

beforeEach(async () => {
  await settleGarbage();
  // These tests force garbage collections, which on a loaded machine can block the loop past
  // the default 100 ms; slow-callback reports are not what this file checks (debug-slow's is).
  capture = captureReports({ slowCallbackDuration: 60_000 });
});

afterEach(async () => {
  held = [];
  await settleGarbage();
  capture.restore();
});

const withText = (text: string) => () => capture.messages().some((m) => m.includes(text));

// Each maker runs in its own frame and keeps nothing, so its futures become garbage.
function forgetFulfilled(): void {
  Unfuture.fromValue(42).setName('forgotten-value');
}
function forgetPending(): void {
  pendingFuture({ name: 'forgotten-pending' });
}
function forgetFailure(name: string): void {
  const c = Unfuture.withResolvers({ name });
  c.reject(new RangeError(`${name} failed`));
}

describe('never-awaited futures', () => {
  it('reports a fulfilled future collected without being awaited, with where it was created', async () => {
    forgetFulfilled();
    expect(await collectUntil(withText('"forgotten-value"'))).toBe(true);
    const message = capture.messages().find((m) => m.includes('"forgotten-value"'))!;
    expect(message).toContain('was never awaited');
    expect(message).toContain('after it fulfilled');
    // The first frame shown is this test file, not the library.
    expect(message.split('Created at:\n')[1]!.split('\n')[0]).toContain('debug-futures.test.ts');
    expect(message).toContain('forgetFulfilled');
  });

  it('reports a future collected while still pending', async () => {
    forgetPending();
    expect(await collectUntil(withText('"forgotten-pending"'))).toBe(true);
    expect(capture.messages().find((m) => m.includes('"forgotten-pending"'))).toContain('while still pending');
  });

  it('stays silent for futures that were awaited, inspected or given a done callback', async () => {
    await (async () => {
      await Unfuture.fromValue(1).then((v) => v);
      const a = Unfuture.fromValue(2);
      await a;
      Unfuture.fromValue(3).result();
      Unfuture.fromValue(4).exception();
      Unfuture.fromValue(5).addDoneCallback(() => undefined);
      await Promise.all([Unfuture.fromValue(6), sleep(1)]);
    })();
    forgetFulfilled(); // a marker: once it is reported, the others had their chance
    expect(await collectUntil(withText('"forgotten-value"'))).toBe(true);
    expect(capture.messages()).toHaveLength(1);
  });

  it('stays silent for a cancelled future (someone held it to cancel it)', async () => {
    (() => {
      const f = pendingFuture({ name: 'cancelled-one' });
      f.cancel();
    })();
    forgetFulfilled();
    expect(await collectUntil(withText('"forgotten-value"'))).toBe(true);
    expect(capture.messages().some((m) => m.includes('cancelled-one'))).toBe(false);
  });

  it('exempts plain tasks (fire and forget) but checks tasks marked with expectAwaited', async () => {
    (() => {
      createTask(() => 1, { name: 'fire-and-forget' });
      expectAwaited(createTask(() => 2, { name: 'result-expected' }));
    })();
    await sleep(1);
    expect(await collectUntil(withText('"result-expected"'))).toBe(true);
    expect(capture.messages().find((m) => m.includes('"result-expected"'))).toMatch(/^unsync: task "result-expected" \(loop\) was never awaited/);
    expect(capture.messages().some((m) => m.includes('fire-and-forget'))).toBe(false);
  });
});

describe('tasks that can never finish', () => {
  // A pending task is never collected: the core's pending list holds it (allTasks() sees it).
  // What can be collected is the promise its body is suspended on.
  function strandTask(name: string): void {
    createTask(
      async () => {
        await new Promise(() => undefined); // nobody keeps its resolve/reject
      },
      { name },
    );
  }
  // A stranded task stays pending for good; settle it from outside so later tests (and the
  // run() calls in them, which wait for every task) do not meet it.
  function releaseStranded(name: string): void {
    for (const t of allTasks()) if (t.getName() === name) cancelFuture(t);
  }

  it('reports a pending task whose body is suspended on a promise nobody can settle, with where it was created', async () => {
    strandTask('stranded');
    await sleep(1);
    try {
      expect(await collectUntil(withText('"stranded"'))).toBe(true);
      expect([...allTasks()].some((t) => t.getName() === 'stranded' && !t.done())).toBe(true);
    } finally {
      releaseStranded('stranded');
    }
    const message = capture.messages().find((m) => m.includes('"stranded"'))!;
    expect(message).toMatch(/^unsync: task "stranded" \(loop\) can never finish/);
    expect(message).toContain('Task was destroyed but it is pending!');
    expect(message.split('Created at:\n')[1]!.split('\n')[0]).toContain('debug-futures.test.ts');
    expect(message).toContain('strandTask');
  });

  it('stays silent for pending tasks that can still finish, and for fire-and-forget tasks that did', async () => {
    const steps: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    (() => {
      createTask(
        async () => {
          await gate; // native, but its resolve is held below
          steps.push('gated finished');
        },
        { name: 'gated' },
      );
      createTask(
        async () => {
          try {
            await pendingFuture({ name: 'inner' }); // only this task holds it, and can cancel it
          } catch {
            steps.push('waiting cancelled');
          }
        },
        { name: 'waiting-on-future' },
      );
      // Kept alive after it finished, so its body's promise is collected while it is done.
      held.push(createTask(async () => steps.push('quick finished'), { name: 'quick' }));
    })();
    await sleep(1);
    forgetFulfilled(); // the marker: once it is reported, the others had their chance
    expect(await collectUntil(withText('"forgotten-value"'))).toBe(true);
    release();
    for (const t of allTasks()) if (t.getName() === 'waiting-on-future') t.cancel();
    await sleep(1);
    expect(steps).toEqual(['quick finished', 'gated finished', 'waiting cancelled']);
    expect(capture.messages()).toHaveLength(1);
  });
});

describe('unretrieved errors', () => {
  it('reports a failed, unobserved future when run() returns, once, with its error', async () => {
    await run(async () => {
      const lost = Unfuture.withResolvers({ name: 'lost-in-run' });
      lost.reject(new RangeError('lost-in-run failed'));
      held.push(lost.future);
      await sleep(1);
    });
    held = [];
    const found = capture.reports.filter((r) => r.message.includes('"lost-in-run"'));
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain('was never retrieved (found when run() returned)');
    expect(found[0]!.details[0]).toBeInstanceOf(RangeError);
    // Garbage collection later does not report it a second time.
    forgetFulfilled();
    expect(await collectUntil(withText('"forgotten-value"'))).toBe(true);
    expect(capture.messages().filter((m) => m.includes('"lost-in-run"'))).toHaveLength(1);
  });

  it('reports a failed task nobody awaited when run() returns', async () => {
    await run(async () => {
      const background = createTask(
        async () => {
          throw new TypeError('background failure');
        },
        { name: 'background' },
      );
      held.push(background);
      await sleep(1);
    });
    const found = capture.reports.find((r) => r.message.includes('task "background"'));
    expect(found?.message).toContain('never retrieved');
    expect((found?.details[0] as Error).message).toBe('background failure');
  });

  it('reports a failed future when it is garbage-collected, outside run()', async () => {
    forgetFailure('lost-outside-run');
    expect(await collectUntil(withText('"lost-outside-run"'))).toBe(true);
    const message = capture.messages().find((m) => m.includes('"lost-outside-run"'))!;
    expect(message).toContain('was never retrieved (found when it was garbage-collected)');
    expect(message).toContain('forgetFailure');
  });

  it('reports a failed then() chain nobody handled (an unhandled rejection, without the crash)', async () => {
    (() => {
      Unfuture.fromValue(1).then(() => {
        throw new Error('continuation failed');
      });
    })();
    expect(await collectUntil(() => capture.reports.some((r) => (r.details[0] as Error | undefined)?.message === 'continuation failed'))).toBe(true);
  });

  it('stays silent when the error is handled, even after it failed', async () => {
    await run(async () => {
      const f = pendingFuture<number>({ name: 'handled-late' });
      rejectFuture(f, new Error('handled'));
      await sleep(1);
      expect(trackedUnretrieved()).toBeGreaterThan(0);
      await f.catch(() => undefined);
    });
    (() => {
      const g = Unfuture.withResolvers<number>({ name: 'handled-by-exception' });
      g.reject(new Error('x'));
      g.future.exception();
    })();
    forgetFulfilled();
    expect(await collectUntil(withText('"forgotten-value"'))).toBe(true);
    expect(capture.messages().filter((m) => m.includes('handled'))).toEqual([]);
  });

  it('does not report cancellation as an error', async () => {
    await run(async () => {
      const t = createTask(() => sleep(1000), { name: 'cancelled-task' });
      await sleep(1);
      t.cancel();
      await sleep(1);
    });
    expect(capture.messages()).toEqual([]);
  });
});
