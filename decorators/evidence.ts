/**
 * Rule 4 of `inspect`: measured evidence. The runtime records how long each decorated
 * sync function's calls take on each executor, and a small state machine turns that into a
 * placement (`loop` or `off` the loop) that is stable: it moves a function off the loop at
 * once when a call blocks the loop too long (the damage is bounded to one call), and back
 * only after a long streak of cheap calls, a streak that doubles after every move and stops
 * after `maxFlips` moves. So a decision never flip-flops.
 */
import { assertInteger, assertOptions, expected } from '../src/core/validate';
import type { ConcreteExecutor } from './options';

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
  /** After this many moves the function stays off the loop for good. Default 3. */
  maxFlips: number;
}

const DEFAULTS: EvidenceThresholds = { blockMs: 5, cheapMs: 0.2, confirmSamples: 4, returnStreak: 32, maxFlips: 3 };
const thresholds: EvidenceThresholds = { ...DEFAULTS };

/** Timing summary of one function on one executor. */
export interface ExecutorTimes {
  readonly calls: number;
  readonly totalMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** What measurement says about a function (what `inspect` and `statistics` show). */
export interface MeasuredDecision {
  readonly placement: 'loop' | 'off';
  /** Plain words: what was measured. */
  readonly reason: string;
}

/** Mutable per-function record. Invariant: `flips` only grows; `placement` changes only in `record`. */
class Evidence {
  readonly times = new Map<ConcreteExecutor, { calls: number; totalMs: number; maxMs: number }>();
  placement: 'loop' | 'off' | undefined = undefined;
  reason = '';
  flips = 0;
  cheapStreak = 0;
  /** The longest worker run time within the current cheap streak (ms). */
  streakMaxMs = 0;
  loopCallsSinceMove = 0;
  returnedThenable = false;
  /**
   * A function measured to run inline had one call over `blockMs`: moved only if the next
   * call is over it too. Invariant: only true while `placement === 'loop'`.
   */
  stalledOnce = false;
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
const COUNTS: ReadonlySet<keyof EvidenceThresholds> = new Set(['confirmSamples', 'returnStreak', 'maxFlips']);

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
    else if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(expected(`options.${key}`, 'a number of milliseconds', value));
    else if (!(value >= 0) || value === Infinity) throw new RangeError(expected(`options.${key}`, 'a finite number of milliseconds >= 0', value));
  }
  if (options.reset === true) Object.assign(thresholds, DEFAULTS);
  for (const key of KEYS) {
    const value = options[key];
    if (value !== undefined) thresholds[key] = value;
  }
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
 * placement. For pool calls `ms` is the worker's own measure of the run (no queueing, no
 * message round trip); the caller leaves out a worker's first call into the module, which
 * also loaded it.
 */
export function recordCall(key: object, executor: ConcreteExecutor, ms: number): void {
  const e = evidenceOf(key);
  const t = e.times.get(executor) ?? { calls: 0, totalMs: 0, maxMs: 0 };
  t.calls++;
  t.totalMs += ms;
  t.maxMs = Math.max(t.maxMs, ms);
  e.times.set(executor, t);
  const before = e.placement;
  if (executor === 'loop') onLoopCall(e, ms);
  else onOffLoopCall(e, ms);
  if (e.placement !== before) epoch++;
}

function onLoopCall(e: Evidence, ms: number): void {
  if (ms > thresholds.blockMs) {
    // Measured inline before: one slow call may be the machine, not the function (a
    // preempted or GC-paused 1-µs call reads 5+ ms on the wall clock). Wait for a second.
    if (e.placement === 'loop' && !e.stalledOnce) {
      e.stalledOnce = true;
      return;
    }
    e.stalledOnce = false;
    if (e.placement !== 'off') e.flips++;
    e.placement = 'off';
    e.cheapStreak = 0;
    e.streakMaxMs = 0;
    e.reason = `a call blocked the event loop for ${fmt(ms)} (limit ${fmt(thresholds.blockMs)}), so it was moved off the loop`;
    return;
  }
  e.stalledOnce = false;
  e.loopCallsSinceMove++;
  if (e.placement === undefined && e.loopCallsSinceMove >= thresholds.confirmSamples) {
    const t = e.times.get('loop')!;
    e.placement = 'loop';
    e.reason = `measured: ${t.calls} calls on the loop took ${fmt(t.totalMs / t.calls)} on average, none over the ${fmt(thresholds.blockMs)} limit, so it runs inline on the loop`;
  }
}

function onOffLoopCall(e: Evidence, ms: number): void {
  if (ms > thresholds.cheapMs) {
    e.cheapStreak = 0;
    e.streakMaxMs = 0;
    if (e.placement === undefined) {
      e.placement = 'off';
      e.reason = `measured: a call ran ${fmt(ms)} in a worker, more than the ${fmt(thresholds.cheapMs)} below which running it inline beats sending it, so it stays off the loop`;
    }
    return;
  }
  e.cheapStreak++;
  e.streakMaxMs = Math.max(e.streakMaxMs, ms);
  const needed = thresholds.returnStreak * 2 ** e.flips;
  if (e.placement !== 'loop' && e.flips < thresholds.maxFlips && e.cheapStreak >= needed) {
    if (e.placement === 'off') e.flips++;
    e.placement = 'loop';
    e.loopCallsSinceMove = 0;
    e.stalledOnce = false;
    e.reason = `measured: the last ${e.cheapStreak} calls each ran at most ${fmt(e.streakMaxMs)} in a worker (under ${fmt(thresholds.cheapMs)}), less than sending them there costs, so it runs inline on the loop`;
  } else if (e.placement === 'off' && e.flips >= thresholds.maxFlips) {
    e.reason = `kept off the loop for good after its placement changed ${e.flips} times`;
  }
}

/** The measured placement of `key`, or undefined while there is not enough evidence. */
export function measuredDecision(key: object): MeasuredDecision | undefined {
  const e = store.get(key);
  if (e === undefined || e.placement === undefined) return undefined;
  return { placement: e.placement, reason: e.reason };
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
  return store.get(key)?.flips ?? 0;
}

function fmt(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}
