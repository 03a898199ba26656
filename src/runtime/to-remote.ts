/**
 * `toRemote(fn, ...args)`: `toProcess`'s sibling, on a remote worker through BullMQ and
 * Redis (docs/remote.md).
 */
import type { Unfuture } from '../core/future';
import { assertFunction } from '../core/validate';
import { locateFunction } from '../executors/registry';
import { getExecutor } from './pools';

/**
 * Run `fn(...args)` on a remote worker (`startWorker`, any machine that reaches the same
 * Redis queue) and return its Unfuture (`executor: 'remote'`).
 *
 * Needs `configure({ remote: { connection } })` first; without it this throws
 * `InvalidStateError` saying so. `fn` must be registered (`unsync(fn)`, `unsyncRegister`)
 * or exported, else `LocateError` at once; the job names it by its module (relative to
 * `remote.root`) and name, and the worker runs it only if loading its modules registered
 * it. Arguments and the result travel by the process pool's structured-clone rules (a
 * value that cannot is a `CloneError` naming the argument, before anything is sent). Errors
 * thrown by `fn` come back as the same class (docs/errors.md); a job the worker refuses (an
 * unregistered function, over `maxPayload`) is a `RemoteJobError`. A worker that dies
 * mid-call (SIGKILL, out of memory) has its job run again on another worker up to
 * `remote.attempts` times (default 1), then the Unfuture fails with `WorkerCrashedError`.
 *
 * Cancelling (or a per-call `timeout`, end to end) removes a job that is still waiting: it
 * never runs. A job a worker already took is asked to stop there (its `currentSignal()`
 * aborts, `checkpoint()` and library awaits throw); the Unfuture ends cancelled when it
 * stopped, or after `remote.cancelGrace` ms if it does not (docs/remote.md).
 *
 * @example
 * configure({ remote: { connection: 'redis://127.0.0.1:6379' } });
 * const value = await toRemote(fib, 35);
 */
export function toRemote<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>> {
  assertFunction('fn', fn);
  const executor = getExecutor('remote');
  const ref = locateFunction(fn);
  return executor.submit<Awaited<R>>({ file: ref.file, name: ref.name }, args);
}
