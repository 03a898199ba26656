/**
 * `sleep(ms, value?)`: asyncio's `sleep`, in milliseconds.
 */
import { Unfuture } from '../core/future';
import { cancelFuture, pendingFuture, resolveFuture } from '../core/future-internal';
import { assertTimeout, timerDelay } from '../core/validate';

/*
 * Every sleep whose timer is still armed, in creation order. `run()` cancels the ones its
 * program started and left behind (a `sleep()` nobody awaited would otherwise keep the
 * process alive after `run()` returned, as asyncio.run never lets a stray sleep outlive it).
 */
const liveSleeps = new Set<Unfuture<unknown>>();

/**
 * Internal API for `run()`: the sleeps whose timers are armed now, oldest first (a
 * snapshot, safe to cancel while iterating).
 */
export function armedSleeps(): Unfuture<unknown>[] {
  return [...liveSleeps];
}

/**
 * An Unfuture that fulfils with `value` after `ms` milliseconds.
 *
 * `ms <= 0` yields to the event loop once (a `setImmediate` turn), as `asyncio.sleep(0)`
 * does. Cancelling it (directly or by cancelling the task awaiting it) clears the timer at
 * once, so a cancelled sleep never keeps the process alive.
 *
 * @example
 * const answer = await sleep(100, 42); // 42, 100 ms later
 */
export function sleep<T = void>(ms: number, value?: T): Unfuture<T> {
  assertTimeout('ms', ms, false);
  let timer: NodeJS.Timeout | NodeJS.Immediate;
  const future = pendingFuture<T>({
    onCancel: (message) => {
      if (ms > 0) clearTimeout(timer as NodeJS.Timeout);
      else clearImmediate(timer as NodeJS.Immediate);
      liveSleeps.delete(future);
      cancelFuture(future, message);
    },
  });
  const wake = (): void => {
    liveSleeps.delete(future);
    resolveFuture(future, value as T);
  };
  liveSleeps.add(future);
  timer = ms > 0 ? setTimeout(wake, timerDelay(ms)) : setImmediate(wake);
  return future;
}
