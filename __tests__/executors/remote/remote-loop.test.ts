/**
 * How a remote worker runs calls on its event loop (src/executors/remote/remote-loop.ts): as
 * tasks until a function has returned a value at once, then in a call scope (no task, so no
 * promise hook kept on for them on Node 20 and 22); back to tasks once it returns a promise.
 * No Redis: the worker's use of it is covered by remote-executor.test.ts.
 */
import { CancelledError, createTask, currentSignal, currentTask, reportProgress } from '../../../src';
import { RemoteLoop } from '../../../src/executors/remote/remote-loop';
import type { RegisteredRef } from '../../../src/executors/registry';
import { errorOf, flush } from '../../helpers/async';

const refOf = (fn: (...args: any[]) => unknown): RegisteredRef => ({ file: __filename, name: fn.name, fn });

describe('a remote worker loop', () => {
  it('runs a function that returns at once as a task the first time, then without one, with its signal and progress', async () => {
    const loop = new RemoteLoop();
    const inTask: boolean[] = [];
    const ref = refOf(function double(n: number): number {
      inTask.push(currentTask() !== null);
      reportProgress(`half of ${n * 2}`);
      if (!(currentSignal() instanceof AbortSignal)) throw new Error('no signal');
      return n * 2;
    });
    for (const n of [1, 2, 3]) {
      const progress: unknown[] = [];
      const future = loop.submit(ref, [n], (value) => progress.push(value));
      expect(await future).toBe(n * 2);
      await flush();
      expect(progress).toEqual([`half of ${n * 2}`]);
    }
    expect(inTask).toEqual([true, false, false]);
    expect(loop.statistics()).toMatchObject({ executor: 'loop', completed: 3, running: 0 });
  });

  it('always runs an async function as a task', async () => {
    const loop = new RemoteLoop();
    const inTask: boolean[] = [];
    const ref = refOf(async function wait(): Promise<void> {
      inTask.push(currentTask() !== null);
      await createTask(async () => undefined);
    });
    for (let i = 0; i < 3; i++) await loop.submit(ref, []);
    expect(inTask).toEqual([true, true, true]);
  });

  it('follows a promise from a function that returned at once before, and runs its later calls as tasks again', async () => {
    const loop = new RemoteLoop();
    const inTask: boolean[] = [];
    let later: ((value: string) => void) | undefined;
    const ref = refOf(function sometimes(wait: boolean): string | Promise<string> {
      inTask.push(currentTask() !== null);
      return wait ? new Promise<string>((resolve) => (later = resolve)) : 'now';
    });
    expect(await loop.submit(ref, [false])).toBe('now');
    const waiting = loop.submit(ref, [true]);
    await flush();
    expect(loop.statistics().running).toBe(1);
    later!('later');
    expect(await waiting).toBe('later');
    expect(await loop.submit(ref, [false])).toBe('now');
    expect(inTask).toEqual([true, false, true]);
  });

  it('never runs a call cancelled before it starts, task or not, and counts it cancelled and stopped cooperatively', async () => {
    const loop = new RemoteLoop();
    const ran: number[] = [];
    const ref = refOf(function note(n: number): number {
      ran.push(n);
      return n;
    });
    await loop.submit(ref, [1]); // a task; the next calls are not
    const first = loop.submit(ref, [2]);
    first.cancel();
    expect(await errorOf(first)).toBeInstanceOf(CancelledError);
    expect(ran).toEqual([1]);
    const fresh = new RemoteLoop();
    const task = fresh.submit(refOf(() => ran.push(3)), []);
    task.cancel();
    expect(await errorOf(task)).toBeInstanceOf(CancelledError);
    expect(ran).toEqual([1]);
    expect(loop.statistics()).toMatchObject({ completed: 1, cancelled: 1, stoppedCooperatively: 1 });
    expect(fresh.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 1 });
  });

  it('counts a failed call of either kind as failed, and waits for running calls when closed', async () => {
    const loop = new RemoteLoop();
    const ref = refOf(function check(ok: boolean): string | Promise<string> {
      if (!ok) throw new RangeError('not ok');
      return 'ok';
    });
    expect(await errorOf(loop.submit(ref, [false]))).toBeInstanceOf(RangeError); // a task
    expect(await loop.submit(ref, [true])).toBe('ok'); // a task: returned at once
    expect(await errorOf(loop.submit(ref, [false]))).toBeInstanceOf(RangeError); // scoped
    let release!: () => void;
    const slow = loop.submit(refOf(() => new Promise<void>((resolve) => (release = resolve))), []);
    const steps: string[] = [];
    const closed = loop.close().then(() => steps.push('closed'));
    await flush();
    steps.push('released');
    release();
    await Promise.all([slow, closed]);
    expect(steps).toEqual(['released', 'closed']);
    expect(loop.statistics()).toMatchObject({ state: 'closed', completed: 2, failed: 2 });
  });
});
