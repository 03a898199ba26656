'use strict';
// @ts-check
/**
 * The CPU time of one call, measured where it runs: in a worker thread, a child process, or
 * (the decorator's `call-clock.ts`, which reads the same file) on the event loop. What a
 * call spent on a CPU against its running time tells a call that computes from one that
 * waits (docs/decorator.md, "Measuring"); the time it was preempted (runnable, waiting for a
 * core) is neither, and is reported apart so the caller can leave it out.
 *
 * Sources, best first:
 * - `process.threadCpuUsage()` (Node >= 22.19, 23.9): the calling thread's, exact.
 * - a child process's main thread without it: `process.cpuUsage()`, the whole child (its
 *   GC helper threads too), exact; the child runs one call at a time.
 * - a worker thread without it (Node 20), on Linux: `/proc/thread-self/schedstat`, whose
 *   first field the kernel updates for a running thread only when it leaves the CPU or at a
 *   scheduler tick (a few ms late). It is exact when the thread never left the CPU during
 *   the call (the third field, the count of timeslices, did not move: then its CPU time is
 *   its whole run), and close enough for runs of THREAD_CLOCK_MIN_MS or more; a shorter run
 *   that was switched out gets no CPU time (better none than a wrong one).
 * - the time preempted: `/proc/thread-self/schedstat`'s second field (Linux), exact at the
 *   end of a call (the kernel adds a wait when the thread runs again).
 *
 * One `pread` of a kept-open file costs about 0.5 µs, `threadCpuUsage` about 0.2 µs: a pool
 * call reads only when its caller asked (`CallMessage.cpu`). Plain CommonJS, Node built-ins
 * only (worker-side file).
 */
const { closeSync, openSync, readSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');

/** Runs at least this long (ms) use the tick-updated thread clock even when the thread was switched out. */
const THREAD_CLOCK_MIN_MS = 40;

/**
 * The calling thread's `/proc/thread-self/schedstat`.
 * @typedef {{ onCpuMs: number, queuedMs: number, slices: number }} Schedstat
 */

/**
 * A reader of the calling thread's `/proc/thread-self/schedstat` (Linux), kept open, or
 * undefined where it does not exist or the kernel keeps no schedstats (it reads zeros).
 * Each thread must make its own (`thread-self` is the thread that opened it).
 * @returns {(() => Schedstat | undefined) | undefined}
 */
function schedstatReader() {
  if (process.platform !== 'linux') return undefined;
  /** @type {number} */
  let fd;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(64);
  /** @returns {Schedstat | undefined} */
  const read = () => {
    let n;
    try {
      n = readSync(fd, buffer, 0, buffer.length, 0);
    } catch {
      return undefined;
    }
    // "<ns on cpu> <ns waiting on a runqueue> <timeslices>\n": parsed without allocating a string.
    let field = 0;
    let onCpu = 0;
    let queued = 0;
    let slices = 0;
    for (let i = 0; i < n && field < 3; i++) {
      const c = buffer[i];
      if (c === 32) field++;
      else if (c >= 48 && c <= 57) {
        if (field === 0) onCpu = onCpu * 10 + (c - 48);
        else if (field === 1) queued = queued * 10 + (c - 48);
        else slices = slices * 10 + (c - 48);
      } else break;
    }
    return { onCpuMs: onCpu / 1e6, queuedMs: queued / 1e6, slices };
  };
  const first = read();
  if (first === undefined || first.onCpuMs === 0) {
    closeSync(fd);
    return undefined;
  }
  return read;
}

/**
 * A reading taken before a call: CPU time (ms, undefined without an exact source), and the
 * schedstat fields (undefined off Linux).
 * @typedef {{ cpuMs: number | undefined, sched: Schedstat | undefined }} CpuReading
 * What a call cost besides its wall time; either may be missing.
 * @typedef {{ cpuMs?: number, preemptedMs?: number }} CpuCost
 */

/** @type {{ read(): CpuReading, source: string } | undefined} */
let clock;

function makeClock() {
  const sched = schedstatReader();
  const threadCpuUsage = /** @type {{ threadCpuUsage?: () => NodeJS.CpuUsage }} */ (process).threadCpuUsage;
  /** @type {(() => NodeJS.CpuUsage) | undefined} */
  const exact = typeof threadCpuUsage === 'function' ? () => threadCpuUsage.call(process) : isMainThread ? () => process.cpuUsage() : undefined;
  return {
    /** @returns {CpuReading} */
    read() {
      const u = exact?.();
      return { cpuMs: u === undefined ? undefined : (u.user + u.system) / 1000, sched: sched?.() };
    },
    source:
      exact === undefined
        ? sched === undefined
          ? 'none'
          : '/proc/thread-self/schedstat (exact when the thread kept its CPU, else for long runs only)'
        : typeof threadCpuUsage === 'function'
          ? 'process.threadCpuUsage()'
          : 'process.cpuUsage() (the whole child process)',
  };
}

/**
 * Read the calling thread's clocks before a call.
 * @returns {CpuReading}
 */
function cpuReading() {
  clock ??= makeClock();
  return clock.read();
}

/**
 * What the call since `start` cost: its CPU time and the time it was preempted, each when
 * this thread can tell (see the file's comment). `runMs` is its wall time.
 * @param {CpuReading} start
 * @param {number} runMs
 * @returns {CpuCost}
 */
function cpuCostSince(start, runMs) {
  const end = cpuReading();
  /** @type {CpuCost} */
  const cost = {};
  if (end.sched !== undefined && start.sched !== undefined) cost.preemptedMs = Math.max(0, end.sched.queuedMs - start.sched.queuedMs);
  if (end.cpuMs !== undefined && start.cpuMs !== undefined) cost.cpuMs = Math.max(0, end.cpuMs - start.cpuMs);
  else if (end.sched !== undefined && start.sched !== undefined) {
    // Never switched out: it was on a CPU the whole run. Else the tick-updated count, on long runs.
    if (end.sched.slices === start.sched.slices) cost.cpuMs = runMs;
    else if (runMs >= THREAD_CLOCK_MIN_MS) cost.cpuMs = Math.max(0, end.sched.onCpuMs - start.sched.onCpuMs);
  }
  return cost;
}

/** @returns {string} what this thread's CPU time is read from, in words */
function cpuClockSource() {
  clock ??= makeClock();
  return clock.source;
}

module.exports = { THREAD_CLOCK_MIN_MS, schedstatReader, cpuReading, cpuCostSince, cpuClockSource };
