/**
 * Rule 4 of `inspect`: measured evidence. The runtime records how long each decorated
 * sync function's calls take on each executor, and what they cost, and three rules turn
 * that into decisions, each with its own hysteresis: the placement, loop or off the loop
 * (`./placement.ts`), the kind, CPU-bound or blocking I/O (`./kind-evidence.ts`), and thread
 * against process (`./pool-choice.ts`). This file keeps one record per function, the
 * thresholds, the sampling of the CPU clock, and the epoch the decorator's cached routes
 * are checked against.
 */
import { assertInteger, assertOptions, expected } from '../src/core/validate';
import { KindEvidence } from './kind-evidence';
import type { ConcreteExecutor } from './options';
import { Placement } from './placement';
import { lowest, PoolChoice, type Pool } from './pool-choice';

/** Thresholds of the placement state machine (change with {@link configureEvidence}). */
export interface EvidenceThresholds {
  /**
   * A loop call longer than this (ms) moves the function off the loop (two in a row once it
   * was measured to run inline). Default 5.
   */
  blockMs: number;
  /** An off-loop run shorter than this (ms) counts as cheap. Default 0.2. */
  cheapMs: number;
  /** Loop calls, none over `blockMs`, before "stays on the loop" is a measured decision. Default 4. */
  confirmSamples: number;
  /** Consecutive cheap off-loop runs needed to move back to the loop (doubled per flip). Default 32. */
  returnStreak: number;
  /**
   * After this many moves the function stays off the loop for good (and after as many
   * kind changes, or thread/process comparisons, those stay too). Default 3.
   */
  maxFlips: number;
  /** A call that spent at least this share of its running time on a CPU is CPU-bound (0-1). Default 0.6. */
  cpuShare: number;
  /** A call that spent at most this share of its running time on a CPU is blocking I/O (0-1). Default 0.3. */
  ioShare: number;
  /** Measured calls in a row the other way that change a measured kind. Default 3. */
  kindStreak: number;
  /** Warm pool calls before the other pool is tried (doubled after each comparison). Default 16. */
  compareAfter: number;
  /**
   * Run time (ms) a function must have spent on the pools before its first thread/process
   * comparison: a comparison starts a worker in the other pool (a child process costs tens to
   * hundreds of ms of CPU to start, more under a TypeScript loader), which a function that
   * ran less would not earn back. Default 1000.
   */
  compareAfterMs: number;
  /** Calls per pool a thread/process comparison uses (0: never compare). Default 8. */
  probeCalls: number;
  /** The other pool's overhead per call must be lower by more than this fraction to win (0-1). Default 0.2. */
  switchMargin: number;
}

const DEFAULTS: EvidenceThresholds = {
  blockMs: 5,
  cheapMs: 0.2,
  confirmSamples: 4,
  returnStreak: 32,
  maxFlips: 3,
  cpuShare: 0.6,
  ioShare: 0.3,
  kindStreak: 3,
  compareAfter: 16,
  compareAfterMs: 1000,
  probeCalls: 8,
  switchMargin: 0.2,
};
const thresholds: EvidenceThresholds = { ...DEFAULTS };

/** Timing summary of one function on one executor. */
export interface ExecutorTimes {
  /** Calls measured on this executor. */
  readonly calls: number;
  /** Their summed running time (ms). */
  readonly totalMs: number;
  /** The longest (ms). */
  readonly maxMs: number;
  /** `totalMs / calls` (ms). */
  readonly meanMs: number;
}

/** What was measured of a call besides its wall time (all optional: tests and old workers give less). */
export interface CallMeasure {
  /** CPU time the thread spent in the call (ms). */
  readonly cpuMs?: number;
  /** Time the call was preempted, runnable but without a CPU (ms): neither its work nor waiting. */
  readonly preemptedMs?: number;
  /** Pool calls that ran alone (no other pool call in flight): from the submit to the answer here (ms); less the run, what the pool added, compared across pools. */
  readonly costMs?: number;
}

/** The measured kind of a function and why. */
export interface MeasuredKind {
  readonly kind: 'io' | 'cpu';
  readonly reason: string;
}

/** Measured facts `inspect` shows (plain data). */
export interface MeasuredFacts {
  /** Share of the measured calls' running time spent on a CPU; undefined before any. */
  readonly cpuShare: number | undefined;
  /** Calls whose CPU time was measured (and long enough to count). */
  readonly cpuSamples: number;
  /** The kind measurement says, once it does. */
  readonly kind: 'io' | 'cpu' | undefined;
  /** Lowest overhead per call (ms) of the recent warm calls on each pool (what a comparison compares): what the pool adds to the run (sending, waking a worker, the answer's trip). */
  readonly poolCostMs: Readonly<Partial<Record<'thread' | 'process', number>>>;
  /** The pool a thread/process comparison chose, once one ran. */
  readonly pool: 'thread' | 'process' | undefined;
  /** True while a comparison sends calls to the other pool. */
  readonly comparing: boolean;
}

/** Where the next off-loop call goes, and, when measurement chose it, why. */
export interface PoolRoute {
  readonly pool: Pool;
  readonly reason: string | undefined;
}

/** What measurement says about a function (what `inspect` and `statistics` show). */
export interface MeasuredDecision {
  readonly placement: 'loop' | 'off';
  /** Plain words: what was measured. */
  readonly reason: string;
}

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

/**
 * Bumped whenever anything a routing decision depends on changes: a placement, a thenable
 * seen, the thresholds, forgotten evidence. A decision cached with the current epoch is
 * still right (the decorator's hot path caches one per function, `./route.ts`).
 */
let epoch = 0;

/** The current evidence epoch (see above). */
export function evidenceEpoch(): number {
  return epoch;
}

function evidenceOf(key: object): Evidence {
  let e = store.get(key);
  if (e === undefined) {
    e = new Evidence();
    store.set(key, e);
  }
  return e;
}

const KEYS = Object.keys(DEFAULTS) as Array<keyof EvidenceThresholds>;
/** Thresholds that count calls or moves (integers); the others are milliseconds. */
const COUNTS: ReadonlySet<keyof EvidenceThresholds> = new Set(['confirmSamples', 'returnStreak', 'maxFlips', 'kindStreak', 'compareAfter', 'probeCalls']);
/** Thresholds that are fractions (0-1). */
const FRACTIONS: ReadonlySet<keyof EvidenceThresholds> = new Set(['cpuShare', 'ioShare', 'switchMargin']);

/**
 * Change the thresholds of the placement state machine, for every decorated function, and
 * return the thresholds now in force (a copy). `reset: true` restores the defaults first.
 * Every option is checked before any is applied: an unknown key or a bad value throws
 * (`TypeError`/`RangeError`) and changes nothing. `configureEvidence({})` only reads them.
 *
 * @example
 * configureEvidence({ blockMs: 20 }); // tolerate loop calls up to 20 ms before moving them
 */
export function configureEvidence(options: Partial<EvidenceThresholds> & { reset?: boolean }): EvidenceThresholds {
  assertOptions('options', options, [...KEYS, 'reset']);
  if (options === undefined) throw new TypeError(expected('options', 'an options object', options));
  if (options.reset !== undefined && typeof options.reset !== 'boolean') {
    throw new TypeError(expected('options.reset', 'a boolean', options.reset));
  }
  for (const key of KEYS) {
    const value = options[key];
    if (value === undefined) continue;
    if (COUNTS.has(key)) assertInteger(`options.${key}`, value, 0);
    else if (FRACTIONS.has(key)) {
      if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(expected(`options.${key}`, 'a fraction from 0 to 1', value));
      if (!(value >= 0 && value <= 1)) throw new RangeError(expected(`options.${key}`, 'a fraction from 0 to 1', value));
    }
    else if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(expected(`options.${key}`, 'a number of milliseconds', value));
    else if (!(value >= 0) || value === Infinity) throw new RangeError(expected(`options.${key}`, 'a finite number of milliseconds >= 0', value));
  }
  const next: EvidenceThresholds = options.reset === true ? { ...DEFAULTS } : { ...thresholds };
  for (const key of KEYS) {
    const value = options[key];
    if (value !== undefined) next[key] = value;
  }
  if (next.ioShare >= next.cpuShare) {
    throw new RangeError(expected('options.ioShare', `less than cpuShare (${next.cpuShare})`, next.ioShare));
  }
  Object.assign(thresholds, next);
  epoch++;
  return { ...thresholds };
}

/** Forget everything measured about `key` (tests, or after the function changed behaviour). */
export function forgetEvidence(key: object): void {
  store.delete(key);
  epoch++;
}

/** Record that a call on the loop returned a thenable: the function is async from now on. */
export function recordThenable(key: object): void {
  const e = evidenceOf(key);
  if (!e.returnedThenable) epoch++;
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
  if (changed || e.place.placement !== before) epoch++;
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
  if (e !== undefined && e.pools.dispatched(executor, thresholds)) epoch++;
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
