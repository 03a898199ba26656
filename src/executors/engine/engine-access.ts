/**
 * What a link may do to the pool engine above it, besides reporting events
 * (`LinkEvents`): look at the workers, ask for a dispatch, and, for a caller blocked in
 * `resultSync` (whose event loop cannot turn, so the engine's pump cannot run), find that
 * call and move it by hand: out of the queue or back from a worker that has not started it,
 * onto a worker that serves it without the event loop. Users: `../links/thread/thread-link.ts`
 * and `../links/process/process-link.ts` (their `prepareSyncWait`). Only the engine makes
 * one, handing it the {@link EngineParts} it works on; the engine's state stays its own.
 */
import type { Unfuture } from '../../core/future';
import type { ExecutorCounters } from '../statistics';
import type { CallQueue } from './call-queue';
import type { Slot } from './link';
import type { PoolCall } from './pool-call';

/** The parts of the engine an {@link EngineAccess} works on (the engine's own, handed over once). */
export interface EngineParts<H> {
  // Every worker not reported gone (leaving ones included).
  readonly slots: readonly Slot<H>[];
  readonly queue: CallQueue<PoolCall>;
  readonly counters: ExecutorCounters;
  /** Start a worker now, whatever the queue says. */
  spawn(): Slot<H>;
  /** Send `call` (not queued, not sent) to `slot` now; false when it did not leave (see {@link EngineAccess.sendNow}). */
  sendNow(call: PoolCall, slot: Slot<H>): boolean;
  /** Let `slot`'s worker go (calls it has not started go elsewhere first). */
  retire(slot: Slot<H>): void;
  /** Dispatch in a microtask. */
  schedulePump(): void;
  /** The call at `index` of `slot`'s line left it (-1: it was not there): a new head runs, an empty line is idle. */
  lineChanged(slot: Slot<H>, index: number): void;
}

/** A link's access to its engine: see the module comment. */
export class EngineAccess<H> {
  readonly #parts: EngineParts<H>;

  constructor(parts: EngineParts<H>) {
    this.#parts = parts;
  }

  /** The pool's counters (a call a blocked caller settles itself counts there). */
  get counters(): ExecutorCounters {
    return this.#parts.counters;
  }

  /** Every worker not gone (leaving ones included), for links that look for a call. */
  slots(): Iterable<Slot<H>> {
    return this.#parts.slots;
  }

  /** Dispatch soon (a worker can take calls again, e.g. its gate opened). */
  kick(): void {
    this.#parts.schedulePump();
  }

  // ---- a caller blocked in resultSync ------------------------------------------------------

  /** The pending call behind `future`, and the worker holding it (undefined while queued). */
  find(future: Unfuture<unknown>): { call: PoolCall; slot: Slot<H> | undefined } | undefined {
    for (const slot of this.#parts.slots) {
      for (const call of slot.sent) if (call.future === future && call.state !== 'done') return { call, slot };
    }
    for (const call of this.#parts.queue.waiting()) if (call.future === future) return { call, slot: undefined };
    return undefined;
  }

  /** Take the queued `call` out of the queue (a blocked caller sends it somewhere itself). */
  unqueue(call: PoolCall): void {
    this.#parts.queue.withdraw(call);
  }

  /** Take back `call`, which the worker of `slot` will never start (the link claimed it). */
  takeBack(slot: Slot<H>, call: PoolCall): void {
    const index = slot.sent.indexOf(call);
    if (index >= 0) slot.sent.splice(index, 1);
    call.requeue();
    this.#parts.lineChanged(slot, index);
  }

  /** Queue `call` again ahead of newer calls (it could not be sent where a blocked caller wanted). */
  giveBack(call: PoolCall): void {
    this.#parts.queue.giveBack(call);
    this.#parts.schedulePump();
  }

  /** Start a worker now (a blocked caller needs one), whatever the queue says. */
  spawn(): Slot<H> {
    return this.#parts.spawn();
  }

  /**
   * Send `call` (not queued, not sent) to `slot` now. False when it did not leave: it failed
   * to clone (and is failed) or the worker is unreachable (it is queued again).
   */
  sendNow(call: PoolCall, slot: Slot<H>): boolean {
    return this.#parts.sendNow(call, slot);
  }

  /** Let `slot`'s worker go now (a session a blocked caller could not use). */
  retireNow(slot: Slot<H>): void {
    this.#parts.retire(slot);
  }
}
