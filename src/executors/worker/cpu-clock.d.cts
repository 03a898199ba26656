/** Types of `./cpu-clock.cjs` (see that file for the sources and their limits). */

/** Runs at least this long (ms) use the tick-updated thread clock even when the thread was switched out. */
export const THREAD_CLOCK_MIN_MS: 40;

/** The calling thread's `/proc/thread-self/schedstat` (ms, and its count of timeslices). */
export interface Schedstat {
  readonly onCpuMs: number;
  readonly queuedMs: number;
  readonly slices: number;
}

/** A reader of the calling thread's schedstat (Linux, kept open), or undefined where none exists. */
export function schedstatReader(): (() => Schedstat | undefined) | undefined;

/**
 * `read` (a schedstat reader of the calling thread) made exact at each read (Linux: it calls
 * `process.cpuUsage()` first, which brings the thread's count up to date), or undefined
 * where that does not work.
 */
export function upToDateSchedstatReader(read: () => Schedstat | undefined): (() => Schedstat | undefined) | undefined;

/** A reading taken before a call. */
export interface CpuReading {
  readonly cpuMs: number | undefined;
  readonly sched: Schedstat | undefined;
}

/** What a call cost besides its wall time; either may be missing. */
export interface CpuCost {
  cpuMs?: number;
  preemptedMs?: number;
}

/** Read the calling thread's clocks before a call. */
export function cpuReading(): CpuReading;

/** What the call since `start` cost (`runMs`: its wall time). */
export function cpuCostSince(start: CpuReading, runMs: number): CpuCost;

/** What this thread's CPU time is read from, in words. */
export function cpuClockSource(): string;
