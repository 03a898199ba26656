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
 * - a child process's (or a remote worker's) main thread: `process.cpuUsage()`, the whole
 *   process, exact: it runs one call at a time, so the process's CPU time is the call's,
 *   the garbage collection V8's helper threads do for it included.
 * - a worker thread, on Linux: `/proc/thread-self/schedstat` read right after
 *   `process.cpuUsage()`: exact. The kernel brings a running thread's CPU time up to date
 *   only at a scheduler tick (4 ms at 250 Hz) or when the thread leaves the CPU, so a plain
 *   read of schedstat, and `process.threadCpuUsage()` (getrusage(RUSAGE_THREAD), which
 *   reads the same count), are up to a tick late: on Node 24 a 0.3 ms computing run read 0
 *   nine times in ten and 4 ms the tenth, and functions of 1 ms calls (marked, js-yaml,
 *   zlib) measured as "waiting". getrusage(RUSAGE_SELF), which `process.cpuUsage()` calls,
 *   first updates the calling thread's count (Linux 3.18 and later: thread_group_cputime()
 *   calls task_sched_runtime(current)), so a read of the thread's schedstat right after it
 *   is exact. Checked once per thread ({@link upToDateSchedstatReader}); where the check
 *   fails, the sources below. Only this thread's: the collection V8's helper threads do for
 *   it is not in it (its wait for them reads as waiting: a call that kept 200k young
 *   objects alive measured 63% to 99% by Node version and run, 100% with
 *   `--single-threaded-gc`; the HTTP benchmark's functions 100%).
 * - `process.threadCpuUsage()` (Node >= 22.19, 23.9): the calling thread's (off Linux).
 * - a worker thread without it (Node 20), on Linux, where the update does not happen:
 *   schedstat as it is, exact when the thread never left the CPU during the call (the
 *   third field, the count of timeslices, did not move: then its CPU time is its whole
 *   run), and close enough for runs of THREAD_CLOCK_MIN_MS or more; a shorter run that was
 *   switched out gets no CPU time (better none than a wrong one).
 * - the time preempted: `/proc/thread-self/schedstat`'s second field (Linux), exact at the
 *   end of a call (the kernel adds a wait when the thread runs again).
 *
 * One `pread` of a kept-open file costs about 0.55 µs, `process.cpuUsage()` 0.3 µs,
 * `threadCpuUsage` 0.2 µs: a pool call reads only when its caller asked (`CallMessage.cpu`).
 * Plain CommonJS, Node built-ins only (worker-side file).
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
 * `read` (a {@link schedstatReader} of the calling thread) made exact at each read (Linux):
 * `process.cpuUsage()` first, which makes the kernel bring the calling thread's count up to
 * date (see the file's comment), then the read. Undefined where the update does not happen
 * (another kernel, an emulated `/proc`): checked by three pairs of reads a microsecond
 * apart, whose CPU time must move (without the update it stays put until the next tick).
 * About 0.9 µs a read.
 * @param {() => Schedstat | undefined} read
 * @returns {(() => Schedstat | undefined) | undefined}
 */
function upToDateSchedstatReader(read) {
  const upToDate = () => {
    process.cpuUsage();
    return read();
  };
  for (let i = 0; i < 3; i++) {
    const a = upToDate();
    const b = upToDate();
    if (a === undefined || b === undefined || !(b.onCpuMs > a.onCpuMs)) return undefined;
  }
  return upToDate;
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
  if (isMainThread) {
    return {
      /** @returns {CpuReading} */
      read() {
        const u = process.cpuUsage(); // also brings this thread's schedstat up to date
        return { cpuMs: (u.user + u.system) / 1000, sched: sched?.() };
      },
      source: 'process.cpuUsage() (the whole child process)',
    };
  }
  const upToDate = sched === undefined ? undefined : upToDateSchedstatReader(sched);
  if (upToDate !== undefined) {
    return {
      /** @returns {CpuReading} */
      read() {
        const now = upToDate();
        return { cpuMs: now?.onCpuMs, sched: now };
      },
      source: '/proc/thread-self/schedstat, brought up to date by process.cpuUsage() (exact)',
    };
  }
  const threadCpuUsage = /** @type {{ threadCpuUsage?: () => NodeJS.CpuUsage }} */ (process).threadCpuUsage;
  return {
    /** @returns {CpuReading} */
    read() {
      const u = typeof threadCpuUsage === 'function' ? threadCpuUsage.call(process) : undefined;
      return { cpuMs: u === undefined ? undefined : (u.user + u.system) / 1000, sched: sched?.() };
    },
    source:
      typeof threadCpuUsage === 'function'
        ? 'process.threadCpuUsage()'
        : sched === undefined
          ? 'none'
          : '/proc/thread-self/schedstat (exact when the thread kept its CPU, else for long runs only)',
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

module.exports = { THREAD_CLOCK_MIN_MS, schedstatReader, upToDateSchedstatReader, cpuReading, cpuCostSince, cpuClockSource };
