/**
 * How a remote worker times a call it runs on its own loop, for the function's routing
 * (a `RunObserver`: `'auto'`'s measured evidence, docs/remote.md, "Where a job runs on the
 * worker"): the wall time of the call's synchronous run and, on a sample of runs, its CPU
 * time and the time it was preempted, read as a pool's worker reads them
 * (../worker/cpu-clock.cjs). Runs in the worker's pools are timed by the pools' workers.
 */
import { performance } from 'node:perf_hooks';
import type { LocalRoute, RunObserver } from '../registry';
import { cpuCostSince, cpuReading, type CpuReading } from '../worker/cpu-clock.cjs';

/** A run being timed: when it started, and the CPU reading when the observer wanted one. */
export interface RunTiming {
  readonly observer: RunObserver;
  readonly startedAt: number;
  readonly cpu: CpuReading | undefined;
}

/** Start timing a run for `observer` (nothing to time without one). */
export function startRunTiming(observer: RunObserver | undefined): RunTiming | undefined {
  if (observer === undefined) return undefined;
  const cpu = observer.wantsCpu() ? cpuReading() : undefined;
  return { observer, startedAt: performance.now(), cpu };
}

/**
 * The run on `executor` returned (or threw): tell its observer. A run that returned a promise
 * is reported as such, without times (what follows is no longer this run's).
 */
export function endRunTiming(timing: RunTiming | undefined, executor: LocalRoute, thenable: boolean): void {
  if (timing === undefined) return;
  const runMs = performance.now() - timing.startedAt;
  const cost = timing.cpu === undefined || thenable ? {} : cpuCostSince(timing.cpu, runMs);
  try {
    timing.observer.ran(executor, { runMs, cold: false, thenable, ...cost });
  } catch {
    // The observer is the function's routing: its failure must not fail the job.
  }
}
