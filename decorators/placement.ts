/**
 * Loop or off the loop, from measurement: the placement state machine of a decorated sync
 * function (rule 4 of `inspect`, kept per function by `./evidence.ts`). It moves a function
 * off the loop at once when a call blocks the loop too long (the damage is bounded to one
 * call; a function measured to run inline needs two such calls in a row, since one slow
 * call may be the machine), and back only after a long streak of cheap worker runs, a
 * streak that doubles after every move; after `maxFlips` moves it stays off the loop. So a
 * decision never flip-flops. Its siblings decide the rest from the same calls: the kind
 * (`./kind-evidence.ts`) and thread against process (`./pool-choice.ts`).
 */

/** The thresholds this file reads (a view of the evidence thresholds). */
export interface PlacementThresholds {
  readonly blockMs: number;
  readonly cheapMs: number;
  readonly confirmSamples: number;
  readonly returnStreak: number;
  readonly maxFlips: number;
}

/** Invariant: `flips` only grows; `placement` changes only in `onLoopCall` / `onOffLoopCall`. */
export class Placement {
  placement: 'loop' | 'off' | undefined = undefined;
  /** Plain words: why `placement` is what it is. */
  reason = '';
  flips = 0;
  cheapStreak = 0;
  /** The longest worker run time within the current cheap streak (ms). */
  streakMaxMs = 0;
  loopCallsSinceMove = 0;
  /**
   * A function measured to run inline had one call over `blockMs`: moved only if the next
   * call is over it too. Invariant: only true while `placement === 'loop'`.
   */
  stalledOnce = false;

  /**
   * A call ran `ms` inline on the loop; `loopCalls` / `loopTotalMs` are all its loop calls so
   * far (for the reason's words).
   */
  onLoopCall(ms: number, loopCalls: number, loopTotalMs: number, t: PlacementThresholds): void {
    if (ms > t.blockMs) {
      // Measured inline before: one slow call may be the machine, not the function (a
      // preempted or GC-paused 1-µs call reads 5+ ms on the wall clock). Wait for a second.
      if (this.placement === 'loop' && !this.stalledOnce) {
        this.stalledOnce = true;
        return;
      }
      this.stalledOnce = false;
      if (this.placement !== 'off') this.flips++;
      this.placement = 'off';
      this.cheapStreak = 0;
      this.streakMaxMs = 0;
      this.reason = `a call blocked the event loop for ${fmt(ms)} (limit ${fmt(t.blockMs)}), so it was moved off the loop`;
      return;
    }
    this.stalledOnce = false;
    this.loopCallsSinceMove++;
    if (this.placement === undefined && this.loopCallsSinceMove >= t.confirmSamples) {
      this.placement = 'loop';
      this.reason = `measured: ${loopCalls} calls on the loop took ${fmt(loopTotalMs / loopCalls)} on average, none over the ${fmt(t.blockMs)} limit, so it runs inline on the loop`;
    }
  }

  /** A call ran `ms` in a worker (the worker's own measure of the run). */
  onOffLoopCall(ms: number, t: PlacementThresholds): void {
    if (ms > t.cheapMs) {
      this.cheapStreak = 0;
      this.streakMaxMs = 0;
      if (this.placement === undefined) {
        this.placement = 'off';
        this.reason = `measured: a call ran ${fmt(ms)} in a worker, more than the ${fmt(t.cheapMs)} below which running it inline beats sending it, so it stays off the loop`;
      }
      return;
    }
    this.cheapStreak++;
    this.streakMaxMs = Math.max(this.streakMaxMs, ms);
    const needed = t.returnStreak * 2 ** this.flips;
    if (this.placement !== 'loop' && this.flips < t.maxFlips && this.cheapStreak >= needed) {
      if (this.placement === 'off') this.flips++;
      this.placement = 'loop';
      this.loopCallsSinceMove = 0;
      this.stalledOnce = false;
      this.reason = `measured: the last ${this.cheapStreak} calls each ran at most ${fmt(this.streakMaxMs)} in a worker (under ${fmt(t.cheapMs)}), less than sending them there costs, so it runs inline on the loop`;
    } else if (this.placement === 'off' && this.flips >= t.maxFlips) {
      this.reason = `kept off the loop for good after its placement changed ${this.flips} times`;
    }
  }
}

function fmt(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}
