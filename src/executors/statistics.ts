/**
 * Counters behind `Executor.statistics()`, shared by every executor.
 */
import type { ExecutorKind } from '../core/future';
import type { DurationSummary, ExecutorState, ExecutorStatistics } from './executor';

/** A running count/sum/min/max of durations (ms). */
export class DurationRecorder {
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = 0;

  record(ms: number): void {
    if (!(ms >= 0)) ms = 0;
    this.#count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  summary(): DurationSummary {
    const count = this.#count;
    return Object.freeze({
      count,
      mean: count === 0 ? 0 : this.#sum / count,
      min: count === 0 ? 0 : this.#min,
      max: this.#max,
    });
  }
}

/** How a call ended, for the counters. */
export type CallEnd = 'completed' | 'failed' | 'cancelled';

/** The counters of one executor. */
export class ExecutorCounters {
  completed = 0;
  failed = 0;
  cancelled = 0;
  /** Running calls that were asked to stop and ended within the grace period (worker kept). */
  stoppedCooperatively = 0;
  /** Workers terminated (thread) or killed (process) because a call asked to stop did not. */
  terminatedForCancel = 0;
  readonly waitTime = new DurationRecorder();
  readonly runTime = new DurationRecorder();

  count(end: CallEnd): void {
    this[end]++;
  }

  snapshot(executor: ExecutorKind, state: ExecutorState, live: { workers: number; queued: number; running: number }): ExecutorStatistics {
    return Object.freeze({
      executor,
      state,
      workers: live.workers,
      queued: live.queued,
      running: live.running,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled,
      stoppedCooperatively: this.stoppedCooperatively,
      terminatedForCancel: this.terminatedForCancel,
      waitTime: this.waitTime.summary(),
      runTime: this.runTime.summary(),
    });
  }
}
