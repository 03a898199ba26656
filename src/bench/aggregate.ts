/**
 * Turning an executor's rounds into its reported figures: medians over rounds for what
 * varies round to round, sums for totals, maxima for peaks.
 */
import type { BenchExecutor } from './options';
import type { ExecutorResult } from './result';
import type { RoundSample } from './round';
import { median, percentile, roundMs, thin } from './stats';

const SAMPLE_LIMIT = 2000;

/** The frozen result of `executor` from its timed `rounds`. */
export function aggregate(executor: BenchExecutor, rounds: readonly RoundSample[], warmupError: string | undefined): ExecutorResult {
  const all = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const calls = all.length;
  const failures = rounds.reduce((n, r) => n + r.failures, 0);
  const perRound = (pick: (r: RoundSample) => number): number => roundMs(median(rounds.map(pick)));
  const sum = (pick: (r: RoundSample) => number): number => roundMs(rounds.reduce((n, r) => n + pick(r), 0));
  const throughputs = rounds.map((r) => (r.wallMs > 0 ? (r.latencies.length / r.wallMs) * 1000 : 0));
  const user = sum((r) => r.userMs);
  const system = sum((r) => r.systemMs);
  // Children are known only when every round could read them (a pool without /proc: none can).
  const children = executor !== 'process' ? [] : rounds.map((r) => r.children);
  const childrenKnown = children.every((c) => c !== undefined);
  return Object.freeze({
    executor,
    available: true,
    calls,
    failures,
    error: rounds.find((r) => r.firstError !== undefined)?.firstError ?? warmupError,
    wallMs: perRound((r) => r.wallMs),
    throughput: Math.round(median(throughputs) * 10) / 10,
    latency: Object.freeze({
      p50: perRound((r) => percentile(r.latencies, 50)),
      p95: perRound((r) => percentile(r.latencies, 95)),
      p99: perRound((r) => percentile(r.latencies, 99)),
      min: roundMs(all[0] ?? 0),
      max: roundMs(all[all.length - 1] ?? 0),
      mean: roundMs(calls > 0 ? all.reduce((a, b) => a + b, 0) / calls : 0),
    }),
    loopDelay: Object.freeze({
      p50: perRound((r) => r.loopDelay.p50),
      p99: perRound((r) => r.loopDelay.p99),
      max: roundMs(Math.max(0, ...rounds.map((r) => r.loopDelay.max))),
    }),
    cpu: Object.freeze({
      processMs: roundMs(user + system),
      userMs: user,
      systemMs: system,
      childrenMs: childrenKnown ? roundMs(children.reduce((n, c) => n + c!.cpuMs, 0)) : null,
      workerBusyMs: sum((r) => r.busyMs),
      note: CPU_NOTES[executor],
    }),
    longestLoopCallMs: executor === 'loop' ? roundMs(Math.max(0, ...rounds.map((r) => r.longestLoopCallMs ?? 0))) : null,
    peakRssBytes: Math.max(0, ...rounds.map((r) => r.peakRss)),
    childrenPeakRssBytes: childrenKnown ? Math.max(0, ...children.map((c) => c!.peakRssBytes)) : null,
    roundThroughputs: Object.freeze(throughputs.map((t) => Math.round(t * 10) / 10)),
    latencySamples: Object.freeze(thin(all, SAMPLE_LIMIT).map(roundMs)),
  });
}

/** The result of an executor that could not run at all. */
export function unavailable(executor: BenchExecutor, error: string): ExecutorResult {
  const zero3 = Object.freeze({ p50: 0, p99: 0, max: 0 });
  return Object.freeze({
    executor,
    available: false,
    calls: 0,
    failures: 0,
    error,
    wallMs: 0,
    throughput: 0,
    latency: Object.freeze({ p50: 0, p95: 0, p99: 0, min: 0, max: 0, mean: 0 }),
    loopDelay: zero3,
    cpu: Object.freeze({ processMs: 0, userMs: 0, systemMs: 0, childrenMs: executor === 'process' ? null : 0, workerBusyMs: 0, note: CPU_NOTES[executor] }),
    longestLoopCallMs: null,
    peakRssBytes: 0,
    childrenPeakRssBytes: executor === 'process' ? null : 0,
    roundThroughputs: Object.freeze([]),
    latencySamples: Object.freeze([]),
  });
}

const CPU_NOTES: Record<BenchExecutor, string> = {
  loop: 'processMs: this process (the calls ran on its main thread); workerBusyMs: time the calls held the event loop',
  thread: 'processMs: this process, worker threads included; workerBusyMs: run time reported by the worker threads',
  process:
    'processMs: this process only; childrenMs: the child processes, from /proc (null where unreadable); workerBusyMs: run time reported by the child processes',
};
