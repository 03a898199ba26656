/**
 * The remote executor's fallback for missed events: a timer that, while calls wait, looks at
 * their jobs' stored state every `pollInterval` ms, so that a `QueueEvents` event lost to a
 * reconnect delays a result by about one interval at most (docs/remote.md, "A call's life").
 * Part of the remote executor (./remote-executor.ts), which says what a tick looks at.
 */

/**
 * One interval timer, armed while there is something to look at. Unreferenced: it never
 * keeps the process alive by itself (the connections of a waiting call do).
 *
 * @example
 * const poll = new JobPoll(1000, () => lookAtWaitingJobs()); // false when none waits
 * poll.arm(); // after a job was added
 */
export class JobPoll {
  readonly #interval: number;
  readonly #tick: () => boolean;
  /** Invariant: set exactly while the poll is armed. */
  #timer: NodeJS.Timeout | undefined = undefined;

  /**
   * `tick` runs every `interval` ms while armed; it returns false when nothing waits, which
   * stops the poll (at a tick, not when the last call settles: one call after another would
   * otherwise make and clear a timer each).
   */
  constructor(interval: number, tick: () => boolean) {
    this.#interval = interval;
    this.#tick = tick;
  }

  /** Tick from now on every interval; nothing if already armed. */
  arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      if (!this.#tick()) this.stop();
    }, this.#interval).unref();
  }

  /** Stop ticking (until armed again). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
