/**
 * One timed batch of calls on one executor: the harness's unit of measurement.
 *
 * Calls are kept `concurrency` deep. New calls are started as earlier ones settle, and the
 * driver hands the event loop back (`setImmediate`) at least every millisecond, the way
 * calls arriving from real I/O would: so the loop-delay figure shows what each call does to
 * the loop, not how long the driver itself kept it busy.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { Unfuture } from '../core/future';
import { onSettled } from '../core/future-internal';
import { abortedError } from '../core/waiters';
import type { Executor } from '../executors/executor';
import type { CallRef } from '../executors/protocol';
import { childUsageBetween, snapshotChildren, type ChildSnapshot, type ChildUsage } from './child-usage';
import type { LoopTiming } from './target';

/** What one round measured. */
export interface RoundSample {
  readonly wallMs: number;
  /** Latency of every call, ascending. */
  readonly latencies: number[];
  readonly failures: number;
  readonly firstError: string | undefined;
  readonly loopDelay: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly userMs: number;
  readonly systemMs: number;
  /** Time the calls ran in the workers (executor statistics), or on the loop. */
  readonly busyMs: number;
  /** The longest time one call held the event loop (loop executor), else undefined. */
  readonly longestLoopCallMs: number | undefined;
  readonly peakRss: number;
  /** CPU time and summed peak RSS of the pool's child processes (process executor on Linux), else undefined. */
  readonly children: ChildUsage | undefined;
}

/** How to run a round. */
export interface RoundPlan {
  readonly executor: Executor;
  readonly ref: CallRef;
  readonly args: readonly unknown[];
  readonly calls: number;
  readonly concurrency: number;
  readonly signal: AbortSignal | undefined;
  /** Called after each settled call. */
  readonly onCall: () => void;
  /** The loop executor's running figures: busy time is read before and after the round, the longest call is reset at its start. */
  readonly loopTiming: LoopTiming;
}

const YIELD_EVERY_MS = 1;

/** Run `plan.calls` calls and measure them. Rejects with `CancelledError` when `signal` aborts. */
export function runRound(plan: RoundPlan): Promise<RoundSample> {
  const { executor, ref, args, calls, concurrency, signal } = plan;
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  return new Promise<RoundSample>((resolve, reject) => {
    const latencies: number[] = [];
    const inFlight = new Set<Unfuture<unknown>>();
    let started = 0;
    let failures = 0;
    let firstError: string | undefined;
    let peakRss = process.memoryUsage.rss();
    let lastYield = performance.now();
    let yieldPending = false;
    let finished = false;
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    let busyBefore = 0;
    let cpuBefore = process.cpuUsage();
    let childrenBefore: ChildSnapshot | undefined;
    let t0 = 0;
    histogram.enable();

    const finish = (error?: unknown): void => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        histogram.disable();
        for (const f of inFlight) f.cancel('benchmark aborted');
        reject(error);
        return;
      }
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpuBefore);
      const busyMs = busyTotal(executor, plan.loopTiming) - busyBefore;
      const longest = executor.kind === 'loop' ? plan.loopTiming.longestMs : undefined;
      const before = childrenBefore;
      const after = before === undefined ? undefined : snapshotChildren(executor);
      const children = before !== undefined && after !== undefined ? childUsageBetween(before, after) : undefined;
      // The histogram records a block when its timer fires late, in the next timers phase:
      // let that phase come before reading it, or the round's last block is lost.
      setTimeout(() => report(wallMs, cpu, busyMs, longest, children), 0);
    };
    const report = (
      wallMs: number,
      cpu: NodeJS.CpuUsage,
      busyMs: number,
      longestLoopCallMs: number | undefined,
      children: ChildUsage | undefined,
    ): void => {
      histogram.disable();
      const has = histogram.count > 0;
      latencies.sort((a, b) => a - b);
      resolve({
        wallMs,
        latencies,
        failures,
        firstError,
        loopDelay: {
          p50: has ? histogram.percentile(50) / 1e6 : 0,
          p99: has ? histogram.percentile(99) / 1e6 : 0,
          max: has ? histogram.max / 1e6 : 0,
        },
        userMs: cpu.user / 1000,
        systemMs: cpu.system / 1000,
        busyMs,
        longestLoopCallMs,
        peakRss: Math.max(peakRss, process.memoryUsage.rss()),
        children,
      });
    };
    const onAbort = (): void => finish(abortedError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });

    const startOne = (): void => {
      started++;
      const submitted = performance.now();
      let future: Unfuture<unknown>;
      try {
        future = executor.submit<unknown>(ref, args);
      } catch (error) {
        settleOne(submitted, error);
        return;
      }
      inFlight.add(future);
      onSettled(future, (f) => {
        inFlight.delete(f);
        settleOne(submitted, f.cancelled() ? new Error('the call was cancelled') : f.exception());
      });
    };
    const settleOne = (submitted: number, error: unknown): void => {
      if (finished) return;
      latencies.push(performance.now() - submitted);
      if (error != null) {
        failures++;
        firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      plan.onCall();
      if (latencies.length === calls) finish();
      else launch();
    };
    const launch = (): void => {
      while (!finished && inFlight.size < concurrency && started < calls) {
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          if (!yieldPending) {
            yieldPending = true;
            setImmediate(() => {
              yieldPending = false;
              lastYield = performance.now();
              peakRss = Math.max(peakRss, process.memoryUsage.rss());
              launch();
            });
          }
          return;
        }
        startOne();
      }
    };
    // The histogram's first timer tick records nothing (it has no previous tick): wait
    // until it has recorded once, or a block right at the start of the round is lost.
    let ticks = 0;
    const begin = (): void => {
      if (finished) return;
      if (histogram.count === 0 && ticks++ < 50) {
        setTimeout(begin, 1);
        return;
      }
      busyBefore = busyTotal(executor, plan.loopTiming);
      plan.loopTiming.longestMs = 0; // the warm-up's and other rounds' calls are not this round's
      childrenBefore = snapshotChildren(executor);
      cpuBefore = process.cpuUsage();
      t0 = lastYield = performance.now();
      launch();
    };
    setTimeout(begin, 1);
  });
}

/** Total milliseconds the executor's calls have run so far. */
function busyTotal(executor: Executor, loopTiming: LoopTiming): number {
  if (executor.kind === 'loop') return loopTiming.busyMs;
  const run = executor.statistics().runTime;
  return run.mean * run.count;
}
