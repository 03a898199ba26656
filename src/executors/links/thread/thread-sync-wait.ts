/**
 * Blocking for a thread call: the `SyncWaiter` behind `future.resultSync(ms)` for
 * `executor: 'thread'` futures (installed into `syncWaiters.thread` when this module loads).
 *
 * How it works (docs/executors.md, "Blocking for a thread call"): every thread of a pool
 * shares the pool's `signal` (`Int32Array` on a `SharedArrayBuffer`). A blocked caller
 * raises `signal[0]`; a thread that posts an answer while `signal[0] > 0` bumps `signal[1]`
 * and `Atomics.notify`s it. The caller reads answers with `receiveMessageOnPort` on the
 * threads' ports (the pool owns them) and settles their futures exactly as the event loop
 * would have, so awaiting the future later still works. Calls that never use it pay one
 * `Atomics.load` per answer in the thread.
 */
import { InvalidStateError, TimeoutError } from '../../../core/errors';
import type { Unfuture } from '../../../core/future';
import { syncWaiters } from '../../../core/hooks';

/** What a pool offers to a blocked caller. Implemented by `ThreadExecutor`. */
export interface SyncSource {
  /** [0]: callers blocked now; [1]: bumped by a thread after an answer while [0] > 0. */
  readonly signal: Int32Array;
  /** True when `future` is a pending call of this pool; makes sure it was sent to a thread. */
  prepareSyncWait(future: Unfuture<unknown>): boolean;
  /** Handle every answer already posted (and threads that died) without the event loop; true if a thread died. */
  pollSync(): boolean;
}

const sources = new Set<SyncSource>();

/** A pool with live threads joins (called when it starts its first thread). */
export function registerSyncSource(source: SyncSource): void {
  sources.add(source);
}

/** A pool leaves (closed). */
export function unregisterSyncSource(source: SyncSource): void {
  sources.delete(source);
}

/**
 * Block until the thread call `future` settled, or throw `TimeoutError` after `timeoutMs`
 * (the call goes on; the future settles later as usual). `InvalidStateError` when no live
 * thread pool owns the future.
 */
export function waitForThreadCall(future: Unfuture<unknown>, timeoutMs: number | null): void {
  let source: SyncSource | undefined;
  for (const s of sources) {
    if (s.prepareSyncWait(future)) {
      source = s;
      break;
    }
  }
  if (source === undefined) {
    throw new InvalidStateError(`${future.getName()} is not a pending call of a live thread pool: await it instead`);
  }
  const signal = source.signal;
  const deadline = timeoutMs === null || timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
  Atomics.add(signal, 0, 1);
  try {
    for (;;) {
      // Read the counter before polling: an answer posted after the poll changes it, so
      // the wait below returns at once instead of missing the wake-up.
      const seen = Atomics.load(signal, 1);
      const died = source.pollSync();
      if (future.done()) return;
      // A call its dead thread never started went back to the pool: send it to a thread
      // that serves it without the event loop again.
      if (died) source.prepareSyncWait(future);
      const left = deadline - performance.now();
      if (left <= 0) throw new TimeoutError(`${future.getName()} did not finish within ${timeoutMs} ms (it goes on; await it or block again)`);
      Atomics.wait(signal, 1, seen, left === Infinity ? undefined : left);
    }
  } finally {
    Atomics.sub(signal, 0, 1);
  }
}

syncWaiters.thread = waitForThreadCall;
