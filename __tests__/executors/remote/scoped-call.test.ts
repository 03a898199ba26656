/**
 * A remote worker's call in a call scope instead of a task (src/executors/remote/scoped-call.ts):
 * it starts on a later microtask, its function sees its signal, checkpoint and progress
 * (handed to its starter) through the scope, a cancel before it starts means it never
 * runs, and a function that returns a promise after all is followed as a task follows a
 * foreign promise. No Redis: the remote worker's use of it is covered by
 * remote-executor.test.ts.
 */
import { CancelledError, checkpoint, createTask, currentSignal, currentTask, reportProgress } from '../../../src';
import { Unfuture } from '../../../src/core/future';
import { runScopedCallNow, startScopedCall } from '../../../src/executors/remote/scoped-call';
import { errorOf, flush } from '../../helpers/async';

const none = {};

describe('a scoped call', () => {
  it('runs its function on a later microtask, in its scope: a signal not aborted, a checkpoint that returns, no task', async () => {
    const steps: string[] = [];
    const future = startScopedCall(
      (a: number, b: number) => {
        steps.push('body');
        checkpoint();
        const signal = currentSignal();
        return { sum: a + b, signal: signal instanceof AbortSignal && !signal.aborted, task: currentTask() };
      },
      [1, 2],
      none,
    );
    steps.push('started');
    expect(future.executor).toBe('loop');
    expect(await future).toEqual({ sum: 3, signal: true, task: null });
    steps.push('settled');
    expect(steps).toEqual(['started', 'body', 'settled']);
    // The scope ends with the call.
    expect(currentSignal()).toBeUndefined();
  });

  it('hands the last value its function reported to onProgress, before its result', async () => {
    const seen: unknown[] = [];
    const future = startScopedCall(
      () => {
        reportProgress(1);
        reportProgress(2);
        seen.push('returns');
        return 'done';
      },
      [],
      { onProgress: (value) => seen.push(value) },
    );
    future.then(() => seen.push('result'));
    await future;
    await flush();
    expect(seen).toEqual(['returns', 2, 'result']);
  });

  it('hands what its function reported before throwing to onProgress too', async () => {
    const seen: unknown[] = [];
    const error = await errorOf(
      startScopedCall(
        () => {
          reportProgress('half');
          throw new RangeError('then failed');
        },
        [],
        { onProgress: (value) => seen.push(value) },
      ),
    );
    expect(error).toBeInstanceOf(RangeError);
    expect(seen).toEqual(['half']);
  });

  it('never runs its function when cancelled before it starts', async () => {
    const ran: string[] = [];
    const future = startScopedCall(() => ran.push('body'), [], none);
    expect(future.cancel('not wanted')).toBe(true);
    expect(future.cancelled()).toBe(true);
    await flush();
    expect(ran).toEqual([]);
    expect(future.cancel()).toBe(false);
  });

  it('fails with what its function threw; a thrown CancelledError ends it cancelled', async () => {
    const error = new RangeError('too far');
    expect(
      await errorOf(
        startScopedCall(
          () => {
            throw error;
          },
          [],
          none,
        ),
      ),
    ).toBe(error);
    const stopped = startScopedCall(
      () => {
        throw new CancelledError('stop here');
      },
      [],
      none,
    );
    expect(await errorOf(stopped)).toBeInstanceOf(CancelledError);
    expect(stopped.cancelled()).toBe(true);
  });

  it("answers currentSignal() with its own signal, not that of a task it was started from", async () => {
    const outcome = await createTask(async () => {
      const task = currentTask()!;
      const inner = (await startScopedCall(() => ({ signal: currentSignal(), task: currentTask() }), [], none)) as { signal: AbortSignal | undefined; task: unknown };
      return { sameSignal: inner.signal === task.signal, task: inner.task, outer: currentSignal() === task.signal };
    });
    expect(outcome).toEqual({ sameSignal: false, task: null, outer: true });
  });

  it('follows a promise its function returned after all: a cancel aborts the signal, and it ends cancelled once the promise settles', async () => {
    let resolve!: (value: string) => void;
    let signal: AbortSignal | undefined;
    const told: string[] = [];
    const future = startScopedCall(
      () => {
        signal = currentSignal();
        return new Promise<string>((r) => (resolve = r));
      },
      [],
      { onPromise: () => told.push('returned a promise') },
    );
    await flush();
    expect(told).toEqual(['returned a promise']);
    expect(future.cancel('stop')).toBe(true);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(CancelledError);
    // Still running until the promise settles: the foreign work cannot be stopped from here.
    expect(future.done()).toBe(false);
    resolve('finished anyway');
    expect(await errorOf(future)).toBeInstanceOf(CancelledError);
  });

  it('follows a promise to its value or error when nobody cancels', async () => {
    expect(await startScopedCall(() => Promise.resolve('later'), [], none)).toBe('later');
    const error = new TypeError('bad');
    expect(await errorOf(startScopedCall(() => Promise.reject(error), [], none))).toBe(error);
  });

  describe('run now by its starter (runScopedCallNow)', () => {
    it('runs its function at once, in its scope, and is settled on return; its microtask turn does not run it again', async () => {
      const steps: string[] = [];
      const future = startScopedCall(
        (a: number) => {
          steps.push('body');
          checkpoint();
          return { value: a * 2, signal: currentSignal() instanceof AbortSignal, task: currentTask() };
        },
        [21],
        none,
      );
      runScopedCallNow(future);
      steps.push('after runNow');
      expect(future.done()).toBe(true);
      expect(future.result()).toEqual({ value: 42, signal: true, task: null });
      expect(currentSignal()).toBeUndefined();
      await flush();
      runScopedCallNow(future);
      expect(steps).toEqual(['body', 'after runNow']);
    });

    it('settles at once with what its function threw, and hands its last report to onProgress first', () => {
      const seen: unknown[] = [];
      const error = new RangeError('no');
      const future = startScopedCall(
        () => {
          reportProgress('half');
          throw error;
        },
        [],
        { onProgress: (value) => seen.push(value) },
      );
      runScopedCallNow(future);
      expect(seen).toEqual(['half']);
      expect(future.done()).toBe(true);
      expect(future.exception()).toBe(error);
    });

    it('does not run a call cancelled before, and leaves other futures alone', async () => {
      const ran: string[] = [];
      const cancelled = startScopedCall(() => ran.push('body'), [], none);
      cancelled.cancel('asked to stop first');
      runScopedCallNow(cancelled);
      await flush();
      expect(ran).toEqual([]);
      expect(cancelled.cancelled()).toBe(true);
      const { future: other, resolve } = Unfuture.withResolvers<string>();
      runScopedCallNow(other);
      expect(other.done()).toBe(false);
      resolve('its own');
      expect(await other).toBe('its own');
    });

    it('leaves a function that returned a promise to follow it, as on its microtask', async () => {
      let resolve!: (value: string) => void;
      const future = startScopedCall(() => new Promise<string>((r) => (resolve = r)), [], none);
      runScopedCallNow(future);
      expect(future.done()).toBe(false);
      resolve('later');
      expect(await future).toBe('later');
    });
  });
});
