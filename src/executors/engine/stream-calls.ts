/**
 * Stream calls over the pool engine: a generator function sent to a pool is one ordinary
 * call whose answer comes in pieces (docs/engine.md, "Streams from generator functions").
 * Here is what a stream call adds to the call's life: the {@link PoolStream} the consumer
 * reads (the call's sink), the values the worker sends (`items`), and the credit that lets
 * the worker send more as the consumer takes them. Queue, states, cancellation and crashes
 * are the engine's, as for any call.
 */
import type { ExecutorKind } from '../../core/future';
import type { StreamOptions, SubmitOptions } from '../executor';
import { PoolStream, resolveHighWaterMark, type UnsyncStream } from '../unsync-stream';
import type { Link, Slot } from './link';
import type { PoolCall } from './pool-call';

/**
 * Open a stream call: `submit` submits it as an ordinary call with the given options (the
 * stream's own, `highWaterMark`, taken out) and `prepare`, which makes the call a stream
 * before it can leave. The worker may send at most `highWaterMark` values ahead of the
 * consumer; each chunk the consumer takes is credited back through `link`.
 */
export function openStream<T, H>(
  kind: Exclude<ExecutorKind, 'loop'>,
  link: Pick<Link<H>, 'credit'>,
  options: StreamOptions | undefined,
  submit: (options: SubmitOptions, prepare: (call: PoolCall) => void) => void,
): UnsyncStream<T> {
  const { highWaterMark, ...rest } = options ?? {};
  const hwm = resolveHighWaterMark(highWaterMark);
  let stream: PoolStream<T> | undefined;
  submit(rest, (call) => {
    stream = new PoolStream<T>(call.future, kind, hwm, (n) => credit(link, call, n));
    call.sink = stream;
  });
  return stream!;
}

/** The worker of `slot` sent `values` the stream call `id` yielded (in order). */
export function deliverItems(slot: Slot<unknown>, id: number, values: readonly unknown[]): void {
  const call = slot.sent[slot.lineIndex(id)];
  if (call !== undefined && call.state !== 'done') call.sink?.push(values);
}

/** The consumer of stream call `call` took `n` values: its worker may send `n` more. */
function credit<H>(link: Pick<Link<H>, 'credit'>, call: PoolCall, n: number): void {
  if (call.state !== 'sent' && call.state !== 'running') return;
  link.credit(call.place as Slot<H>, call, n);
}
