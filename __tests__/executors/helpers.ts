/** Shared helpers of the executor tests. */
import { registeredRef } from '../../src/executors/registry';
import type { CallRef } from '../../src/executors/protocol';
import type { ExecutorStatistics } from '../../src/executors/executor';

/** The call reference of a registered fixture function (fails the test when unregistered). */
export function refOf(fn: Function): CallRef {
  const ref = registeredRef(fn);
  if (ref === undefined) throw new Error(`${fn.name} is not registered`);
  return { file: ref.file, name: ref.name };
}

/** A shared Int32Array (visible to worker threads). */
export function shared(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * length));
}

/** Resolve once `flags[index]` is not `value` (no timers: Atomics.waitAsync). */
export async function waitUntilChanged(flags: Int32Array, index: number, value = 0): Promise<void> {
  // Atomics.waitAsync is in Node 20 but not in this project's ES2022 lib typings.
  const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: unknown } }).waitAsync;
  while (Atomics.load(flags, index) === value) {
    const result = waitAsync(flags, index, value);
    if (result.async) await result.value;
  }
}

/** Set `flags[index]` and wake its waiters. */
export function release(flags: Int32Array, index: number): void {
  Atomics.store(flags, index, 1);
  Atomics.notify(flags, index);
}

/** The rejection of `p` (fails the test when `p` fulfils). */
export async function rejectionOf(p: PromiseLike<unknown>): Promise<any> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** What `fn` throws (fails the test when it returns). */
export function thrown(fn: () => unknown): any {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Run `body` with a fresh pool, closing it afterwards whatever happens. */
export async function withPool<P extends { close(): Promise<void> }>(make: () => P, body: (pool: P) => Promise<void> | void): Promise<void> {
  const pool = make();
  try {
    await body(pool);
  } finally {
    await pool.close();
  }
}

/**
 * Check a pool's wait/run-time summaries after the test held one call running from
 * `runningSeen` and queued another behind it at `queuedAt`, until `releasedAt` (its own
 * clock; 1 ms of slack for the worker's clock).
 */
export function expectHeldTimes(stats: ExecutorStatistics, held: { runningSeen: number; queuedAt: number; releasedAt: number }): void {
  const { waitTime, runTime } = stats;
  expect([waitTime.count, runTime.count]).toEqual([2, 2]);
  expect(waitTime.max).toBeGreaterThanOrEqual(held.releasedAt - held.queuedAt - 1);
  expect(runTime.max).toBeGreaterThanOrEqual(held.releasedAt - held.runningSeen - 1);
  expect(runTime.min).toBeLessThan(runTime.max);
}
