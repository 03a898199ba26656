/**
 * The task context (src/core/current.ts): which task is running, and what it costs while
 * none is. Where AsyncLocalStorage is built on async_hooks (Node 20, 22) the storage is
 * disabled once no task is pending, and enabled again by the next task.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { isCancelledError } from '../../src/core/errors';
import { pendingFuture, resolveFuture } from '../../src/core/future-internal';
import { allTasks, createTask, currentTask } from '../../src/core/task';
import { IDLE_DISABLE_MS, taskStorage } from '../../src/core/current';
import { sleep } from '../../src/combinators/sleep';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

// The async_hooks implementation keeps an `enabled` flag on the instance; the
// AsyncContextFrame one (Node >= 24) has none and is never disabled.
const hooksBased = 'enabled' in new AsyncLocalStorage();
const enabled = (): boolean | undefined => (taskStorage as unknown as { enabled?: boolean }).enabled;

/*
 * Whether a promise hook runs for every promise (async_hooks storage on) shows in
 * executionAsyncId() inside a reaction: 0 without one. Checked in a fresh process, since
 * jest's own environment keeps one on.
 */
const HOOK_CHECK = `
const IDLE_DISABLE_MS = ${IDLE_DISABLE_MS};
const { executionAsyncId } = require('node:async_hooks');
const hookOn = () => Promise.resolve().then(() => executionAsyncId() !== 0);
(async () => {
  const before = await hookOn();
  const { createTask } = require('./src/core/task');
  const loaded = await hookOn();
  let during;
  await createTask(async () => { during = await hookOn(); });
  await new Promise((r) => setTimeout(r, IDLE_DISABLE_MS * 3));
  console.log(JSON.stringify({ before, loaded, during, after: await hookOn() }));
})();
`;

describe('task context', () => {
  it('costs unrelated promises nothing once loaded, before any task and after the last one', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', HOOK_CHECK], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: false, loaded: false, during: hooksBased, after: false });
  });

  it('is disabled once no task was pending for IDLE_DISABLE_MS (async_hooks storage), and tracks the next task again', async () => {
    await createTask(async () => {
      await sleep(1);
    });
    await turn();
    await turn();
    expect(allTasks().size).toBe(0);
    await new Promise((r) => setTimeout(r, IDLE_DISABLE_MS * 3));
    if (hooksBased) expect(enabled()).toBe(false);
    else expect(enabled()).toBeUndefined();

    const steps: string[] = [];
    const task = createTask(async () => {
      steps.push(currentTask() === task ? 'current' : 'not current');
      try {
        await sleep(60_000);
      } catch (error) {
        steps.push(isCancelledError(error) ? 'cancelled at the await' : 'other error');
        throw error;
      }
    });
    await sleep(1);
    if (hooksBased) expect(enabled()).toBe(true);
    task.cancel();
    await task.then(undefined, () => undefined);
    expect(steps).toEqual(['current', 'cancelled at the await']);
    expect(task.cancelled()).toBe(true);
  });

  it('stays enabled while any task is pending', async () => {
    const gate = pendingFuture<void>();
    const waiting = createTask(() => gate);
    await createTask(() => 1);
    await new Promise((r) => setTimeout(r, IDLE_DISABLE_MS * 3));
    if (hooksBased) expect(enabled()).toBe(true);
    resolveFuture(gate, undefined);
    await waiting;
  });

  it('starts every task of a batch as itself, in the context it was created in, before and after a native await', async () => {
    const request = new AsyncLocalStorage<string>();
    const seen: string[] = [];
    const body = (label: string) => async (): Promise<void> => {
      const self = currentTask();
      seen.push(`${label} starts as ${self?.getName()} in ${request.getStore()}`);
      await new Promise((r) => setImmediate(r));
      seen.push(`${label} resumes as ${currentTask() === self ? 'itself' : 'another'} in ${request.getStore()}`);
    };
    const tasks = request.run('request-1', () => [1, 2, 3].map((n) => createTask(body(`t${n}`), { name: `t${n}` })));
    expect(currentTask()).toBeNull();
    await Promise.all(tasks);
    expect(seen).toEqual([
      't1 starts as t1 in request-1',
      't2 starts as t2 in request-1',
      't3 starts as t3 in request-1',
      't1 resumes as itself in request-1',
      't2 resumes as itself in request-1',
      't3 resumes as itself in request-1',
    ]);
    expect(request.getStore()).toBeUndefined();
  });

  it('runs a continuation registered by a task that has since finished outside any task', async () => {
    const gate = pendingFuture<string>();
    const seen: Array<string | null> = [];
    await createTask(() => {
      gate.addDoneCallback(() => seen.push(currentTask()?.getName() ?? null));
      void gate.then(() => seen.push(currentTask()?.getName() ?? null));
    });
    await turn();
    await turn();
    // Settled from inside another task: the continuations still do not run in it.
    await createTask(
      () => {
        resolveFuture(gate, 'x');
        return sleep(1);
      },
      { name: 'settler' },
    );
    expect(seen).toEqual([null, null]);
  });
});
