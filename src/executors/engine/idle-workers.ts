/**
 * Idle workers: when a worker's line empties, it is retired if it has run
 * `maxTasksPerWorker` calls, else once it has stayed idle for as long as its link says
 * ({@link Link.idleDelay}). One timer per worker, re-armed with `refresh()` rather than made
 * anew for every call that ends; a worker that takes a call again simply finds the timer
 * stale when it fires.
 */
import type { Link, Slot } from './link';

/** The idle timers of one pool's workers. */
export class IdleWorkers<H> {
  readonly #link: Link<H>;
  readonly #maxTasksPerWorker: number;
  readonly #places: () => number;
  readonly #retire: (slot: Slot<H>) => void;

  /** `places`: workers that count against maxWorkers; `retire`: let a worker go. */
  constructor(link: Link<H>, maxTasksPerWorker: number, places: () => number, retire: (slot: Slot<H>) => void) {
    this.#link = link;
    this.#maxTasksPerWorker = maxTasksPerWorker;
    this.#places = places;
    this.#retire = retire;
  }

  /** `slot`'s worker (not leaving) has no call left. */
  idle(slot: Slot<H>): void {
    if (slot.total >= this.#maxTasksPerWorker) {
      this.#retire(slot);
      return;
    }
    const delay = this.#link.idleDelay(slot, this.#places());
    if (delay === undefined) return;
    slot.idleSince = performance.now();
    if (slot.idleTimer === undefined) {
      slot.idleTimer = setTimeout(() => this.#check(slot), delay);
      slot.idleTimer.unref();
    } else {
      slot.idleTimer.refresh();
    }
  }

  /** `slot`'s worker leaves: its timer stops. */
  stop(slot: Slot<H>): void {
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
  }

  #check(slot: Slot<H>): void {
    if (slot.sent.length > 0 || slot.leaving) return; // re-armed when idle again
    const delay = this.#link.idleDelay(slot, this.#places());
    if (delay === undefined) return;
    const left = slot.idleSince + delay - performance.now();
    if (left > 1) {
      slot.idleTimer = setTimeout(() => this.#check(slot), left);
      slot.idleTimer.unref();
    } else {
      this.#retire(slot);
    }
  }
}
