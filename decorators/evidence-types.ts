/**
 * The plain data measured evidence (`./evidence.ts`) takes and gives: what was measured of a
 * call, per-executor timing summaries, and what measurement says about a function (its kind,
 * its placement, its pool, the facts `inspect` shows). Kept apart from the rules so the
 * evidence's file stays about logic.
 */
import type { Pool } from './pool-choice';

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
