/**
 * A pool's waiting line (thread and process pools): calls not handed to any worker, in FIFO
 * order, with a priority lane for calls given back by a worker that died or was stopped
 * before starting them (they were submitted earlier, so they go first).
 */
import type { PoolCall } from './pool-call';

/** A FIFO of pool calls; a call that ended while waiting (cancelled) is skipped, not searched for. */
export class CallQueue<C extends PoolCall> {
  #items: (C | undefined)[] = [];
  #head = 0;
  // Calls given back by a child; served before #items, in the order given back.
  #returned: C[] = [];
  #returnedHead = 0;
  // Invariant: the number of entries not yet taken whose call is not `done`.
  #live = 0;

  /** Calls waiting (cancelled ones excluded). */
  get size(): number {
    return this.#live;
  }

  push(call: C): void {
    this.#items.push(call);
    this.#live++;
  }

  /** Give back a call that a worker never started: it goes before every other waiting call. */
  giveBack(call: C): void {
    this.#returned.push(call);
    this.#live++;
  }

  /** A waiting call ended (cancelled): keep the count right; the entry is skipped later. */
  forget(): void {
    this.#live--;
  }

  /** Take `call` out of the line wherever it waits (a blocked caller sends it ahead). */
  withdraw(call: C): void {
    const returned = this.#returned.indexOf(call, this.#returnedHead);
    if (returned >= 0) {
      this.#returned.splice(returned, 1);
    } else {
      const index = this.#items.indexOf(call, this.#head);
      if (index < 0) return;
      this.#items[index] = undefined;
    }
    this.#live--;
  }

  /** The next waiting call, or undefined. */
  take(): C | undefined {
    while (this.#returnedHead < this.#returned.length) {
      const call = this.#returned[this.#returnedHead++]!;
      if (this.#returnedHead === this.#returned.length) {
        this.#returned = [];
        this.#returnedHead = 0;
      }
      if (call.state !== 'done') {
        this.#live--;
        return call;
      }
    }
    while (this.#head < this.#items.length) {
      const call = this.#items[this.#head];
      this.#items[this.#head++] = undefined;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (call !== undefined && call.state !== 'done') {
        this.#live--;
        return call;
      }
    }
    return undefined;
  }

  /** Every waiting call (for cancelling them all). */
  *waiting(): Iterable<C> {
    for (let i = this.#returnedHead; i < this.#returned.length; i++) {
      const call = this.#returned[i]!;
      if (call.state !== 'done') yield call;
    }
    for (let i = this.#head; i < this.#items.length; i++) {
      const call = this.#items[i];
      if (call !== undefined && call.state !== 'done') yield call;
    }
  }
}
