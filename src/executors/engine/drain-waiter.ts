/**
 * What a pool's `close()` waits on: a promise that resolves once the pool has nothing left
 * (no call queued, none with a worker). Both pools use one; they say what "busy" means.
 */
export class DrainWaiter {
  #resolve: (() => void) | undefined = undefined;

  constructor(private readonly busy: () => boolean) {}

  /** Resolves at once when the pool is idle, else at the first `check()` that finds it idle. */
  wait(): Promise<void> {
    return this.busy() ? new Promise((resolve) => (this.#resolve = resolve)) : Promise.resolve();
  }

  /** Call after every change that may leave the pool idle (cheap when nobody waits). */
  check(): void {
    if (this.#resolve !== undefined && !this.busy()) {
      const resolve = this.#resolve;
      this.#resolve = undefined;
      resolve();
    }
  }
}
