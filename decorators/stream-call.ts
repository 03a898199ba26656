/**
 * What a call of a decorated generator function (`function*`, `async function*`) does: it
 * returns an `UnsyncStream` of what the generator yields, run where the function's routing
 * says (the same decision as any call: `inspect`, an explicit `executor`, `.with()`).
 *
 * - on the loop (and inline in a worker) the generator runs right here, as the consumer
 *   pulls (`LocalStream`); a `timeout` stops it and its `next()` throws `TimeoutError`;
 * - on a pool, the worker runs it and sends what it yields, at most `highWaterMark` ahead
 *   of the consumer (`PoolStream`, docs/engine.md "Streams from generator functions").
 *
 * No measured evidence is recorded for a generator: how long its stream lasts depends on
 * its consumer, not on the function, so `'auto'` routes it by the rules that need no
 * measurement (explicit options, hints, async, the source, the default).
 */
import { InvalidStateError, TimeoutError } from '../src/core/errors';
import { timerDelay } from '../src/core/validate';
import { LocalStream, type UnsyncStream } from '../src/executors/unsync-stream';
import { abortedStream, cancelStreamOnAbort, FailedStream } from '../src/runtime/call-options';
import { envelope, timeoutOf } from './call';
import { qualifiedName, type DecoratedInfo } from './decorated';
import { poolAvailable, runningInWorker, streamFromPool, type CallRef } from './dispatch';
import { locateDecorated } from './locate';
import { thisProblem } from './method-this';
import type { ResolvedCallOverrides } from './options';
import { forgetRoute, routeOf } from './route';
import { countCall } from './statistics';

/** One call of a decorated generator function; `call`: a `.with()`'s options. */
export function streamDecorated(info: DecoratedInfo, self: unknown, args: unknown[], call?: ResolvedCallOverrides): UnsyncStream<unknown> {
  const signal = call?.signal;
  if (runningInWorker()) return signal?.aborted === true ? abortedStream(signal, 'loop') : localStream(info, self, args, call);
  if (info.owner === undefined && !info.isStatic && info.system === 'tc39' && self != null) {
    info.owner = (self as { constructor?: Function }).constructor;
  }
  const decision = routeOf(info);
  const chosen = call?.executor ?? decision.executor;
  if (signal?.aborted === true) return abortedStream(signal, chosen);
  if (chosen === 'loop') {
    countCall(info, 'loop');
    return localStream(info, self, args, call);
  }
  if (chosen === 'remote') {
    // Refused at decoration and at .with() time; kept for a call that got here anyway.
    return new FailedStream(new TypeError(`${qualifiedName(info)} is a generator function: a remote call returns one value, not a stream`), 'remote');
  }
  const pinned = info.options.explicit || decision.rule === 'hint' || call?.executor !== undefined;
  if (!poolAvailable(chosen)) {
    if (pinned) {
      return new FailedStream(new InvalidStateError(`${qualifiedName(info)} must run on the ${chosen} executor, which is not available in this build of unsync yet`), chosen);
    }
    countCall(info, 'loop');
    return localStream(info, self, args, call);
  }
  let ref: CallRef;
  try {
    ref = locateDecorated(info);
  } catch (error) {
    return new FailedStream(error, chosen);
  }
  const instanceMethod = info.system !== 'function' && !info.isStatic;
  if (instanceMethod) {
    const problem = thisProblem(info, self, ref.file);
    if (problem !== undefined) {
      if (pinned) return new FailedStream(problem, chosen);
      // 'auto' must not change what the call means: this one runs where `this` lives.
      info.thisProblem = problem.message;
      forgetRoute(info);
      countCall(info, 'loop');
      return localStream(info, self, args, call);
    }
  }
  countCall(info, chosen);
  const callArgs = instanceMethod ? [envelope(info, self), ...args] : args;
  let stream: UnsyncStream<unknown>;
  try {
    stream = streamFromPool(chosen, ref, callArgs, {
      timeout: timeoutOf(info, call),
      name: call?.name ?? qualifiedName(info),
      highWaterMark: call?.highWaterMark,
    });
  } catch (error) {
    return new FailedStream(error, chosen);
  }
  return cancelStreamOnAbort(stream, signal);
}

/** The generator run right here, with the call's timeout and signal. */
function localStream(info: DecoratedInfo, self: unknown, args: unknown[], call: ResolvedCallOverrides | undefined): UnsyncStream<unknown> {
  let iterator: Iterator<unknown> | AsyncIterator<unknown>;
  try {
    iterator = info.original.apply(self, args) as Iterator<unknown> | AsyncIterator<unknown>;
  } catch (error) {
    return new FailedStream(error, 'loop'); // a parameter's default or destructuring threw
  }
  const stream = new LocalStream(iterator);
  const timeout = timeoutOf(info, call);
  if (timeout !== null) {
    const timer = setTimeout(() => {
      stream.stopWith(new TimeoutError(`the stream of ${call?.name ?? qualifiedName(info)} timed out after ${timeout} ms`));
    }, timerDelay(timeout));
    // A stream nobody reads keeps nothing alive; one that ends clears its timer.
    timer.unref();
    void stream.done().then(() => clearTimeout(timer));
  }
  return cancelStreamOnAbort(stream, call?.signal);
}
