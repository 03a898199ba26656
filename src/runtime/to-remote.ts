/**
 * `toRemote(fn, ...args)`: `toProcess`'s sibling, on a remote worker through BullMQ and
 * Redis (docs/remote.md).
 */
import type { Unfuture } from '../core/future';
import type { CallOptions } from './call-options';
import { poolCallFunction } from './to-thread';

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
 * `toRemote.with(options)(fn, ...args)` applies per-call options (a signal, a timeout, a
 * name). A generator function is refused (`TypeError`): a remote call returns one value.
 *
 * @example
 * configure({ remote: { connection: 'redis://127.0.0.1:6379' } });
 * const value = await toRemote(fib, 35);
 */
export const toRemote: RemoteCallFunction = poolCallFunction('remote') as unknown as RemoteCallFunction;

/** `toRemote`'s type: the call, and `.with(options)` (as `toThread.with`; no generator functions). */
export interface RemoteCallFunction {
  /** Run `fn(...args)` on a remote worker. */
  <A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Unfuture<Awaited<R>>;
  /**
   * The same call with `options` (`signal`, `timeout`, `name`) applied to each call made
   * through it, validated here (as `toThread.with`).
   *
   * @example
   * await toRemote.with({ timeout: 30_000 })(resize, image, 128);
   */
  with(options: CallOptions): RemoteCallFunction;
}
