/**
 * A pool's workers as the engine sees them: the set of slots, and the questions the engine
 * asks of it when it dispatches (which worker takes the next call, how many places are
 * taken, how many workers are starting). The engine (`./pool-engine.ts`) and its
 * dispatcher (`./dispatcher.ts`) own what changes the set (start, gone, leave); this module
 * only reads it, with the link's help for what only the link knows (`accepting`,
 * `starting`, `leavingHoldsPlace`).
 */
import type { Link, Slot } from './link';

/** What the worker set needs to know of the pool's options. */
export interface WorkerSetLimits {
  readonly maxWorkers: number;
  /** Calls a worker runs before it is retired (Infinity: no limit). */
  readonly maxTasksPerWorker: number;
}

/** The dispatcher's questions about one pool's workers. */
export class WorkerSet<H> {
  /** The engine's slots: every worker not reported gone (leaving ones included). */
  readonly slots: readonly Slot<H>[];
  readonly #link: Link<H>;
  readonly #limits: WorkerSetLimits;

  /** `slots` stays the engine's: it adds and removes workers, this set only reads them. */
  constructor(slots: readonly Slot<H>[], link: Link<H>, limits: WorkerSetLimits) {
    this.slots = slots;
    this.#link = link;
    this.#limits = limits;
  }

  /**
   * A worker for the next call: an idle one; else, when no worker can be added (every
   * place taken, none starting), the least busy one holding fewer than `depth()` calls.
   * Undefined: the call waits (or a new worker should be started for it).
   */
  pick(depth: () => number): Slot<H> | undefined {
    let best: Slot<H> | undefined;
    let bestLoad = Infinity;
    for (const slot of this.slots) {
      if (!this.canTake(slot)) continue;
      const load = slot.sent.length + slot.outbox.length;
      if (load === 0) return slot;
      if (load < bestLoad) (best = slot), (bestLoad = load);
    }
    if (best === undefined || this.places() < this.#limits.maxWorkers || this.starting() > 0) return undefined;
    return bestLoad < depth() ? best : undefined;
  }

  /** A worker that can take a call and holds none. */
  idle(): Slot<H> | undefined {
    for (const slot of this.slots) if (slot.sent.length === 0 && slot.outbox.length === 0 && this.canTake(slot)) return slot;
    return undefined;
  }

  /** Whether `slot`'s worker can be sent another call now. */
  canTake(slot: Slot<H>): boolean {
    return !slot.leaving && !slot.unreachable && slot.total + slot.outbox.length < this.#limits.maxTasksPerWorker && this.#link.accepting(slot);
  }

  /** Workers that count against maxWorkers. */
  places(): number {
    if (this.#link.leavingHoldsPlace) return this.slots.length;
    let n = 0;
    for (const slot of this.slots) if (!slot.leaving) n++;
    return n;
  }

  /** Workers still starting (not leaving). */
  starting(): number {
    let n = 0;
    for (const slot of this.slots) if (!slot.leaving && this.#link.starting(slot)) n++;
    return n;
  }

  /** Whether some worker (not leaving) can take calls. */
  anyReady(): boolean {
    for (const slot of this.slots) if (!slot.leaving && this.#link.accepting(slot)) return true;
    return false;
  }

  /** Whether some worker holds a call (sent, or picked to be sent). */
  anyBusy(): boolean {
    for (const slot of this.slots) if (slot.sent.length > 0 || slot.outbox.length > 0) return true;
    return false;
  }
}
