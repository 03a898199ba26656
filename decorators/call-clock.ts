/**
 * The measurement source of a call: the wall clock, and the CPU time of the thread that ran
 * it. What a call costs in CPU against its running time is what tells blocking I/O (a
 * thread that waits: little CPU) from CPU-bound work (a thread that computes: CPU time close
 * to wall time), whatever the function calls (issue 17, item 3).
 *
 * Why these sources (see docs/decorator.md, "Measuring"):
 * - `performance.eventLoopUtilization()` cannot tell them apart: a loop blocked in
 *   `readFileSync` is as "utilised" as one hashing a password (it only knows the loop was
 *   not idle).
 * - The CPU time, on Linux: the thread's own from `/proc/thread-self/schedstat`, read right
 *   after `process.cpuUsage()`, which makes the kernel bring the thread's count up to date:
 *   exact (src/executors/worker/cpu-clock.cjs says why). Without that update the kernel's
 *   count of a running thread is up to a scheduler tick (4 ms) late, and so is
 *   `process.threadCpuUsage()`, which reads the same count: a 1 ms computing call read 0
 *   most of the time, so short CPU-bound functions measured as blocking I/O (Node 24).
 * - Elsewhere, or where the update does not happen: `process.threadCpuUsage()` (Node ≥
 *   23.9) is the calling thread's. Older Node has only `process.cpuUsage()`, exact but for
 *   the whole process: on the event loop it also counts busy worker threads, so an inline
 *   call measured while the pools compute reads as more CPU-bound than it is (the share is
 *   capped at 100%); with schedstat but without the update, the thread's tick-updated count
 *   is used for calls long enough for its lateness not to matter ({@link THREAD_CLOCK_MIN_MS}).
 * - The time a call was preempted (runnable, waiting for a core): on Linux, from the same
 *   file's second field, which is exact at the end of a call (the kernel adds a wait when
 *   the thread runs again). On a loaded machine a CPU-bound call that waited for a core reads
 *   as slow on the wall clock, and that time is neither its own work nor waiting for I/O,
 *   so it is left out. A read (`process.cpuUsage()` and one `pread` of a kept-open file)
 *   costs about 0.9 µs.
 *
 * A pool call is measured the same way by the worker that runs it, when the call asks
 * (`SubmitOptions.cpuTime`; src/executors/worker/cpu-clock.cjs, whose schedstat reader this
 * file uses too).
 *
 * Tests swap the clock ({@link useCallClock}) to drive the decision logic with exact numbers.
 */
import { performance } from 'node:perf_hooks';
import { THREAD_CLOCK_MIN_MS as MIN_MS, schedstatReader, upToDateSchedstatReader } from '../src/executors/worker/cpu-clock.cjs';

/** Cumulative times (ms), read at one instant. */
export interface ThreadTimes {
  /** CPU time: of the calling thread, or of the whole process where nothing finer exists (exact). */
  readonly cpuMs: number;
  /** Time the thread was runnable but waited for a CPU (preempted); 0 when the source cannot tell. */
  readonly queuedMs: number;
  /** The thread's own CPU time, updated only at scheduler ticks (Linux, when `cpuMs` is the process's). */
  readonly coarseThreadCpuMs?: number;
}

/** Calls at least this long (ms) use the tick-updated thread CPU time when `cpuMs` is the process's. */
export const THREAD_CLOCK_MIN_MS = MIN_MS;

/** Where a call's times come from (the default, or one a test installs). */
export interface CallClock {
  /** Monotonic wall clock (ms). */
  now(): number;
  /** The calling thread's cumulative times, or undefined when no CPU clock exists here. */
  thread(): ThreadTimes | undefined;
  /** What `thread()` reads, in words (`inspect` and docs name it). */
  readonly source: string;
}

/** One call's costs, from two readings of a {@link CallClock}. */
export interface CallCost {
  /** Wall time of the call (ms). */
  readonly ms: number;
  /** CPU time the calling thread spent in it (ms), when measured. */
  readonly cpuMs?: number;
  /** Time it was preempted (runnable, waiting for a CPU) within it (ms), when known. */
  readonly preemptedMs?: number;
}

function defaultClock(): CallClock {
  const now = (): number => performance.now();
  // The same readers a worker uses for its calls' CPU time (src/executors/worker/cpu-clock.cjs).
  const sched = schedstatReader();
  const upToDate = sched === undefined ? undefined : upToDateSchedstatReader(sched);
  if (upToDate !== undefined) {
    return {
      now,
      thread: () => {
        const s = upToDate();
        return s === undefined ? undefined : { cpuMs: s.onCpuMs, queuedMs: s.queuedMs };
      },
      source: "the thread's /proc/thread-self/schedstat, brought up to date by process.cpuUsage() (CPU time and preemption, exact)",
    };
  }
  const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (typeof threadCpuUsage === 'function') {
    return {
      now,
      thread: () => {
        const u = threadCpuUsage.call(process);
        return { cpuMs: (u.user + u.system) / 1000, queuedMs: sched?.()?.queuedMs ?? 0 };
      },
      source: `process.threadCpuUsage()${sched !== undefined ? ', preemption from /proc/thread-self/schedstat' : ''}`,
    };
  }
  return {
    now,
    thread: () => {
      const u = process.cpuUsage();
      const s = sched?.();
      return { cpuMs: (u.user + u.system) / 1000, queuedMs: s?.queuedMs ?? 0, coarseThreadCpuMs: s?.onCpuMs };
    },
    source:
      sched !== undefined
        ? `process.cpuUsage() (the whole process) for calls under ${THREAD_CLOCK_MIN_MS} ms, the thread's own from /proc/thread-self/schedstat for longer ones, preemption from the same file`
        : 'process.cpuUsage() (the whole process: an over-estimate while workers compute)',
  };
}

/** Created on first use: a thread (a worker too) opens its own `thread-self`. */
let installed: CallClock | undefined;
let fallback: CallClock | undefined;

/** The clock calls are measured with. */
export function callClock(): CallClock {
  return installed ?? (fallback ??= defaultClock());
}

/**
 * Measure calls with `clock` from now on (tests: exact numbers instead of a real clock);
 * `undefined` restores the default. Internal: not exported from the package.
 */
export function useCallClock(clock: CallClock | undefined): void {
  installed = clock;
}

/** The cost of a call between two readings (`start` taken before it, `startThread` likewise). */
export function costBetween(startMs: number, startThread: ThreadTimes | undefined, clock: CallClock): CallCost {
  const ms = clock.now() - startMs;
  if (startThread === undefined) return { ms };
  const end = clock.thread();
  if (end === undefined) return { ms };
  const coarse = ms >= THREAD_CLOCK_MIN_MS && end.coarseThreadCpuMs !== undefined && startThread.coarseThreadCpuMs !== undefined;
  const cpuMs = coarse ? end.coarseThreadCpuMs! - startThread.coarseThreadCpuMs! : end.cpuMs - startThread.cpuMs;
  return { ms, cpuMs: Math.max(0, cpuMs), preemptedMs: Math.max(0, end.queuedMs - startThread.queuedMs) };
}
