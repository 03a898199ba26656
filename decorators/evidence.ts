/**
 * Rule 4 of `inspect`: measured evidence. The runtime records how long each decorated
 * sync function's calls take on each executor, and what they cost, and three rules turn
 * that into decisions, each with its own hysteresis: the placement, loop or off the loop
 * (`./placement.ts`), the kind, CPU-bound or blocking I/O (`./kind-evidence.ts`), and thread
 * against process (`./pool-choice.ts`). This file keeps one record per function and the
 * sampling of the CPU clock; beside it are the thresholds (`./evidence-thresholds.ts`), the
 * epoch the decorator's cached routes are checked against (`./evidence-epoch.ts`), and the
 * plain data it takes and gives (`./evidence-types.ts`).
 */
import { advanceEvidenceEpoch } from './evidence-epoch';
import { thresholds } from './evidence-thresholds';
import type { CallMeasure, ExecutorTimes, MeasuredDecision, MeasuredFacts, MeasuredKind, PoolRoute } from './evidence-types';
import { KindEvidence } from './kind-evidence';
import type { ConcreteExecutor } from './options';
import { Placement } from './placement';
import { lowest, PoolChoice, type Pool } from './pool-choice';

/** Mutable per-function record: its times, and the state of each rule. */
class Evidence {
  readonly times = new Map<ConcreteExecutor, { calls: number; totalMs: number; maxMs: number }>();
  readonly place = new Placement();
  returnedThenable = false;
  readonly kind = new KindEvidence();
  readonly pools = new PoolChoice();
  /** The pool `decide` would pick without the comparison, and whether it may compare (set by {@link poolRoute}). */
  guess: Pool | undefined = undefined;
  mayProbe = true;
  /** Loop calls seen, for sampling the CPU clock (see {@link wantsCpuSample}). */
  sampled = 0;
  /** Calls in a row too cheap to tell a kind (under `cheapMs`), for {@link wantsCpuSample}. */
  cheapInARow = 0;
}

const store = new WeakMap<object, Evidence>();

function evidenceOf(key: object): Evidence {
  let e = store.get(key);
  if (e === undefined) {
    e = new Evidence();
    store.set(key, e);
  }
  return e;
}

/** Forget everything measured about `key` (tests, or after the function changed behaviour). */
export function forgetEvidence(key: object): void {
  store.delete(key);
  advanceEvidenceEpoch();
}

/** Record that a call on the loop returned a thenable: the function is async from now on. */
export function recordThenable(key: object): void {
  const e = evidenceOf(key);
  if (!e.returnedThenable) advanceEvidenceEpoch();
  e.returnedThenable = true;
}

/** True once a call was seen returning a thenable. */
export function returnedThenable(key: object): boolean {
  return store.get(key)?.returnedThenable === true;
}

/**
 * Record one call of `key` that ran `ms` milliseconds on `executor`, and update its
 * placement, its measured kind and (pool calls) its thread/process comparison. For pool
 * calls `ms` is the worker's own measure of the run (no queueing, no message round trip);
 * the caller leaves out a worker's first call into the module, which also loaded it.
 * `measure` adds what else was measured (CPU time, preemption, the pool call's cost).
 */
export function recordCall(key: object, executor: ConcreteExecutor, ms: number, measure?: CallMeasure): void {
  const e = evidenceOf(key);
  const t = e.times.get(executor) ?? { calls: 0, totalMs: 0, maxMs: 0 };
  t.calls++;
  t.totalMs += ms;
  t.maxMs = Math.max(t.maxMs, ms);
  e.times.set(executor, t);
  const before = e.place.placement;
  // The function's own time: a preempted call waited for a core, which is the machine's doing.
  const own = Math.max(0, ms - (measure?.preemptedMs ?? 0));
  e.cheapInARow = own < thresholds.cheapMs ? e.cheapInARow + 1 : 0;
  // A new kind matters to the route once the function is off the loop (it picks the pool);
  // on the loop it only relabels, which inspect() decides afresh anyway.
  const kindChanged = measure?.cpuMs !== undefined && e.kind.record(measure.cpuMs, own, thresholds);
  let changed = kindChanged && (executor !== 'loop' || e.place.placement === 'off');
  if (executor === 'loop') e.place.onLoopCall(own, t.calls, t.totalMs, thresholds);
  else {
    e.place.onOffLoopCall(ms, thresholds);
    // Cheap runs are on their way back to the loop: which pool they use hardly matters.
    if (measure?.costMs !== undefined && ms > thresholds.cheapMs) {
      // What the pool adds to the call: its cost less the run, which is the same work on
      // either pool (measured under load, a run's length says how busy the cores were, not
      // which pool is better: see pool-choice.ts). Before any decision (tests), the pool it
      // ran on is where it was sent.
      const overhead = Math.max(0, measure.costMs - ms);
      const ranMs = (e.times.get('thread')?.totalMs ?? 0) + (e.times.get('process')?.totalMs ?? 0);
      changed = e.pools.record(executor, overhead, e.pools.route(e.guess ?? executor), e.mayProbe, thresholds, ranMs) || changed;
    }
  }
  if (changed || e.place.placement !== before) advanceEvidenceEpoch();
}

/**
 * True when the next call of `key` should measure its CPU time: a loop call reads the
 * thread's clock, a pool call asks its worker to (`SubmitOptions.cpuTime`). While its kind
 * is not measured yet every call does, then one call in 16 (about 1 µs per call; the kind of
 * a function rarely changes, and when it does a few samples find out, with the hysteresis of
 * `kind-evidence.ts`). Loop and pool calls count together. A function whose calls are all
 * too cheap to have a kind (under `cheapMs`, which the kind ignores) never gets one: after
 * {@link CHEAP_CALLS_UNSAMPLED} such calls in a row it is sampled one call in 16 as well, so
 * a tiny inline call does not pay two clock reads for nothing; after
 * {@link CHEAP_CALLS_RARE} cheap calls in a row (with or without a kind: cheap calls never
 * move it), one call in 256. A call that runs longer sends it back to every call (no kind
 * yet) or one in 16.
 */
export function wantsCpuSample(key: object): boolean {
  const e = evidenceOf(key);
  if (e.kind.kind === undefined && e.cheapInARow < CHEAP_CALLS_UNSAMPLED) return true;
  return (++e.sampled & (e.cheapInARow < CHEAP_CALLS_RARE ? 15 : 255)) === 0;
}

/** Cheap calls in a row after which a function without a kind is sampled like one with a kind. */
export const CHEAP_CALLS_UNSAMPLED = 8;

/**
 * Cheap calls in a row after which a function is sampled one call in 256 (two clock reads,
 * ~2-4 µs under `process.cpuUsage()`, were a fifth of a tiny inline call's cost at one in 16).
 */
export const CHEAP_CALLS_RARE = 1024;

/**
 * True while the pool `key`'s calls use may still change by measurement: thread/process
 * comparisons are on (`probeCalls` > 0), it may use either pool, and it has had fewer than
 * `maxFlips` of them. Only then does a call need what a comparison measures.
 */
export function comparesPools(key: object): boolean {
  const e = store.get(key);
  return thresholds.probeCalls > 0 && (e === undefined || (e.mayProbe && e.pools.rounds < thresholds.maxFlips));
}

/**
 * Where a call of `key` that its route sends to `pool` goes now: while a thread/process
 * comparison sends calls to the other pool, a call goes there only when `canStart(pool)`
 * (a worker is free, or the pool has none yet and this call starts one); else it goes to the
 * pool the comparison started from. So the probes trickle at the rate the other pool takes
 * them, each measured without a queue, instead of a burst that queues there (a saturated
 * server would send its whole burst to a cold pool and measure none of it). The decorator
 * passes `runsAlone` (./dispatch.ts): only a call with no other pool call in flight.
 */
export function comparisonRoute(key: object, pool: Pool, canStart: (pool: Pool) => boolean): Pool {
  const probe = store.get(key)?.pools.probe;
  if (probe === undefined || !probe.sending || pool !== probe.pool) return pool;
  return canStart(probe.pool) ? pool : probe.from;
}

/** A call of `key` was sent to `executor` (counts the calls a thread/process comparison sends). */
export function recordDispatch(key: object, executor: ConcreteExecutor): void {
  const e = store.get(key);
  if (e !== undefined && e.pools.dispatched(executor, thresholds)) advanceEvidenceEpoch();
}

/**
 * The pool the next off-loop call of `key` goes to: `guess` (the pool its kind or source
 * suggests) until a thread/process comparison measured otherwise, or the other pool while
 * one runs. `mayCompare` false (it needs a process) keeps it on `guess`.
 */
export function poolRoute(key: object, guess: Pool, mayCompare: boolean): PoolRoute {
  const e = evidenceOf(key);
  e.guess = guess;
  e.mayProbe = mayCompare;
  if (!mayCompare) return { pool: guess, reason: undefined };
  const p = e.pools;
  if (p.probe?.sending === true) {
    const current = p.probe.from;
    return {
      pool: p.probe.pool,
      reason: `comparing the pools: after ${p.costs[current].calls} calls on the ${current} pool, a few go to the ${p.probe.pool} pool to measure their cost there`,
    };
  }
  return { pool: p.chosen ?? guess, reason: p.chosen !== undefined ? p.reason : undefined };
}

/** The kind measurement says `key` is (CPU time against running time), or undefined before it does. */
export function measuredKind(key: object): MeasuredKind | undefined {
  const k = store.get(key)?.kind;
  if (k?.kind === undefined) return undefined;
  return { kind: k.kind, reason: k.reason() };
}

/** Plain data of what was measured about `key` (for `inspect`). */
export function measuredFacts(key: object): MeasuredFacts {
  const e = store.get(key);
  if (e === undefined) return NOTHING_MEASURED;
  const poolCostMs: Partial<Record<Pool, number>> = {};
  for (const pool of ['thread', 'process'] as const) {
    const recent = e.pools.costs[pool].recent;
    if (recent.length > 0) poolCostMs[pool] = lowest(recent);
  }
  return Object.freeze({
    cpuShare: e.kind.runMs > 0 ? e.kind.cpuMs / e.kind.runMs : undefined,
    cpuSamples: e.kind.samples,
    kind: e.kind.kind,
    poolCostMs: Object.freeze(poolCostMs),
    pool: e.pools.chosen,
    comparing: e.pools.probe?.sending === true,
  });
}

const NOTHING_MEASURED: MeasuredFacts = Object.freeze({
  cpuShare: undefined,
  cpuSamples: 0,
  kind: undefined,
  poolCostMs: Object.freeze({}),
  pool: undefined,
  comparing: false,
});


/** The measured placement of `key`, or undefined while there is not enough evidence. */
export function measuredDecision(key: object): MeasuredDecision | undefined {
  const place = store.get(key)?.place;
  if (place?.placement === undefined) return undefined;
  return { placement: place.placement, reason: place.reason };
}

/** Frozen timing summary of `key` per executor. */
export function timesOf(key: object): Readonly<Partial<Record<ConcreteExecutor, ExecutorTimes>>> {
  const out: Partial<Record<ConcreteExecutor, ExecutorTimes>> = {};
  const e = store.get(key);
  if (e !== undefined) {
    for (const [executor, t] of e.times) {
      out[executor] = Object.freeze({ calls: t.calls, totalMs: t.totalMs, maxMs: t.maxMs, meanMs: t.totalMs / t.calls });
    }
  }
  return Object.freeze(out);
}

/** The number of placement changes of `key` so far. */
export function flipsOf(key: object): number {
  return store.get(key)?.place.flips ?? 0;
}
