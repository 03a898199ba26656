/**
 * The thresholds of measured evidence (rule 4 of `inspect`, `./evidence.ts`): what each rule
 * counts as blocking, cheap, CPU-bound or worth a thread/process comparison, their defaults,
 * and `configureEvidence`, which checks and changes them for every decorated function.
 */
import { assertInteger, assertOptions, expected } from '../src/core/validate';
import { advanceEvidenceEpoch } from './evidence-epoch';

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
/** The thresholds in force, read by every rule (changed only by {@link configureEvidence}). */
export const thresholds: EvidenceThresholds = { ...DEFAULTS };

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
  advanceEvidenceEpoch();
  return { ...thresholds };
}
