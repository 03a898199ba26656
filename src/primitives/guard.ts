/**
 * `Guard`: what `Lock.acquire()` and `Semaphore.acquire()` resolve to. Releasing it gives
 * back exactly the hold it stands for, once; it is disposable, so a scope can hold a lock
 * with `await using`.
 */

/**
 * One hold on a lock or one semaphore permit. `release()` gives it back; later calls (and
 * disposal after an explicit release) do nothing, so a guard can never release a hold that
 * belongs to someone else.
 *
 * @example
 * {
 *   await using _held = await lock.acquire();
 *   // ... critical section; released when the block exits, even on throw
 * }
 */
export class Guard implements Disposable, AsyncDisposable {
  // Invariant: defined exactly while this hold is still held.
  #release: ((guard: Guard) => void) | undefined;

  /** @internal Made by the primitives. */
  constructor(release: (guard: Guard) => void) {
    this.#release = release;
  }

  /** True once this hold was given back (through this guard or its primitive). */
  get released(): boolean {
    return this.#release === undefined;
  }

  /** Give the hold back. Returns false if it was already released. */
  release(): boolean {
    const release = this.#release;
    if (release === undefined) return false;
    this.#release = undefined;
    release(this);
    return true;
  }

  /** @internal The primitive released this hold directly (e.g. `lock.release()`). */
  invalidate(): void {
    this.#release = undefined;
  }

  /** `using` support: releases the hold. */
  [Symbol.dispose](): void {
    this.release();
  }

  /** `await using` support: releases the hold. */
  [Symbol.asyncDispose](): Promise<void> {
    this.release();
    return Promise.resolve();
  }
}
