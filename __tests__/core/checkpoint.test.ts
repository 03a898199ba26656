import { CALL_SCOPE_KEY, type CallScope } from '../../src/core/keys.cjs';
import { checkpoint, currentSignal } from '../../src/core/checkpoint';
import { isCancelledError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';

const slots = globalThis as { [CALL_SCOPE_KEY]?: CallScope };

describe('checkpoint', () => {
  it('returns outside any task or call', () => {
    expect(checkpoint()).toBeUndefined();
    expect(currentSignal()).toBeUndefined();
  });

  it('throws a cancel request that no await delivered, once (edge-triggered like an await)', async () => {
    const steps: string[] = [];
    const task = createTask(async () => {
      await new Promise<void>((r) => setImmediate(r)); // a foreign await: the request waits
      try {
        checkpoint();
        steps.push('not thrown');
      } catch (error) {
        steps.push(isCancelledError(error) ? `cancelled: ${(error as Error).message}` : 'other');
      }
      checkpoint(); // delivered already: returns
      steps.push('after');
      return 'caught';
    });
    await sleep(0);
    task.cancel('stop now');
    expect(await task).toBe('caught');
    expect(steps).toEqual(['cancelled: stop now', 'after']);
  });

  it('ends the task cancelled when the CancelledError escapes the body', async () => {
    const task = createTask(async () => {
      await new Promise<void>((r) => setImmediate(r));
      checkpoint();
      return 'unreachable';
    });
    await sleep(0);
    task.cancel();
    await expect(task).rejects.toThrow();
    expect(task.cancelled()).toBe(true);
  });

  it('does not throw for a request an await already delivered', async () => {
    const steps: string[] = [];
    const task = createTask(async () => {
      try {
        await sleep(10_000);
      } catch (error) {
        steps.push(isCancelledError(error) ? 'await threw' : 'other');
      }
      checkpoint();
      steps.push('checkpoint returned');
    });
    await sleep(0);
    task.cancel();
    await task;
    expect(steps).toEqual(['await threw', 'checkpoint returned']);
  });

  it('throws in a worker call scope whose stop was requested, on every checkpoint', () => {
    let stopped = false;
    const controller = new AbortController();
    slots[CALL_SCOPE_KEY] = {
      signal: controller.signal,
      stopRequested: () => stopped,
      reason: () => new Error('call 7 was asked to stop'),
    };
    try {
      expect(checkpoint()).toBeUndefined();
      stopped = true;
      for (let i = 0; i < 2; i++) {
        let caught: unknown;
        try {
          checkpoint();
        } catch (error) {
          caught = error;
        }
        expect(isCancelledError(caught)).toBe(true);
        expect((caught as Error).message).toBe('call 7 was asked to stop');
      }
    } finally {
      delete slots[CALL_SCOPE_KEY];
    }
  });
});

describe('currentSignal', () => {
  it("is the current task's signal, aborted with a CancelledError on cancel", async () => {
    let signal: AbortSignal | undefined;
    const task = createTask(async () => {
      signal = currentSignal();
      await sleep(10_000);
    });
    await sleep(0);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal!.aborted).toBe(false);
    task.cancel('bye');
    await expect(task).rejects.toThrow();
    expect(signal!.aborted).toBe(true);
    expect(isCancelledError(signal!.reason)).toBe(true);
  });

  it("is the worker call scope's signal outside tasks", () => {
    const controller = new AbortController();
    slots[CALL_SCOPE_KEY] = { signal: controller.signal, stopRequested: () => false, reason: () => new Error('x') };
    try {
      expect(currentSignal()).toBe(controller.signal);
    } finally {
      delete slots[CALL_SCOPE_KEY];
    }
  });
});
