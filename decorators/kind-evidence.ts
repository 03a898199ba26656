/**
 * What a sync function *is*, from what its calls cost: the share of a call's running time
 * that its thread spent on a CPU. A thread that waits (file system, a child process,
 * `Atomics.wait`) uses little CPU; one that computes (a loop, bcryptjs, marked, js-yaml,
 * zlib) uses about all of it. Names of the functions it calls play no part here.
 *
 * Hysteresis: the first clear sample sets the kind (a call long enough to be measured is
 * strong evidence, and the first one decides where a blocking call moves); after that it
 * takes `kindStreak` clear samples in a row the other way to change it, an ambiguous sample
 * (between the two thresholds) breaks such a streak, and after `maxFlips` changes the kind
 * stays. Calls shorter than `cheapMs` say nothing (the clock's own cost would dominate).
 */

/** The thresholds this file reads (a view of the evidence thresholds). */
export interface KindThresholds {
  readonly cpuShare: number;
  readonly ioShare: number;
  readonly kindStreak: number;
  readonly cheapMs: number;
  readonly maxFlips: number;
}

/** Invariant: `changes` only grows; `kind` changes only in `record`. */
export class KindEvidence {
  kind: 'io' | 'cpu' | undefined = undefined;
  /** Samples that counted (run at least `cheapMs`), and their totals. */
  samples = 0;
  cpuMs = 0;
  runMs = 0;
  /** Clear samples in a row against the current kind. */
  contrary = 0;
  changes = 0;
  /** The share of the sample that last set the kind. */
  decidingShare = 0;

  /**
   * Record one measured call; true when the kind changed. `runMs` is the call's wall time
   * minus the time it was preempted: the time it either computed or waited.
   */
  record(cpuMs: number, runMs: number, t: KindThresholds): boolean {
    if (!(runMs >= t.cheapMs) || runMs <= 0) return false;
    const share = Math.min(1, cpuMs / runMs);
    this.samples++;
    this.cpuMs += Math.min(cpuMs, runMs);
    this.runMs += runMs;
    const vote = share >= t.cpuShare ? 'cpu' : share <= t.ioShare ? 'io' : undefined;
    if (vote === undefined || vote === this.kind) {
      this.contrary = 0;
      return false;
    }
    if (this.kind === undefined) {
      this.kind = vote;
      this.decidingShare = share;
      return true;
    }
    this.contrary++;
    if (this.contrary < t.kindStreak || this.changes >= t.maxFlips) return false;
    this.kind = vote;
    this.decidingShare = share;
    this.contrary = 0;
    this.changes++;
    return true;
  }

  /** Plain words for `inspect`: the measured share and what it means. */
  reason(): string {
    const share = this.runMs > 0 ? this.cpuMs / this.runMs : 0;
    const what = this.kind === 'cpu' ? 'CPU-bound' : 'blocking I/O (it waits)';
    return `its measured calls (${this.samples}) spent ${pct(share)} of their running time on a CPU: ${what}`;
  }
}

function pct(share: number): string {
  return `${Math.round(share * 100)}%`;
}
