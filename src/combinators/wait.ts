/**
 * `wait`: asyncio's `wait`, block until some or all awaitables are done.
 */
import { Unfuture } from '../core/future';
import { cancelFuture, onSettled, pendingFuture, resolveFuture } from '../core/future-internal';
import { assertOptions, assertTimeout, expected, timerDelay } from '../core/validate';
import { type Awaitable, type AwaitedOf, toFutures } from './awaitable';

/** Return as soon as any awaitable finishes or is cancelled. */
export const FIRST_COMPLETED = 'FIRST_COMPLETED';
/** Return as soon as any awaitable fails (not cancellation); else when all are done. */
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
/** Return when every awaitable is done (the default). */
export const ALL_COMPLETED = 'ALL_COMPLETED';

/** When {@link wait} returns. */
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

/** Options for {@link wait}. */
export interface WaitOptions {
  /** Milliseconds before returning anyway (null/undefined: no limit). Never throws. */
  timeout?: number | null;
  /** `'FIRST_COMPLETED' | 'FIRST_EXCEPTION' | 'ALL_COMPLETED'` (default `ALL_COMPLETED`). */
  returnWhen?: ReturnWhen;
}

/** The two sets {@link wait} resolves with. */
export interface WaitResult<T> {
  /** The inputs (as Unfutures) that had settled when `wait` returned. */
  done: Set<Unfuture<T>>;
  /** The ones still running: `wait` does not cancel them. */
  pending: Set<Unfuture<T>>;
}

const RETURN_WHEN: readonly string[] = [FIRST_COMPLETED, FIRST_EXCEPTION, ALL_COMPLETED];

/**
 * Wait for the awaitables until the `returnWhen` condition holds or `timeout` ms pass,
 * then resolve with `{ done, pending }` sets. Never cancels the awaitables and never
 * throws their errors (read them from the futures in `done`). Unfutures keep their
 * identity in the sets; promises are wrapped, functions started as tasks.
 * Cancelling the wait stops waiting and leaves the awaitables running.
 * An empty input is a `TypeError`.
 *
 * @example
 * const { done, pending } = await wait([t1, t2], { returnWhen: FIRST_COMPLETED });
 */
export function wait<A extends Awaitable<unknown>>(aws: Iterable<A>, options?: WaitOptions): Unfuture<WaitResult<AwaitedOf<A>>> {
  type T = AwaitedOf<A>;
  assertOptions('options', options, ['timeout', 'returnWhen']);
  const timeout = options?.timeout;
  assertTimeout('options.timeout', timeout);
  const returnWhen = options?.returnWhen ?? ALL_COMPLETED;
  if (!RETURN_WHEN.includes(returnWhen)) {
    throw new TypeError(expected('options.returnWhen', `one of ${RETURN_WHEN.join(', ')}`, returnWhen));
  }
  const futures = new Set(toFutures('aws', aws as Iterable<Awaitable<T>>));
  if (futures.size === 0) throw new TypeError(expected('aws', 'a non-empty iterable of awaitables', []));

  let timer: NodeJS.Timeout | undefined;
  const outer = pendingFuture<WaitResult<T>>({
    onCancel: (message) => {
      clearTimeout(timer);
      cancelFuture(outer, message);
    },
  });
  const finish = (): void => {
    clearTimeout(timer);
    const done = new Set<Unfuture<T>>();
    const pending = new Set<Unfuture<T>>();
    for (const f of futures) (f.done() ? done : pending).add(f);
    resolveFuture(outer, { done, pending });
  };
  let remaining = futures.size;
  const onDone = (f: Unfuture<T>): void => {
    remaining--;
    if (outer.done()) return;
    if (
      remaining === 0 ||
      returnWhen === FIRST_COMPLETED ||
      (returnWhen === FIRST_EXCEPTION && f.state === 'rejected') // not exception(): it may be null
    ) {
      finish();
    }
  };
  for (const f of futures) onSettled(f, onDone);
  if (timeout != null && !outer.done()) timer = setTimeout(finish, timerDelay(timeout));
  return outer;
}
