/**
 * `benchmark(fn)`: run the same function through each executor and say where it belongs.
 */
import { abortedError } from '../core/waiters';
import { assertFunction } from '../core/validate';
import type { Executor } from '../executors/executor';
import type { CallRef } from '../executors/protocol';
import { getExecutor } from '../runtime/pools';
import { aggregate, unavailable } from './aggregate';
import { inspectVerdict } from './decorator-bridge';
import { describeMachine } from './machine';
import { resolveBenchOptions, type BenchExecutor, type BenchmarkOptions, type ResolvedBenchOptions } from './options';
import { recommend } from './recommend';
import type { BenchmarkResult, ExecutorResult } from './result';
import { runRound, type RoundSample } from './round';
import { resolveTarget, type BenchTarget } from './target';

/** One executor taking part, or why it cannot. */
type Lane =
  | { readonly kind: BenchExecutor; readonly executor: Executor; readonly ref: CallRef; readonly rounds: RoundSample[]; warmupError?: string }
  | { readonly kind: BenchExecutor; readonly unavailable: string };

/**
 * Benchmark `fnOrMethod` on each executor and recommend one.
 *
 * `fnOrMethod` is a function or static method wrapped by `unsync` (its own function is
 * measured, on each executor in turn, whatever its `executor` option says), or a plain
 * function that a worker can find (registered with `unsyncRegister`, or exported by a
 * loaded CommonJS module). Every call gets `options.args`.
 *
 * How it measures (see docs/benchmarking.md): `warmup` untimed calls per executor first
 * (they start the workers), then `rounds` timed rounds in which the executors take turns,
 * the order reversed every other round, each keeping `concurrency` calls in flight.
 * Figures are medians over rounds. Calls run through the runtime's executors (the pools of
 * `configure()`, created lazily and left running, idle, afterwards).
 *
 * Errors: `TypeError`/`RangeError` for bad arguments (before anything runs). A failing call
 * is counted in `failures`, not thrown. An executor that cannot run here (the function
 * cannot be located by a worker, or the pool is not built) is reported with
 * `available: false` and its reason in `error`. Aborting `signal` cancels the calls in
 * flight and rejects with `CancelledError`.
 *
 * @example
 * export function hash(n: number) { return pbkdf2Sync('pw', 'salt', n, 32, 'sha256'); }
 * unsyncRegister(hash);
 * const r = await benchmark(hash, { args: [20_000], calls: 40 });
 * console.log(r.recommendation.executor, r.recommendation.reason);
 */
export async function benchmark(fnOrMethod: Function, options?: BenchmarkOptions): Promise<BenchmarkResult> {
  assertFunction('fnOrMethod', fnOrMethod);
  const o = resolveBenchOptions(options);
  const target = resolveTarget(fnOrMethod, o.name);
  const lanes = o.executors.map((kind) => makeLane(kind, target));
  const live = lanes.filter((l): l is Extract<Lane, { executor: Executor }> => 'executor' in l);
  const perRound = splitCalls(o.calls, o.rounds);
  let done = 0;
  const total = live.length * (o.warmup + o.calls);
  const progress = (kind: BenchExecutor, phase: 'warmup' | number) => () => {
    done++;
    o.onProgress?.({ done, total, executor: kind, phase });
  };
  const round = (lane: (typeof live)[number], calls: number, phase: 'warmup' | number): Promise<RoundSample> =>
    runRound({
      executor: lane.executor,
      ref: lane.ref,
      args: o.args,
      calls,
      concurrency: o.concurrency,
      signal: o.signal,
      onCall: progress(lane.kind, phase),
      loopTiming: target.loopTiming,
    });

  if (o.signal?.aborted) throw abortedError(o.signal);
  for (const lane of live) {
    if (o.warmup > 0) lane.warmupError = (await round(lane, o.warmup, 'warmup')).firstError;
  }
  for (let r = 0; r < o.rounds; r++) {
    const order = r % 2 === 0 ? live : [...live].reverse();
    for (const lane of order) lane.rounds.push(await round(lane, perRound[r]!, r + 1));
  }
  const results: ExecutorResult[] = lanes.map((lane) =>
    'executor' in lane ? aggregate(lane.kind, lane.rounds, lane.warmupError) : unavailable(lane.kind, lane.unavailable),
  );
  return freezeResult(target, o, results);
}

function makeLane(kind: BenchExecutor, target: BenchTarget): Lane {
  if (kind !== 'loop' && target.poolRef === undefined) {
    return { kind, unavailable: target.unlocatable ?? 'the function cannot be located by a worker' };
  }
  let executor: Executor;
  try {
    executor = getExecutor(kind);
  } catch {
    return { kind, unavailable: `the ${kind} executor is not available in this build of unsync yet` };
  }
  return { kind, executor, ref: kind === 'loop' ? target.loopRef : target.poolRef!, rounds: [] };
}

/** `calls` spread over `rounds` as evenly as possible. */
function splitCalls(calls: number, rounds: number): number[] {
  const base = Math.floor(calls / rounds);
  return Array.from({ length: rounds }, (_, i) => base + (i < calls % rounds ? 1 : 0));
}

function freezeResult(target: BenchTarget, o: ResolvedBenchOptions, results: ExecutorResult[]): BenchmarkResult {
  return Object.freeze({
    name: target.name,
    options: Object.freeze({
      calls: o.calls,
      concurrency: o.concurrency,
      warmup: o.warmup,
      rounds: o.rounds,
      executors: o.executors,
    }),
    machine: describeMachine(),
    node: process.version,
    date: new Date().toISOString(),
    results: Object.freeze(results),
    recommendation: recommend(results, inspectVerdict(target.given)),
  });
}
