/**
 * The clock debug mode's slow-callback timers read (./debug-slow.ts): the wall clock, and
 * the time the calling thread waited for a core. A callback that was preempted (runnable,
 * but the machine's cores were busy with other work) did not block the event loop for that
 * time by anything it did: on a machine loaded past its cores a promise continuation of a
 * few ms read as blocking for 104 ms. The wait is left out of a callback's duration where
 * it can be read: Linux's `/proc/thread-self/schedstat`, whose second field is the
 * thread's run-queue wait, exact at the end of a callback (the kernel adds a wait when the
 * thread runs again; src/executors/worker/cpu-clock.cjs reads it for `'auto'` too). One
 * `pread` of a kept-open file, about 0.5 µs, read only while debug mode is on. Elsewhere
 * the wait reads 0 and the report is wall time, as before.
 *
 * Tests install a clock ({@link useDebugClock}) to drive the timers with exact numbers.
 */
import { performance } from 'node:perf_hooks';
import { schedstatReader } from '../executors/worker/cpu-clock.cjs';

/** Where the slow-callback timers read their times (the default, or one a test installs). */
export interface DebugClock {
  /** Monotonic wall clock (ms). */
  now(): number;
  /** Cumulative time (ms) the calling thread was runnable but waited for a core; 0 where unknown. */
  queuedMs(): number;
}

function defaultClock(): DebugClock {
  const sched = schedstatReader();
  // performance.now() is looked up at each read (tests that stop the wall clock replace it).
  return { now: () => performance.now(), queuedMs: sched === undefined ? () => 0 : () => sched()?.queuedMs ?? 0 };
}

/** Made on first use: `thread-self` is the thread that opened it. */
let installed: DebugClock | undefined;
let fallback: DebugClock | undefined;

/** The clock the slow-callback timers read. */
export function debugClock(): DebugClock {
  return installed ?? (fallback ??= defaultClock());
}

/**
 * Time the slow-callback timers with `clock` from now on (tests: exact numbers instead of a
 * real clock); `undefined` restores the default. Internal: not exported from the package.
 */
export function useDebugClock(clock: DebugClock | undefined): void {
  installed = clock;
}
