/**
 * The harness's advice: which executor to use for the function it measured, and why.
 *
 * It applies the auto-routing's own thresholds (`blockMs`, `cheapMs`, read through the
 * decorator bridge so `configureEvidence` changes them here too) to the measurements, so
 * that its advice and `'auto'` agree:
 *   - `'auto'` moves a function off the loop after ONE loop call longer than `blockMs`
 *     (5 ms): the loop is out when the longest loop call was longer;
 *   - `'auto'` brings a function that runs off the loop back to it only after a streak of
 *     worker runs under `cheapMs` (0.2 ms): when `inspect()` places the function off the
 *     loop and its worker runs took longer than that, the loop is out too;
 *   - the harness's own rule: the loop is out when its p99 loop delay exceeded the pools'
 *     by more than `blockMs` (many short calls can hold the loop as long as one long one),
 *     counting no more of it than a loop round lasted (the calls cannot have caused more).
 * Among the executors left, the highest throughput wins; executors within 10% of the best
 * count as tied, and a tie goes to `inspect()`'s choice when it is among them, else to the
 * cheaper executor (loop, then thread, then process). Where that leaves the loop although
 * `'auto'` would keep the function on it (a pool gave more throughput), the reason says
 * so, and why.
 */
import { routingThresholds } from './decorator-bridge';
import type { BenchExecutor } from './options';
import type { ExecutorResult, InspectVerdict, Recommendation } from './result';

const TIE = 0.1;
const COST: Record<BenchExecutor, number> = { loop: 0, thread: 1, process: 2 };

interface Thresholds {
  readonly blockMs: number;
  readonly cheapMs: number;
}

/** Where `'auto'` would keep the function given the measurements, and why in words (a clause of the reason). */
interface AutoPlacement {
  readonly onLoop: boolean;
  readonly why: string;
}

/** Recommend an executor from `results`, compared with `verdict` (from `inspect()`). */
export function recommend(results: readonly ExecutorResult[], verdict: InspectVerdict | undefined): Recommendation {
  const make = (executor: BenchExecutor | undefined, reason: string): Recommendation =>
    Object.freeze({
      executor,
      reason,
      inspect: verdict,
      agreesWithInspect: verdict === undefined || executor === undefined ? undefined : verdict.executor === executor,
    });
  const usable = results.filter((r) => r.available && r.calls > 0 && r.failures === 0);
  if (usable.length === 0) {
    const why = results.map((r) => `${r.executor}: ${r.error ?? 'no calls'}`).join('; ');
    return make(undefined, `no executor ran every call without failing (${why})`);
  }
  const t = routingThresholds();
  const notes: string[] = [];
  let candidates = usable;
  const loop = usable.find((r) => r.executor === 'loop');
  const pools = usable.filter((r) => r.executor !== 'loop');
  const auto = loop !== undefined && pools.length > 0 ? autoPlacement(loop, pools, verdict, t) : undefined;
  // The loop is out when 'auto' would move the function off it, else when its calls
  // together delayed the loop too long (the harness's own rule).
  let loopDelayRule = false;
  if (auto?.onLoop === false) {
    notes.push(auto.why);
    candidates = pools;
  } else if (loop !== undefined && pools.length > 0) {
    const delay = delayBlock(loop, pools, t.blockMs);
    if (delay !== undefined) {
      notes.push(`on the loop ${delay} (limit ${fmt(t.blockMs)})`);
      candidates = pools;
      loopDelayRule = true;
    }
  }
  const best = Math.max(...candidates.map((r) => r.throughput));
  const tied = candidates.filter((r) => r.throughput >= best * (1 - TIE));
  tied.sort((a, b) => COST[a.executor] - COST[b.executor]);
  const byInspect = verdict === undefined ? undefined : tied.find((r) => r.executor === verdict.executor);
  const chosen = byInspect ?? tied[0]!;
  const others = candidates
    .filter((r) => r !== chosen)
    .map((r) => `${r.executor} ${rate(r.throughput)}`)
    .join(', ');
  let why = `${chosen.executor} gave ${tied.length > 1 ? 'a top' : 'the best'} throughput, ${rate(chosen.throughput)}${others ? ` (${others})` : ''}`;
  if (tied.length > 1) {
    const names = tied.map((r) => r.executor).join(' and ');
    why += `; ${names} were within ${TIE * 100}% of each other, and ${chosen.executor} ${
      byInspect !== undefined ? 'is what inspect() chooses' : 'costs less per call'
    }`;
  }
  if (chosen.executor === 'loop' && loop !== undefined) {
    why += `, and it held the loop only ${fmt(holdPerCall(loop))} per call`;
    if (auto?.onLoop === true && verdict !== undefined && verdict.executor !== 'loop') why += ` (${auto.why})`;
  }
  notes.push(why);
  if (chosen.executor !== 'loop' && auto?.onLoop === true) {
    // The one place the advice and 'auto' part ways: say so, and why.
    notes.push(
      loopDelayRule
        ? `'auto' would keep it on the loop (${auto.why}), but together its calls held the loop too long`
        : `'auto' would keep it on the loop (${auto.why}); the measured throughput is why this differs: route it with executor: '${chosen.executor}' to get it`,
    );
  }
  return make(chosen.executor, capitalise(notes.join('; ')));
}

/**
 * Where `'auto'` would keep the function: the loop-call rule first (`blockMs`, which needs
 * no verdict), then the return-to-the-loop rule (`cheapMs`) from where `inspect()` places
 * it now. Undefined when that takes a verdict and there is none (no decorator layer loaded:
 * no `'auto'` to agree with).
 */
function autoPlacement(
  loop: ExecutorResult,
  pools: readonly ExecutorResult[],
  verdict: InspectVerdict | undefined,
  t: Thresholds,
): AutoPlacement | undefined {
  const longest = loop.longestLoopCallMs ?? holdPerCall(loop);
  if (longest > t.blockMs) {
    return {
      onLoop: false,
      why: `on the loop a call held the event loop for ${fmt(longest)}, p99 loop delay ${fmt(loop.loopDelay.p99)} (limit ${fmt(t.blockMs)}: one such call moves a function off the loop under 'auto')`,
    };
  }
  if (verdict === undefined) return undefined;
  if (verdict.executor === 'loop') {
    return { onLoop: true, why: `inspect() runs it there and no call held the loop over ${fmt(t.blockMs)}` };
  }
  // 'auto' times the runs on the pool it uses: read that pool's figure when it was measured.
  const pool = pools.find((r) => r.executor === verdict.executor);
  const run = pool !== undefined ? holdPerCall(pool) : Math.min(...pools.map(holdPerCall));
  const where = pool?.executor ?? 'a pool';
  if (run >= t.cheapMs) {
    return {
      onLoop: false,
      why: `'auto' keeps it off the loop: inspect() runs it on ${verdict.executor}, and 'auto' moves a function back to the loop only after a streak of worker runs under ${fmt(t.cheapMs)}; on ${where} they took ${fmt(run)}`,
    };
  }
  return {
    onLoop: true,
    why: `inspect() says ${verdict.executor} for now, but its worker runs on ${where} took ${fmt(run)}, under ${fmt(t.cheapMs)}, so 'auto' brings it back to the loop after a streak of them`,
  };
}

/** Words describing how `loop`'s calls together delayed the event loop, or undefined. */
function delayBlock(loop: ExecutorResult, pools: readonly ExecutorResult[], blockMs: number): string | undefined {
  // The loop delay of the pools is the machine's background noise: compare above it.
  const baseline = Math.min(...pools.map((r) => r.loopDelay.p99));
  // The calls can only have delayed the loop while their round ran, so never by more than
  // the round lasted: a round of tiny calls takes about 1 ms, and a longer delay its
  // histogram caught (waiting for its first tick, or for the timer that reads it) was the
  // machine's, not theirs.
  const theirs = Math.min(loop.loopDelay.p99, loop.wallMs);
  if (theirs > baseline + blockMs) {
    return `the p99 loop delay was ${fmt(loop.loopDelay.p99)} (${fmt(baseline)} with the pools)`;
  }
  return undefined;
}

/** Mean time one call ran where it ran (held the loop, or ran in a worker). */
function holdPerCall(r: ExecutorResult): number {
  return r.calls > 0 ? r.cpu.workerBusyMs / r.calls : 0;
}

function fmt(ms: number): string {
  if (ms < 0.0005) return 'under 1 µs'; // a tiny call would read "0 µs"
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

function rate(perSecond: number): string {
  return `${perSecond >= 100 ? Math.round(perSecond).toLocaleString('en-US') : perSecond.toFixed(1)} calls/s`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
