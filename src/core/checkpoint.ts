/**
 * Cooperative cancellation points: `checkpoint()` and `currentSignal()`, for code run by
 * unsync anywhere — a loop task, a thread call, a process call (docs/engine.md, "Ask, then
 * force").
 *
 * In a worker, the worker core (src/executors/worker/) sets a *call scope* on `globalThis`
 * around each call (`CALL_SCOPE_KEY`, see ./keys.cjs); the parent's stop request reaches it
 * through memory the scope can read without the worker's event loop, so a synchronous loop
 * sees it. On the loop, the scope is the current task.
 */
import { CALL_SCOPE_KEY, TASK_RUNNER_KEY, WORKER_KEY, type CallScope, type TaskRunner } from './keys.cjs';
import { CancelledError } from './errors';
import { Task, createTask, currentTask, takeCancelRequest } from './task';

interface Slots {
  [CALL_SCOPE_KEY]?: CallScope;
  [TASK_RUNNER_KEY]?: TaskRunner;
  [WORKER_KEY]?: string;
}
const slots = globalThis as unknown as Slots;

/** The root task of each worker call run by this copy of the library (see installTaskRunner). */
const callTasks = new WeakSet<Task<unknown>>();

/**
 * Throw `CancelledError` if the call or task this code runs in has been asked to cancel;
 * otherwise return at once. Put it in long synchronous loops so that `cancel()` (or a
 * `timeout`) can stop them without killing the worker.
 *
 * - In a thread or process call: throws once the caller cancelled the call (and on every
 *   later checkpoint of that call). The request is visible without the worker's event loop,
 *   so a tight loop sees it within milliseconds. If the call ends within the pool's
 *   `cancelGrace`, the worker is kept; otherwise it is terminated.
 * - In a loop task: throws if the task has a cancel request that no `await` delivered yet
 *   (for example the task cancelled itself, or it was cancelled while it awaited a foreign
 *   promise); the request counts as delivered, as at an `await`.
 * - Anywhere else: returns.
 *
 * Costs well under a microsecond when there is nothing to do.
 *
 * @example
 * export function crunch(n: number): number {
 *   let acc = 0;
 *   for (let i = 0; i < n; i++) {
 *     if ((i & 0xffff) === 0) checkpoint();
 *     acc += Math.sqrt(i);
 *   }
 *   return acc;
 * }
 */
export function checkpoint(): void {
  const scope = slots[CALL_SCOPE_KEY];
  if (scope !== undefined && scope.stopRequested()) throw new CancelledError(scope.reason().message);
  const task = currentTask();
  if (task === null) return;
  const request = takeCancelRequest(task);
  if (request !== undefined) throw request;
}

/**
 * The AbortSignal of the call or task this code runs in, aborted (reason: a
 * `CancelledError`) when it is asked to cancel; `undefined` outside any call or task. Hand
 * it to `fetch`, `fs`, timers and child APIs so that they stop with the call.
 *
 * @example
 * export async function download(url: string): Promise<string> {
 *   const response = await fetch(url, { signal: currentSignal() });
 *   return response.text();
 * }
 */
export function currentSignal(): AbortSignal | undefined {
  const task = currentTask();
  const scope = slots[CALL_SCOPE_KEY];
  if (task !== null && (scope === undefined || !callTasks.has(task))) return task.signal;
  return scope?.signal;
}

/**
 * In a worker, let the worker core run `async` calls as tasks of this library, stopped by
 * their call scope: a stop request then cancels the library awaitable the call is suspended
 * on, as `cancel()` of a loop task does. The first copy of the library loaded in the worker
 * provides it.
 */
function installTaskRunner(): void {
  if (slots[WORKER_KEY] === undefined || slots[TASK_RUNNER_KEY] !== undefined) return;
  slots[TASK_RUNNER_KEY] = (body, scope) => {
    const task = createTask(body) as Task<unknown>;
    callTasks.add(task);
    const signal = scope.signal;
    const stop = (): void => {
      task.cancel(scope.reason().message);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    return task;
  };
}

installTaskRunner();
