/**
 * Run items in batches: one microtask runs every item pushed so far, in push order; items
 * pushed while a batch runs go to the next microtask, so batched work interleaves with
 * native promise jobs as it would with one job per item. The core uses two: settled
 * futures whose reactions must run, and tasks waiting for their first step. Batching is
 * what makes `await` on an Unfuture and `createTask` cheap (docs/performance.md).
 */

// A settled native promise schedules a V8 microtask without the per-call AsyncResource
// that Node's queueMicrotask allocates (measured: ~60 ns per await saved).
const RESOLVED = Promise.resolve();

/** A FIFO of items, each handed to `run` on a later microtask, many per microtask. */
export class MicrotaskBatch<T> {
  #items: T[] = [];
  #scheduled = false;
  readonly #run: (item: T) => void;
  readonly #begin: ((count: number) => void) | undefined;

  /** `begin(count)`, when given, runs at the start of each batch, before its `count` items. */
  constructor(run: (item: T) => void, begin?: (count: number) => void) {
    this.#run = run;
    this.#begin = begin;
  }

  /** Run `item` on a later microtask, after every item pushed before it. */
  push(item: T): void {
    this.#items.push(item);
    if (!this.#scheduled) {
      this.#scheduled = true;
      RESOLVED.then(this.#drain);
    }
  }

  readonly #drain = (): void => {
    const items = this.#items;
    this.#items = [];
    this.#scheduled = false;
    this.#begin?.(items.length);
    const run = this.#run;
    for (let i = 0; i < items.length; i++) {
      try {
        run(items[i]!);
      } catch (error) {
        rethrowLater(error);
      }
    }
  };
}

/**
 * Surface an error thrown by a callback like any uncaught error in a Node callback, without
 * stopping the callbacks after it. Internal API.
 */
export function rethrowLater(error: unknown): void {
  process.nextTick(() => {
    throw error;
  });
}
