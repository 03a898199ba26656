/**
 * How the pool engine stops calls (docs/cancellation.md): a queued call leaves the queue; a
 * sent one its worker has not started is withdrawn; a running one is asked to stop
 * (`checkpoint()` throws, its signal aborts) and, if it has not ended `cancelGrace` ms later,
 * stopped by force: the link terminates its worker, and the calls that worker had not
 * started go to others. Part of the pool engine (./pool-engine.ts), which owns the calls
 * and workers this module acts on.
 */
import type { ExecutorCounters } from '../statistics';
import type { CallQueue } from './call-queue';
import type { Link, Slot } from './link';
import { afterGrace, type PoolCall } from './pool-call';

/** The parts of the engine stopping a call touches. */
export interface CallStoppingParts<H> {
  readonly queue: CallQueue<PoolCall>;
  readonly counters: ExecutorCounters;
  readonly link: Link<H>;
  readonly slots: readonly Slot<H>[];
  /** Milliseconds a running call asked to stop is given before it is stopped by force. */
  readonly cancelGrace: number;
  /** A call settled: the engine checks whether it has drained. */
  settled(): void;
  /** `slot`'s worker was stopped by force: nothing more goes to it; take back what it had not started. */
  forced(slot: Slot<H>): void;
}

/** The engine's cancellation: cancel one call, cancel every call not started, stop a late head. */
export class CallStopping<H> {
  readonly #parts: CallStoppingParts<H>;

  constructor(parts: CallStoppingParts<H>) {
    this.#parts = parts;
  }

  /** `call`'s Unfuture was asked to cancel (its cancel hook): stop it wherever it is. */
  cancel(call: PoolCall): void {
    if (call.state === 'done') return;
    const { queue, counters, link } = this.#parts;
    if (call.state === 'queued') {
      queue.forget();
      call.settleStopped(counters);
      this.#parts.settled();
      return;
    }
    const slot = call.place as Slot<H>;
    const found = call.withdrawn ?? link.withdraw(slot, call);
    call.withdrawn = found;
    if (found !== 'running') {
      // Not started and now never will ('never'), told not to start ('asked': lateHead
      // stops it if it did), or ended with its answer on the way: it ends cancelled now,
      // and stays in the worker's line until the worker answers for it.
      if (found === 'asked') call.stopRequested = true;
      call.settleStopped(counters);
      this.#parts.settled();
      return;
    }
    call.askToStop(
      this.#parts.cancelGrace,
      () => {
        if (link.requestStop(slot, call)) return true;
        call.settleStopped(counters); // it ended meanwhile: nothing to stop
        this.#parts.settled();
        return false;
      },
      () => this.#force(slot, call),
    );
  }

  /** Cancel every call that has not started: queued, or sent to a worker that has not started it. */
  cancelPending(message: string): void {
    const { queue, link, slots } = this.#parts;
    for (const call of [...queue.waiting()]) call.future.cancel(message);
    for (const slot of [...slots]) {
      // The head of each worker's line counts as running (statistics()); the calls behind
      // it are pending. Withdraw first: a call the worker started meanwhile finishes.
      let head = true;
      for (const call of [...slot.sent]) {
        if (call.state === 'done') continue;
        if (head) {
          head = false;
          continue;
        }
        const found = link.withdraw(slot, call);
        if (found === 'running' || found === 'ended') continue;
        call.withdrawn = found;
        call.future.cancel(message);
      }
    }
  }

  /**
   * `head` (settled) became the head of `slot`'s line after it was withdrawn with 'asked':
   * the worker may not have dropped it in time. If it still heads the line after
   * `cancelGrace`, it runs: stop it the hard way.
   */
  lateHead(slot: Slot<H>, head: PoolCall): void {
    if (!(head.stopRequested && head.withdrawn === 'asked')) return;
    head.withdrawn = undefined;
    const force = (): void => {
      if (slot.sent[0] === head) this.#force(slot, head);
    };
    const grace = this.#parts.cancelGrace;
    if (grace <= 0) force();
    else afterGrace(grace, force);
  }

  /** Stop `slot`'s running `call` by force; calls the worker had not started go elsewhere. */
  #force(slot: Slot<H>, call: PoolCall): void {
    if (slot.leaving) return;
    if (!this.#parts.link.forceStop(slot, call)) return;
    this.#parts.forced(slot);
  }
}
