/**
 * `gather`: asyncio's `gather`, run awaitables concurrently and collect their results.
 */
import { CancelledError, isCancelledError } from '../core/errors';
import type { Unfuture } from '../core/future';
import { cancelFuture, onSettled, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { assertOptions, expected, isThenable } from '../core/validate';
import { type Awaitable, type AwaitedOf, outcomeOf, toFutures } from './awaitable';

/** Options for the list form of {@link gather}. */
export interface GatherOptions {
  /** Put errors (and `CancelledError`s) in the result list instead of throwing (default false). */
  returnExceptions?: boolean;
}

/**
 * Run awaitables concurrently; resolve with their results in argument order.
 *
 * - The first error (or a child's cancellation, as `CancelledError`) is thrown at once;
 *   the other children keep running. With `returnExceptions: true` errors are results.
 * - Cancelling the gather cancels every child still running; the gather then ends
 *   cancelled once they have all finished.
 * - Functions are started as tasks; an empty input resolves with `[]`.
 *
 * @example
 * const [a, b] = await gather(sleep(20, 'a'), sleep(10, 'b')); // ['a', 'b']
 * const mixed = await gather([ok(), fails()], { returnExceptions: true }); // ['ok', Error]
 */
export function gather<A extends readonly Awaitable<unknown>[]>(...aws: A): Unfuture<{ -readonly [K in keyof A]: AwaitedOf<A[K]> }>;
export function gather<A extends Awaitable<unknown>>(
  aws: Iterable<A>,
  options: GatherOptions & { returnExceptions: true },
): Unfuture<Array<AwaitedOf<A> | Error>>;
export function gather<A extends Awaitable<unknown>>(aws: Iterable<A>, options?: GatherOptions): Unfuture<Array<AwaitedOf<A>>>;
export function gather(...args: unknown[]): Unfuture<unknown[]> {
  const listForm = args.length >= 1 && args.length <= 2 && isIterableInput(args[0]) && (args.length === 1 || !isAwaitableInput(args[1]));
  let inputs: unknown;
  let returnExceptions = false;
  if (listForm) {
    inputs = args[0];
    const options = args[1] as GatherOptions | undefined;
    assertOptions('options', options, ['returnExceptions']);
    const flag = options?.returnExceptions;
    if (flag !== undefined && typeof flag !== 'boolean') {
      throw new TypeError(expected('options.returnExceptions', 'a boolean', flag));
    }
    returnExceptions = flag === true;
  } else {
    inputs = args;
  }
  const children = toFutures('aws', inputs as Iterable<Awaitable<unknown>>);
  return gatherFutures(children, returnExceptions);
}

function isIterableInput(value: unknown): boolean {
  return value != null && typeof value !== 'function' && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' && !isThenable(value);
}

function isAwaitableInput(value: unknown): boolean {
  return typeof value === 'function' || isThenable(value);
}

function gatherFutures(children: Unfuture<unknown>[], returnExceptions: boolean): Unfuture<unknown[]> {
  let cancelRequested = false;
  const outer = pendingFuture<unknown[]>({
    onCancel: (message) => {
      cancelRequested = true;
      let any = false;
      for (const child of children) if (child.cancel(message)) any = true;
      // Nothing left to cancel: every child already finished, so settle now.
      if (!any && remaining === 0) cancelFuture(outer, message);
      else cancelMessage = message;
    },
  });
  let cancelMessage: string | undefined;
  let remaining = children.length;
  if (remaining === 0) {
    resolveFuture(outer, []);
    return outer;
  }
  const onChildDone = (child: Unfuture<unknown>): void => {
    remaining--;
    if (!outer.done() && !returnExceptions && !cancelRequested) {
      if (child.cancelled()) {
        rejectFuture(outer, childCancelledError(child));
        return;
      }
      // Test the state, not `exception() !== null`: a child may be rejected with null.
      if (child.state === 'rejected') {
        rejectFuture(outer, child.exception());
        return;
      }
    }
    if (remaining > 0 || outer.done()) return;
    if (cancelRequested) {
      cancelFuture(outer, cancelMessage);
      return;
    }
    resolveFuture(
      outer,
      children.map((f) => {
        if (f.state === 'fulfilled') return f.result();
        if (f.cancelled()) return childCancelledError(f);
        const outcome = outcomeOf(f);
        return outcome.ok ? outcome.value : outcome.error;
      }),
    );
  };
  for (const child of children) onSettled(child, onChildDone);
  return outer;
}

function childCancelledError(child: Unfuture<unknown>): CancelledError {
  try {
    child.result();
  } catch (error) {
    if (isCancelledError(error)) return error;
  }
  return new CancelledError();
}
