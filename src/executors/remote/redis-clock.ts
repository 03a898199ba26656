/**
 * Redis's clock as a shared clock for the remote executor's wait times (docs/remote.md,
 * "Wait and run times"): a caller and a worker on different machines compare times only
 * through Redis's `TIME`, so their machines' clock difference drops out.
 */
import type * as IORedis from 'ioredis';
import { epochNow } from '../engine/pool-call';

/** How old (ms) a measured offset may be before the next use measures again (both clocks drift). */
export const REDIS_CLOCK_REFRESH_MS = 60_000;

/**
 * The offset of Redis's clock from this process's `epochNow()`: measured with `TIME`, taken
 * at the midpoint of its round trip (wrong by at most half the round trip; of two reads, the
 * one with the shorter round trip counts, so a first read that waited for the connection to
 * open does not), and measured again, in the background, when a use finds it older than
 * {@link REDIS_CLOCK_REFRESH_MS}. Until a measurement succeeded it knows nothing (`offset`
 * undefined) and its users keep their own clock. A failed measurement is ignored (the last
 * offset stays).
 *
 * @example
 * const clock = new RedisClock();
 * await clock.measure(redis);
 * const atOnRedis = clock.toRedis(epochNow()); // undefined if never measured
 */
export class RedisClock {
  readonly #now: () => number;
  /** Invariant: undefined until a measurement succeeded; then Redis's time minus `#now()`, ms. */
  #offset: number | undefined = undefined;
  #measuredAt = -Infinity;
  /** Half the round trip of the read the offset came from: the most it can be wrong by, ms. */
  #uncertainty: number | undefined = undefined;
  #measuring: Promise<void> | undefined = undefined;

  /** `now`: this process's clock (default `epochNow`; a test passes a skewed one). */
  constructor(now: () => number = epochNow) {
    this.#now = now;
  }

  /** Milliseconds to add to this process's clock for Redis's, or undefined before a measurement. */
  get offset(): number | undefined {
    return this.#offset;
  }

  /** The most {@link offset} can be wrong by (half its read's round trip), ms; undefined before a measurement. */
  get uncertainty(): number | undefined {
    return this.#uncertainty;
  }

  /** Measure the offset on `redis` (two `TIME`s); concurrent calls share one measurement. Never rejects. */
  measure(redis: Pick<IORedis.Redis, 'time'>): Promise<void> {
    return (this.#measuring ??= (async () => {
      try {
        let best: { roundTrip: number; offset: number; at: number } | undefined;
        for (let read = 0; read < 2; read++) {
          const before = this.#now();
          const [seconds, micros] = (await redis.time()) as unknown as [string | number, string | number];
          const after = this.#now();
          const offset = Number(seconds) * 1000 + Number(micros) / 1000 - (before + after) / 2;
          if (best === undefined || after - before < best.roundTrip) best = { roundTrip: after - before, offset, at: after };
        }
        if (Number.isFinite(best!.offset)) {
          this.#offset = best!.offset;
          this.#uncertainty = best!.roundTrip / 2;
          this.#measuredAt = best!.at;
        }
      } catch {
        // Keep the last offset (or none): the times stay on this process's clock meanwhile.
      } finally {
        this.#measuring = undefined;
      }
    })());
  }

  /** Measure again in the background if the offset is older than {@link REDIS_CLOCK_REFRESH_MS}. */
  refreshIfStale(redis: Pick<IORedis.Redis, 'time'>): void {
    if (this.#now() - this.#measuredAt >= REDIS_CLOCK_REFRESH_MS) void this.measure(redis);
  }

  /** `at` (this process's clock) on Redis's clock, or undefined before a measurement. */
  toRedis(at: number): number | undefined {
    return this.#offset === undefined ? undefined : at + this.#offset;
  }

  /** `at` (Redis's clock) on this process's clock, or undefined before a measurement. */
  fromRedis(at: number): number | undefined {
    return this.#offset === undefined ? undefined : at - this.#offset;
  }
}
