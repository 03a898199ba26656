import { CancelledError, InvalidStateError, TaskGroupError, isCancelledError, isInvalidStateError, isTaskGroupError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { type Task, createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { TaskGroup, openNursery, type Nursery } from '../../src/combinators/task-group';
import { errorOf, flush, inTurns } from './helpers';

class Boom extends Error {}

/** A child that sleeps `ms`, recording how it ended. */
const sleeper = (steps: string[], name: string, ms: number) => async () => {
  try {
    await sleep(ms);
    steps.push(`${name} finished`);
    return name;
  } catch (error) {
    steps.push(isCancelledError(error) ? `${name} cancelled` : `${name} failed`);
    throw error;
  }
};

/** A child that fails after `ms`. */
const failer = (steps: string[], name: string, ms: number) => async () => {
  await sleep(ms);
  steps.push(`${name} fails`);
  throw new Boom(name);
};

describe('TaskGroup', () => {
  it('waits for every child, then resolves with the body return value', async () => {
    const steps: string[] = [];
    let t1: Unfuture<string> | undefined;
    let t2: Unfuture<string> | undefined;
    // The children finish in the order two, one, each on a turn of its own (set by hand).
    const [one, two] = [Unfuture.withResolvers<void>(), Unfuture.withResolvers<void>()];
    const finisher = (name: string, opened: Unfuture<void>) => async () => {
      await opened;
      steps.push(`${name} finished`);
      return name;
    };
    const result = await new TaskGroup().run(async (tg) => {
      t1 = tg.createTask(finisher('one', one.future));
      t2 = tg.createTask(finisher('two', two.future));
      void inTurns(() => two.resolve(), () => one.resolve());
      steps.push('body returns');
      return 'body value';
    });
    steps.push('group done');
    expect(result).toBe('body value');
    expect(t1!.result()).toBe('one');
    expect(t2!.result()).toBe('two');
    expect(steps).toEqual(['body returns', 'two finished', 'one finished', 'group done']);
  });

  it('passes the name option on to the child task', async () => {
    let name = '';
    await new TaskGroup().run((tg) => {
      name = tg.createTask(() => 1, { name: 'worker' }).getName();
    });
    expect(name).toBe('worker');
  });

  it('resolves with a synchronous body value and no children', async () => {
    expect(await new TaskGroup().run(() => 42)).toBe(42);
  });

  it('lets children start more children while the group runs, and waits for them too', async () => {
    const steps: string[] = [];
    await new TaskGroup().run((tg) => {
      tg.createTask(async () => {
        await sleep(5);
        tg.createTask(sleeper(steps, 'grandchild', 10));
        steps.push('child done');
      });
    });
    steps.push('group done');
    expect(steps).toEqual(['child done', 'grandchild finished', 'group done']);
  });

  it('cancels the siblings and the body when a child fails, and throws a TaskGroupError after they finished', async () => {
    const steps: string[] = [];
    const group = new TaskGroup();
    const error = await errorOf(
      group.run(async (tg) => {
        tg.createTask(sleeper(steps, 'sibling', 1000));
        tg.createTask(failer(steps, 'bad', 5));
        try {
          await sleep(1000);
          steps.push('body finished');
        } catch (e) {
          steps.push(isCancelledError(e) ? 'body cancelled' : 'body failed');
          throw e;
        }
      }),
    );
    steps.push('caller got error');
    expect(error).toBeInstanceOf(TaskGroupError);
    expect(error).toBeInstanceOf(AggregateError);
    expect(isTaskGroupError(error)).toBe(true);
    const errors = (error as TaskGroupError).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(Boom);
    expect(errors.some(isCancelledError)).toBe(false);
    // The body and the sibling are both cancelled before the caller hears; their relative order is not a rule.
    expect(steps[0]).toBe('bad fails');
    expect([...steps.slice(1, 3)].sort()).toEqual(['body cancelled', 'sibling cancelled']);
    expect(steps[3]).toBe('caller got error');
  });

  it('waits for the cancelled siblings to clean up before throwing', async () => {
    const steps: string[] = [];
    const error = await errorOf(
      new TaskGroup().run((tg) => {
        tg.createTask(async () => {
          try {
            await sleep(1000);
          } finally {
            await sleep(10);
            steps.push('sibling cleanup done');
          }
        });
        tg.createTask(failer(steps, 'bad', 1));
      }),
    );
    steps.push('caller got error');
    expect(isTaskGroupError(error)).toBe(true);
    expect(steps).toEqual(['bad fails', 'sibling cleanup done', 'caller got error']);
  });

  it('collects every failure, including ones raised while handling the cancellation', async () => {
    const steps: string[] = [];
    const error = (await errorOf(
      new TaskGroup().run((tg) => {
        tg.createTask(failer(steps, 'first', 5));
        tg.createTask(async () => {
          try {
            await sleep(1000);
          } catch {
            steps.push('second fails while cancelled');
            throw new Boom('second');
          }
        });
        tg.createTask(sleeper(steps, 'third', 1000));
      }),
    )) as TaskGroupError;
    expect(isTaskGroupError(error)).toBe(true);
    expect(error.errors.map((e) => (e as Error).message)).toEqual(['first', 'second']);
    expect(steps).toEqual(['first fails', 'second fails while cancelled', 'third cancelled']);
  });

  it('counts a child rejected with null as a failure', async () => {
    const steps: string[] = [];
    const error = (await errorOf(
      new TaskGroup().run((tg) => {
        tg.createTask(sleeper(steps, 'sibling', 1000));
        tg.createTask(() => Promise.reject(null));
        return 'lost';
      }),
    )) as TaskGroupError;
    expect(isTaskGroupError(error)).toBe(true);
    expect(error.errors).toEqual([null]);
    expect(steps).toEqual(['sibling cancelled']);
  });

  it('puts a failing body\'s error in the TaskGroupError and cancels the children', async () => {
    const steps: string[] = [];
    const boom = new Boom('body');
    const error = (await errorOf(
      new TaskGroup().run(async (tg) => {
        tg.createTask(sleeper(steps, 'child', 1000));
        await sleep(5);
        throw boom;
      }),
    )) as TaskGroupError;
    expect(isTaskGroupError(error)).toBe(true);
    expect(error.errors).toEqual([boom]);
    expect(steps).toEqual(['child cancelled']);
  });

  it('throws a TaskGroupError when a child fails after the body already returned', async () => {
    const steps: string[] = [];
    const error = (await errorOf(
      new TaskGroup().run((tg) => {
        tg.createTask(sleeper(steps, 'slow', 1000));
        tg.createTask(failer(steps, 'late', 5));
        return 'lost';
      }),
    )) as TaskGroupError;
    expect(isTaskGroupError(error)).toBe(true);
    expect(error.errors).toHaveLength(1);
    expect(steps).toEqual(['late fails', 'slow cancelled']);
  });

  it('still throws the TaskGroupError when a cancelled sibling swallows the cancellation', async () => {
    const steps: string[] = [];
    const error = await errorOf(
      new TaskGroup().run((tg) => {
        tg.createTask(async () => {
          try {
            await sleep(1000);
          } catch {
            steps.push('swallowed');
          }
          return 'ignored';
        });
        tg.createTask(failer(steps, 'bad', 5));
      }),
    );
    expect(isTaskGroupError(error)).toBe(true);
    expect(steps).toEqual(['bad fails', 'swallowed']);
  });

  it('does not treat a child cancelled on its own as a failure', async () => {
    const steps: string[] = [];
    const result = await new TaskGroup().run(async (tg) => {
      const victim = tg.createTask(sleeper(steps, 'victim', 1000));
      tg.createTask(sleeper(steps, 'other', 10));
      await sleep(1);
      victim.cancel();
      return 'fine';
    });
    expect(result).toBe('fine');
    expect(steps).toEqual(['victim cancelled', 'other finished']);
  });

  it('leaves the awaiting task able to go on after the group failed', async () => {
    const steps: string[] = [];
    const task = createTask(async () => {
      try {
        await new TaskGroup().run((tg) => {
          tg.createTask(failer(steps, 'bad', 1));
        });
      } catch (e) {
        steps.push(isTaskGroupError(e) ? 'caught TaskGroupError' : 'other');
      }
      await sleep(5);
      steps.push('went on');
      return 'task value';
    });
    expect(await task).toBe('task value');
    expect((task as Task<string>).cancelling()).toBe(0);
    expect(steps).toEqual(['bad fails', 'caught TaskGroupError', 'went on']);
  });

  it('comes out as a plain CancelledError when cancelled from outside', async () => {
    const steps: string[] = [];
    const run = new TaskGroup().run(async (tg) => {
      tg.createTask(sleeper(steps, 'child', 1000));
      await sleeper(steps, 'body', 1000)();
    });
    await sleep(1);
    expect(run.cancel('outside')).toBe(true);
    const error = await errorOf(run);
    steps.push('caller got error');
    expect(isCancelledError(error)).toBe(true);
    expect(error).toBeInstanceOf(CancelledError);
    expect(isTaskGroupError(error)).toBe(false);
    expect(run.cancelled()).toBe(true);
    expect([...steps.slice(0, 2)].sort()).toEqual(['body cancelled', 'child cancelled']);
    expect(steps[2]).toBe('caller got error');
  });

  it('comes out as CancelledError in the task awaiting it when that task is cancelled', async () => {
    const steps: string[] = [];
    const task = createTask(async () => {
      try {
        await new TaskGroup().run((tg) => {
          tg.createTask(sleeper(steps, 'child', 1000));
        });
      } catch (e) {
        steps.push(isCancelledError(e) ? 'task saw CancelledError' : 'other');
        throw e;
      }
    });
    await sleep(1);
    task.cancel();
    await errorOf(task);
    expect(task.cancelled()).toBe(true);
    expect(steps).toEqual(['child cancelled', 'task saw CancelledError']);
  });

  it('prefers the children\'s failures over an outside cancellation', async () => {
    const run = new TaskGroup().run((tg) => {
      tg.createTask(async () => {
        try {
          await sleep(1000);
        } catch {
          throw new Boom('failed while cancelled');
        }
      });
    });
    await sleep(1);
    run.cancel();
    const error = (await errorOf(run)) as TaskGroupError;
    expect(isTaskGroupError(error)).toBe(true);
    expect((error.errors[0] as Error).message).toBe('failed while cancelled');
  });

  it('nests: an inner group failure reaches the outer group and cancels the outer siblings', async () => {
    const steps: string[] = [];
    const error = (await errorOf(
      new TaskGroup().run(async (outer) => {
        outer.createTask(sleeper(steps, 'outer sibling', 1000));
        await new TaskGroup().run((inner) => {
          inner.createTask(sleeper(steps, 'inner sibling', 1000));
          inner.createTask(failer(steps, 'inner bad', 5));
        });
        steps.push('after inner group');
      }),
    )) as TaskGroupError;
    expect(isTaskGroupError(error)).toBe(true);
    expect(error.errors).toHaveLength(1);
    const nested = error.errors[0] as TaskGroupError;
    expect(isTaskGroupError(nested)).toBe(true);
    expect(nested.errors.map((e) => (e as Error).message)).toEqual(['inner bad']);
    expect(steps).toEqual(['inner bad fails', 'inner sibling cancelled', 'outer sibling cancelled']);
  });

  it('nests: cancelling the outer group cancels the inner group\'s children', async () => {
    const steps: string[] = [];
    const run = new TaskGroup().run(async (outer) => {
      outer.createTask(async () => {
        await new TaskGroup().run((inner) => {
          inner.createTask(sleeper(steps, 'inner child', 1000));
        });
      });
    });
    await sleep(1);
    run.cancel();
    expect(isCancelledError(await errorOf(run))).toBe(true);
    expect(steps).toEqual(['inner child cancelled']);
  });

  it('ends normally with undefined when cancelled from inside with cancel()', async () => {
    const steps: string[] = [];
    const result = await new TaskGroup().run(async (tg) => {
      tg.createTask(sleeper(steps, 'child', 1000));
      await sleep(1);
      tg.cancel();
      await sleeper(steps, 'body', 1000)();
      return 'not reached';
    });
    expect(result).toBeUndefined();
    expect(steps).toEqual(['child cancelled', 'body cancelled']);
  });

  it('refuses createTask after the group finished', async () => {
    const group = new TaskGroup();
    await group.run(() => undefined);
    expect(() => group.createTask(() => 1)).toThrow(InvalidStateError);
    expect(() => group.createTask(() => 1)).toThrow('the TaskGroup is finished');
  });

  it('refuses createTask before run', () => {
    const group = new TaskGroup();
    let error: unknown;
    try {
      group.createTask(() => 1);
    } catch (e) {
      error = e;
    }
    expect(isInvalidStateError(error)).toBe(true);
  });

  it('refuses createTask while it is shutting down after a failure', async () => {
    const steps: string[] = [];
    const error = await errorOf(
      new TaskGroup().run(async (tg) => {
        tg.createTask(failer(steps, 'bad', 1));
        try {
          await sleep(1000);
        } catch {
          try {
            tg.createTask(() => steps.push('late child ran'));
          } catch (e) {
            steps.push(isInvalidStateError(e) ? 'InvalidStateError' : 'other');
          }
        }
      }),
    );
    expect(isTaskGroupError(error)).toBe(true);
    expect(steps).toEqual(['bad fails', 'InvalidStateError']);
  });

  it('runs only once', async () => {
    const group = new TaskGroup();
    const first = group.run(() => 1);
    expect(() => group.run(() => 2)).toThrow(InvalidStateError);
    expect(await first).toBe(1);
    expect(() => group.run(() => 3)).toThrow('a TaskGroup can run only once');
  });

  it('counts the children still running in size', async () => {
    const sizes: number[] = [];
    const [first, second] = [Unfuture.withResolvers<void>(), Unfuture.withResolvers<void>()];
    await new TaskGroup().run(async (tg) => {
      tg.createTask(() => first.future);
      tg.createTask(() => second.future);
      sizes.push(tg.size);
      first.resolve();
      await flush(); // the first child has finished, the second has not
      sizes.push(tg.size);
      second.resolve();
    });
    expect(sizes).toEqual([3, 2]); // the body counts while it runs
  });

  it('rejects a non-function body or child with a TypeError', async () => {
    expect(() => new TaskGroup().run('x' as never)).toThrow('Expected `body` to be a function, got "x" (string)');
    const error = await errorOf(
      new TaskGroup().run((tg) => {
        tg.createTask(42 as never);
      }),
    );
    expect(isTaskGroupError(error)).toBe(true);
    expect((error as TaskGroupError).errors[0]).toBeInstanceOf(TypeError);
  });

  it('rejects a cancel message that is not a string and keeps running', async () => {
    const steps: string[] = [];
    const result = await new TaskGroup().run(async (tg) => {
      try {
        tg.cancel(1 as never);
      } catch (error) {
        steps.push(`cancel threw ${(error as Error).name}`);
      }
      tg.createTask(async () => {
        await sleep(1);
        steps.push('child finished');
      });
      return 'body returned';
    });
    steps.push(result);
    expect(steps).toEqual(['cancel threw TypeError', 'child finished', 'body returned']);
  });
});

describe('openNursery', () => {
  it('starts children with their arguments and waits for them', async () => {
    const steps: string[] = [];
    const child = async (name: string, opened: Unfuture<void>): Promise<string> => {
      await opened;
      steps.push(`${name} done`);
      return name;
    };
    const [one, two] = [Unfuture.withResolvers<void>(), Unfuture.withResolvers<void>()];
    let started: Unfuture<string>[] = [];
    const result = await openNursery(async (nursery) => {
      started = [nursery.startSoon(child, 'one', one.future), nursery.startSoon(child, 'two', two.future)];
      void inTurns(() => two.resolve(), () => one.resolve());
      return 'block value';
    });
    steps.push('nursery closed');
    expect(result).toBe('block value');
    expect(started.map((t) => t.result())).toEqual(['one', 'two']);
    expect(steps).toEqual(['two done', 'one done', 'nursery closed']);
  });

  it('cancels the other children when one fails and throws a TaskGroupError', async () => {
    const steps: string[] = [];
    const error = (await errorOf(
      openNursery((nursery) => {
        nursery.startSoon(sleeper(steps, 'sibling', 1000));
        nursery.startSoon(async (message: string) => {
          await sleep(5);
          steps.push('child fails');
          throw new Boom(message);
        }, 'broken');
      }),
    )) as TaskGroupError;
    expect(isTaskGroupError(error)).toBe(true);
    expect(error.errors.map((e) => (e as Error).message)).toEqual(['broken']);
    expect(steps).toEqual(['child fails', 'sibling cancelled']);
  });

  it('cancels everything with nursery.cancel() and closes normally', async () => {
    const steps: string[] = [];
    const result = await openNursery(async (nursery: Nursery) => {
      nursery.startSoon(sleeper(steps, 'a', 1000));
      nursery.startSoon(sleeper(steps, 'b', 1000));
      await sleep(1);
      nursery.cancel('enough');
      steps.push('cancel requested');
    });
    expect(result).toBeUndefined();
    expect(steps).toEqual(['cancel requested', 'a cancelled', 'b cancelled']);
  });

  it('comes out as CancelledError when cancelled from outside', async () => {
    const steps: string[] = [];
    const block = openNursery((nursery) => {
      nursery.startSoon(sleeper(steps, 'child', 1000));
    });
    await sleep(1);
    block.cancel();
    expect(isCancelledError(await errorOf(block))).toBe(true);
    expect(steps).toEqual(['child cancelled']);
  });

  it('rejects a non-function block or child with a TypeError', async () => {
    expect(() => openNursery(null as never)).toThrow('Expected `body` to be a function, got null (null)');
    const steps: string[] = [];
    await openNursery((nursery) => {
      try {
        nursery.startSoon('nope' as never);
      } catch (e) {
        steps.push(e instanceof TypeError ? (e as Error).message : 'other');
      }
    });
    expect(steps).toEqual(['Expected `fn` to be a function, got "nope" (string)']);
  });
});
