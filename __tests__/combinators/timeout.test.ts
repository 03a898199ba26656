import { isCancelledError, isTimeoutError } from '../../src/core/errors';
import { type Task, createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { TaskGroup } from '../../src/combinators/task-group';
import { timeout, type TimeoutScope } from '../../src/combinators/timeout';
import { errorOf } from './helpers';

class Boom extends Error {}

describe('timeout', () => {
  it('resolves with the body value when it finishes in time', async () => {
    let scope: TimeoutScope | undefined;
    const value = await timeout(1000, async (s) => {
      scope = s;
      await sleep(1);
      return 'in time';
    });
    expect(value).toBe('in time');
    expect(scope!.expired()).toBe(false);
    expect(typeof scope!.when()).toBe('number');
  });

  it('clears its timer once the body finished', async () => {
    // Watch this scope's own timer rather than counting the process's timers: other
    // tests' timers may end meanwhile and make a count match (or not) by accident.
    const set = jest.spyOn(global, 'setTimeout');
    const clear = jest.spyOn(global, 'clearTimeout');
    try {
      const scoped = timeout(60_000, () => sleep(1));
      const index = set.mock.calls.findIndex((call) => call[1] === 60_000);
      expect(index).toBeGreaterThanOrEqual(0);
      const handle = set.mock.results[index]!.value;
      expect(clear).not.toHaveBeenCalledWith(handle);
      await scoped;
      expect(clear).toHaveBeenCalledWith(handle);
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
  });

  it('passes a body error through unchanged', async () => {
    const boom = new Boom('x');
    expect(
      await errorOf(
        timeout(1000, async () => {
          await sleep(1);
          throw boom;
        }),
      ),
    ).toBe(boom);
  });

  it('throws CancelledError into the body and TimeoutError to the caller, after the body cleaned up', async () => {
    const steps: string[] = [];
    let seen: unknown;
    let scope: TimeoutScope | undefined;
    const error = (await errorOf(
      timeout(10, async (s) => {
        scope = s;
        try {
          await sleep(1000);
        } catch (e) {
          seen = e;
          steps.push(isCancelledError(e) ? 'body saw CancelledError' : 'body saw other');
          await sleep(5);
          steps.push('body cleaned up');
          throw e;
        }
      }),
    )) as Error;
    steps.push('caller got error');
    expect(isTimeoutError(error)).toBe(true);
    expect(error.cause).toBe(seen);
    expect(scope!.expired()).toBe(true);
    expect(steps).toEqual(['body saw CancelledError', 'body cleaned up', 'caller got error']);
  });

  it('leaves the awaiting task able to go on after a TimeoutError', async () => {
    const steps: string[] = [];
    const task = createTask(async () => {
      try {
        await timeout(5, () => sleep(1000));
      } catch (e) {
        steps.push(isTimeoutError(e) ? 'caught TimeoutError' : 'other');
      }
      await sleep(5);
      steps.push('went on');
      return 'task value';
    });
    expect(await task).toBe('task value');
    expect((task as Task<string>).cancelling()).toBe(0);
    expect(steps).toEqual(['caught TimeoutError', 'went on']);
  });

  it('returns the body value when the body swallows the cancellation', async () => {
    let scope: TimeoutScope | undefined;
    const value = await timeout(5, async (s) => {
      scope = s;
      try {
        await sleep(1000);
        return 'slept';
      } catch {
        return 'swallowed';
      }
    });
    expect(value).toBe('swallowed');
    expect(scope!.expired()).toBe(true);
  });

  it('keeps an outside cancellation as CancelledError', async () => {
    const steps: string[] = [];
    const t = timeout(1000, async () => {
      try {
        await sleep(1000);
      } catch (e) {
        steps.push(isCancelledError(e) ? 'body cancelled' : 'other');
        throw e;
      }
    });
    await sleep(1);
    expect(t.cancel('outside')).toBe(true);
    const error = await errorOf(t);
    expect(isCancelledError(error)).toBe(true);
    expect(isTimeoutError(error)).toBe(false);
    expect((error as Error).message).toBe('outside');
    expect(steps).toEqual(['body cancelled']);
  });

  it('keeps the cancellation of the awaiting task as CancelledError', async () => {
    const steps: string[] = [];
    const task = createTask(async () => {
      try {
        await timeout(1000, () => sleep(1000));
      } catch (e) {
        steps.push(isTimeoutError(e) ? 'TimeoutError' : isCancelledError(e) ? 'CancelledError' : 'other');
        throw e;
      }
    });
    await sleep(1);
    task.cancel();
    await errorOf(task);
    expect(task.cancelled()).toBe(true);
    expect(steps).toEqual(['CancelledError']);
  });

  it('keeps an outside cancellation that arrives after its own deadline fired as CancelledError', async () => {
    const steps: string[] = [];
    const t = timeout(5, async () => {
      try {
        await sleep(1000);
      } finally {
        steps.push('cleanup');
        await sleep(1000); // cut short by the outside cancellation
      }
    });
    while (steps.length === 0) await sleep(1);
    t.cancel('outside');
    const error = await errorOf(t);
    expect(isTimeoutError(error)).toBe(false);
    expect(isCancelledError(error)).toBe(true);
  });

  it('lets an inner scope\'s TimeoutError pass through an outer scope that did not expire', async () => {
    const steps: string[] = [];
    let outerScope: TimeoutScope | undefined;
    let innerScope: TimeoutScope | undefined;
    const error = await errorOf(
      timeout(1000, async (outer) => {
        outerScope = outer;
        try {
          await timeout(5, async (inner) => {
            innerScope = inner;
            await sleep(1000);
          });
        } catch (e) {
          steps.push(isTimeoutError(e) ? 'outer body saw TimeoutError' : 'other');
          throw e;
        }
      }),
    );
    expect(isTimeoutError(error)).toBe(true);
    expect(innerScope!.expired()).toBe(true);
    expect(outerScope!.expired()).toBe(false);
    expect(steps).toEqual(['outer body saw TimeoutError']);
  });

  it('gives the outer scope\'s TimeoutError when the outer deadline fires first; the inner scope sees a plain cancellation', async () => {
    const steps: string[] = [];
    let outerScope: TimeoutScope | undefined;
    let innerScope: TimeoutScope | undefined;
    const error = (await errorOf(
      timeout(5, async (outer) => {
        outerScope = outer;
        try {
          await timeout(1000, async (inner) => {
            innerScope = inner;
            try {
              await sleep(1000);
            } catch (e) {
              steps.push(isCancelledError(e) ? 'inner body saw CancelledError' : 'other');
              throw e;
            }
          });
        } catch (e) {
          steps.push(isCancelledError(e) ? 'outer body saw CancelledError' : isTimeoutError(e) ? 'outer body saw TimeoutError' : 'other');
          throw e;
        }
      }),
    )) as Error;
    expect(isTimeoutError(error)).toBe(true);
    expect(outerScope!.expired()).toBe(true);
    expect(innerScope!.expired()).toBe(false);
    expect(steps).toEqual(['inner body saw CancelledError', 'outer body saw CancelledError']);
  });

  it('lets the body catch an inner TimeoutError and go on inside the outer scope', async () => {
    const steps: string[] = [];
    const value = await timeout(1000, async () => {
      try {
        await timeout(5, () => sleep(1000));
      } catch (e) {
        if (!isTimeoutError(e)) throw e;
        steps.push('inner timed out');
      }
      await sleep(1);
      steps.push('outer body went on');
      return 'done';
    });
    expect(value).toBe('done');
    expect(steps).toEqual(['inner timed out', 'outer body went on']);
  });

  it('cancels a TaskGroup inside it at the deadline and still throws TimeoutError', async () => {
    const steps: string[] = [];
    const error = await errorOf(
      timeout(5, () =>
        new TaskGroup().run(async (tg) => {
          tg.createTask(async () => {
            try {
              await sleep(1000);
            } catch (e) {
              steps.push('child cancelled');
              throw e;
            }
          });
          await sleep(1000);
        }),
      ),
    );
    expect(isTimeoutError(error)).toBe(true);
    expect(isCancelledError((error as Error).cause)).toBe(true);
    expect(steps).toEqual(['child cancelled']);
  });

  it('has no deadline for null', async () => {
    let scope: TimeoutScope | undefined;
    const value = await timeout(null, async (s) => {
      scope = s;
      await sleep(10);
      return 'no deadline';
    });
    expect(value).toBe('no deadline');
    expect(scope!.when()).toBeNull();
  });

  it('expires on the next turn for zero, after the body ran up to its first await', async () => {
    const steps: string[] = [];
    const error = await errorOf(
      timeout(0, async () => {
        steps.push('body started');
        try {
          await sleep(1000);
        } catch (e) {
          steps.push('body cancelled');
          throw e;
        }
      }),
    );
    expect(isTimeoutError(error)).toBe(true);
    expect(steps).toEqual(['body started', 'body cancelled']);
  });

  it('extends the deadline with reschedule', async () => {
    const steps: string[] = [];
    const value = await timeout(10, async (scope) => {
      const before = scope.when()!;
      scope.reschedule(1000);
      expect(scope.when()!).toBeGreaterThan(before);
      await sleep(30);
      steps.push('survived past the first deadline');
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(steps).toEqual(['survived past the first deadline']);
  });

  it('shortens the deadline with reschedule', async () => {
    const steps: string[] = [];
    const error = await errorOf(
      timeout(1000, async (scope) => {
        scope.reschedule(5);
        try {
          await sleep(1000);
        } catch (e) {
          steps.push('cancelled early');
          throw e;
        }
      }),
    );
    expect(isTimeoutError(error)).toBe(true);
    expect(steps).toEqual(['cancelled early']);
  });

  it('removes the deadline with reschedule(null)', async () => {
    const value = await timeout(5, async (scope) => {
      scope.reschedule(null);
      expect(scope.when()).toBeNull();
      await sleep(20);
      return 'no longer limited';
    });
    expect(value).toBe('no longer limited');
  });

  it('rejects invalid arguments with a TypeError', async () => {
    expect(() => timeout('5' as never, () => 1)).toThrow('Expected `ms` to be a number of milliseconds or null, got "5" (string)');
    expect(() => timeout(Number.NaN, () => 1)).toThrow(TypeError);
    expect(() => timeout(5, 'body' as never)).toThrow('Expected `fn` to be a function, got "body" (string)');
    const error = await errorOf(
      timeout(1000, (scope) => {
        scope.reschedule('later' as never);
      }),
    );
    expect(error).toBeInstanceOf(TypeError);
  });
});
