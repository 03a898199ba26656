/**
 * The measurement source of a call: the wall clock, and the CPU time of the thread that ran
 * it. What a call costs in CPU against its running time is what tells blocking I/O (a
 * thread that waits: little CPU) from CPU-bound work (a thread that computes: CPU time close
 * to wall time), whatever the function calls (issue 17, item 3).
 *
 * Why the thread's CPU time, and from where:
 * - `performance.eventLoopUtilization()` cannot tell them apart: a loop blocked in
 *   `readFileSync` is as "utilised" as one hashing a password (it only knows the loop was
 *   not idle).
 * - `process.cpuUsage()` is the whole process: on the event loop it also counts every busy
 *   worker thread, so an inline I/O call measured while the thread pool computes would look
 *   CPU-bound. Used only where nothing better exists (then the share is capped at 100%).
 * - Per thread: on Linux, `/proc/thread-self/schedstat` (nanoseconds on a CPU, and
 *   nanoseconds runnable but waiting for one, read with one `pread` of about 1 µs), which
 *   also says how long the call was *preempted*: on a loaded machine a CPU-bound call that
 *   waited for a core reads as slow on the wall clock, and that time is neither its own
 *   work nor waiting for I/O, so it is left out. Elsewhere `process.threadCpuUsage()` (Node
 *   ≥ 23.9), without the preemption part.
 *
 * Tests swap the clock ({@link useCallClock}) to drive the decision logic with exact numbers.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Cumulative times of the calling thread (ms), read at one instant. */
export interface ThreadTimes {
  /** Time the thread ran on a CPU. */
  readonly cpuMs: number;
  /** Time the thread was runnable but waited for a CPU (preempted); 0 when the source cannot tell. */
  readonly queuedMs: number;
}

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

const BUFFER = Buffer.alloc(64);

/** `/proc/thread-self/schedstat` of the calling thread, kept open (Linux). */
function schedstatClock(): CallClock | undefined {
  let fd: number;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const read = (): ThreadTimes | undefined => {
    let n: number;
    try {
      n = readSync(fd, BUFFER, 0, BUFFER.length, 0);
    } catch {
      return undefined;
    }
    // "<ns on cpu> <ns waiting on a runqueue> <timeslices>\n": parsed without allocating a string.
    let field = 0;
    let onCpu = 0;
    let queued = 0;
    for (let i = 0; i < n && field < 2; i++) {
      const c = BUFFER[i]!;
      if (c === 32) field++;
      else if (c >= 48 && c <= 57) {
        if (field === 0) onCpu = onCpu * 10 + (c - 48);
        else queued = queued * 10 + (c - 48);
      } else break;
    }
    return { cpuMs: onCpu / 1e6, queuedMs: queued / 1e6 };
  };
  if (read() === undefined || read()!.cpuMs === 0) {
    closeSync(fd); // a kernel without schedstats reads zeros
    return undefined;
  }
  return { now: () => performance.now(), thread: read, source: 'the thread CPU time from /proc/thread-self/schedstat' };
}

function defaultClock(): CallClock {
  const linux = process.platform === 'linux' ? schedstatClock() : undefined;
  if (linux !== undefined) return linux;
  const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
  if (typeof threadCpuUsage === 'function') {
    return {
      now: () => performance.now(),
      thread: () => {
        const u = threadCpuUsage.call(process);
        return { cpuMs: (u.user + u.system) / 1000, queuedMs: 0 };
      },
      source: 'the thread CPU time from process.threadCpuUsage()',
    };
  }
  return {
    now: () => performance.now(),
    thread: () => {
      const u = process.cpuUsage();
      return { cpuMs: (u.user + u.system) / 1000, queuedMs: 0 };
    },
    source: 'the process CPU time from process.cpuUsage() (all threads: an over-estimate while workers compute)',
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
  return { ms, cpuMs: Math.max(0, end.cpuMs - startThread.cpuMs), preemptedMs: Math.max(0, end.queuedMs - startThread.queuedMs) };
}
