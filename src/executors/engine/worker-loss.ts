/**
 * What a worker's calls become when the worker goes: the calls it started end (crashed, or
 * stopped when a stop was asked), the ones it never started go back to the queue ahead of
 * newer calls, and workers that keep dying before they are ready eventually fail the calls
 * that wait for them instead of being started forever. Part of the pool engine
 * (./pool-engine.ts), which calls it when a link reports a worker gone or a worker leaves.
 */
import type { WorkerCrashedError } from '../../core/executor-errors';
import type { ExecutorCounters } from '../statistics';
import type { CallQueue } from './call-queue';
import type { Link, LinkExit, Slot } from './link';
import type { PoolCall } from './pool-call';

/** Workers in a row that may die before they are ready, with none ready, before waiting calls fail. */
const MAX_FAILED_STARTS = 3;

/** The parts of the engine a worker's loss touches. */
export interface WorkerLossParts<H> {
  readonly queue: CallQueue<PoolCall>;
  readonly counters: ExecutorCounters;
  readonly link: Link<H>;
  /** Whether any worker has been ready (so that calls can still be served). */
  anyReady(): boolean;
}

/** The engine's rules for lost workers, and the count of workers that died before they were ready. */
export class WorkerLoss<H> {
  readonly #parts: WorkerLossParts<H>;
  // Workers that died before they were ready since the last one that became ready.
  #failedStarts = 0;

  constructor(parts: WorkerLossParts<H>) {
    this.#parts = parts;
  }

  /** A worker became ready: starts work again. */
  ready(): void {
    this.#failedStarts = 0;
  }

  /** Whether the last worker started died before it was ready (a warm-up then waits for a call). */
  get lastStartFailed(): boolean {
    return this.#failedStarts > 0;
  }

  /**
   * `slot`'s worker is gone (the engine has taken it out of its workers): settle what it
   * started, queue again what it never started, and fail the waiting calls when workers
   * cannot start at all.
   */
  gone(slot: Slot<H>, exit: LinkExit): void {
    const { queue, counters } = this.#parts;
    const calls = slot.sent.splice(0);
    for (const call of slot.outbox.splice(0)) queue.giveBack(call);
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]!;
      // Asked first for every call: the link may claim the call so the worker never starts it.
      const started = exit.started(call, i);
      if (call.state === 'done') continue;
      if (exit.mismatch !== undefined) call.fail(exit.mismatch(call), counters);
      else if (!started) {
        call.requeue();
        queue.giveBack(call);
      } else if (call.stopRequested) call.settleStopped(counters);
      else call.fail(exit.crashError(call), counters);
    }
    // One worker that died while it started (the OOM killer, an operator) costs nothing: the
    // pump starts another. Only when starts keep failing and none is ready (a bad execArgv, a
    // protocol mismatch) are the waiting calls failed, instead of starting workers forever.
    if (exit.neverReady) this.#failedStarts++;
    if (exit.mismatch !== undefined) this.#failWaiting((call) => exit.mismatch!(call));
    else if (exit.neverReady && this.#failedStarts >= MAX_FAILED_STARTS && !this.#parts.anyReady()) {
      const starts = this.#failedStarts;
      this.#failWaiting((call) => exit.startFailed?.(call, starts) ?? exit.crashError(call));
    }
  }

  /**
   * Take back from a leaving `slot` every call its link can claim unstarted, ahead of newer
   * calls. Returns whether any went back to the queue (the engine then pumps).
   */
  reclaim(slot: Slot<H>): boolean {
    const { queue, link } = this.#parts;
    const back: PoolCall[] = [];
    for (const call of [...slot.sent]) {
      if (!link.reclaim(slot, call)) continue;
      slot.sent.splice(slot.sent.indexOf(call), 1);
      if (call.state !== 'done') back.push(call);
    }
    for (const call of back) {
      call.requeue();
      queue.giveBack(call);
    }
    return back.length > 0;
  }

  /** No worker could start (or every one refuses the protocol): fail the waiting calls. */
  #failWaiting(error: (call: PoolCall) => WorkerCrashedError): void {
    this.#failedStarts = 0;
    const { queue, counters } = this.#parts;
    for (const call of [...queue.waiting()]) {
      queue.forget();
      call.fail(error(call), counters);
    }
  }
}
