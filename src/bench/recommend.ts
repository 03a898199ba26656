/**
 * The harness's advice: which executor to use for the function it measured, and why.
 *
 * It applies the auto-routing's own rule to the measurements, so that its advice and
 * `'auto'` agree in kind: a call that holds the event loop longer than the routing's
 * `blockMs` (default 5 ms) must not run on the loop. Among the executors left, the
 * highest throughput wins; executors within 10% of the best count as tied, and a tie goes
 * to `inspect()`'s choice when it is among them, else to the cheaper executor
 * (loop, then thread, then process).
 */
import { routingThresholds } from './decorator-bridge';
import type { BenchExecutor } from './options';
import type { ExecutorResult, InspectVerdict, Recommendation } from './result';

const TIE = 0.1;
const COST: Record<BenchExecutor, number> = { loop: 0, thread: 1, process: 2 };

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
  const { blockMs } = routingThresholds();
  const notes: string[] = [];
  let candidates = usable;
  const loop = usable.find((r) => r.executor === 'loop');
  if (loop !== undefined && usable.length > 1) {
    const block = loopBlock(loop, usable, blockMs);
    if (block !== undefined) {
      candidates = usable.filter((r) => r.executor !== 'loop');
      notes.push(`on the loop ${block} (limit ${fmt(blockMs)})`);
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
  }
  notes.push(why);
  return make(chosen.executor, capitalise(notes.join('; ')));
}

/** Words describing how `loop` blocked the event loop, or undefined if it did not. */
function loopBlock(loop: ExecutorResult, all: readonly ExecutorResult[], blockMs: number): string | undefined {
  const hold = holdPerCall(loop);
  if (hold > blockMs) return `each call held the event loop for ${fmt(hold)}, p99 loop delay ${fmt(loop.loopDelay.p99)}`;
  // The loop delay of the pools is the machine's background noise: compare above it.
  const others = all.filter((r) => r.executor !== 'loop').map((r) => r.loopDelay.p99);
  const baseline = others.length > 0 ? Math.min(...others) : 0;
  if (loop.loopDelay.p99 > baseline + blockMs) {
    return `the p99 loop delay was ${fmt(loop.loopDelay.p99)} (${fmt(baseline)} with the pools)`;
  }
  return undefined;
}

/** Mean time one loop call ran synchronously. */
function holdPerCall(loop: ExecutorResult): number {
  return loop.calls > 0 ? loop.cpu.workerBusyMs / loop.calls : 0;
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
