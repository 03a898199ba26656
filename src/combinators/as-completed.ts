/**
 * `asCompleted`: asyncio's `as_completed`, results in the order they finish.
 */
import { TimeoutError } from '../core/errors';
import { Unfuture } from '../core/future';
import { cancelFuture, onSettled, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { assertOptions, assertTimeout, timerDelay } from '../core/validate';
import { type Awaitable, type AwaitedOf, toFutures } from './awaitable';

/** Options for {@link asCompleted}. */
export interface AsCompletedOptions {
  /** Milliseconds after which every completion not yet delivered throws `TimeoutError`. */
  timeout?: number | null;
}

/**
 * Both ways to consume {@link asCompleted}: iterate synchronously to get one awaitable per
 * input (each resolves with the next completion), or `for await` to get the *results*.
 */
export interface AsCompleted<T> extends Iterable<Unfuture<T>>, AsyncIterable<T> {}

/**
 * Run the awaitables concurrently and deliver them in completion order.
 *
 * `for (const next of asCompleted(aws))` yields exactly one Unfuture per input; awaiting
 * the i-th one gives the result (or throws the error) of the i-th to finish. `for await
 * (const value of asCompleted(aws))` yields the values themselves (CPython 3.13's async form
 * yields the tasks; this one yields results) and throws the first error it meets.
 * After `timeout` ms every completion not yet delivered throws `TimeoutError`; nothing
 * is cancelled. Cancelling one of the yielded Unfutures gives its completion to the next.
 *
 * @example
 * for await (const value of asCompleted([slow(), fast()])) console.log(value); // fast first
 */
export function asCompleted<A extends Awaitable<unknown>>(aws: Iterable<A>, options?: AsCompletedOptions): AsCompleted<AwaitedOf<A>> {
  type T = AwaitedOf<A>;
  assertOptions('options', options, ['timeout']);
  const timeout = options?.timeout;
  assertTimeout('options.timeout', timeout);
  const futures = toFutures('aws', aws as Iterable<Awaitable<T>>);
  const finished: Unfuture<T>[] = []; // done, not yet handed to a waiter
  const waiters: Unfuture<T>[] = []; // handed out, waiting for a completion (FIFO)
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;

  const deliver = (): void => {
    while (finished.length > 0 && waiters.length > 0) resolveFuture(waiters.shift()!, finished.shift()!);
    if (timedOut) for (const w of waiters.splice(0)) rejectFuture(w, new TimeoutError(`asCompleted: timed out after ${timeout} ms`));
  };
  let remaining = futures.length;
  for (const f of futures) {
    onSettled(f, (done) => {
      remaining--;
      if (remaining === 0) clearTimeout(timer);
      finished.push(done);
      deliver();
    });
  }
  if (timeout != null && futures.length > 0) {
    timer = setTimeout(() => {
      timedOut = remaining > 0;
      deliver();
    }, timerDelay(timeout));
  }

  const next = (): Unfuture<T> => {
    const waiter: Unfuture<T> = pendingFuture<T>({
      onCancel: (message) => {
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        cancelFuture(waiter, message);
      },
    });
    waiters.push(waiter);
    deliver();
    return waiter;
  };

  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < futures.length; i++) yield next();
    },
    async *[Symbol.asyncIterator]() {
      try {
        for (let i = 0; i < futures.length; i++) yield await next();
      } finally {
        // The consumer left early (break, an error, its task cancelled): no completion will
        // be asked for any more, so the deadline must not keep the process alive. Waiters
        // handed out by the sync form still need it.
        if (waiters.length === 0) clearTimeout(timer);
      }
    },
  };
}
