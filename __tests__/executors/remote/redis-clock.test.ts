/**
 * Redis's clock as the remote executor's shared clock (src/executors/remote/redis-clock.ts;
 * docs/remote.md, "Wait and run times"), over a private redis-server: processes whose own
 * clocks disagree by hours agree on Redis's time, within what their reads' round trips allow.
 */
import { Redis } from 'ioredis';
import { epochNow } from '../../../src/executors/engine/pool-call';
import { RedisClock } from '../../../src/executors/remote/redis-clock';
import { startRedis, type RedisServer } from '../../helpers/redis-server';

const HOUR = 3_600_000;
/** Redis's TIME has microseconds; floating-point sums are exact to far less. */
const RESOLUTION = 0.001;

let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});

afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

it('knows nothing before a measurement, and keeps nothing from a failed one', async () => {
  const clock = new RedisClock();
  expect([clock.offset, clock.toRedis(5), clock.fromRedis(5), clock.uncertainty]).toEqual([undefined, undefined, undefined, undefined]);
  await clock.measure({ time: () => Promise.reject(new Error('Redis is down')) as never });
  expect(clock.offset).toBeUndefined();
});

it("places this process's times on Redis's clock, within half the round trip of its read", async () => {
  const clock = new RedisClock();
  await clock.measure(client);
  const before = epochNow();
  const [seconds, micros] = (await client.time()) as unknown as [string, string];
  const after = epochNow();
  const redisNow = Number(seconds) * 1000 + Number(micros) / 1000;
  const slack = clock.uncertainty! + RESOLUTION;
  expect(redisNow).toBeGreaterThanOrEqual(clock.toRedis(before)! - slack);
  expect(redisNow).toBeLessThanOrEqual(clock.toRedis(after)! + slack);
  expect(clock.fromRedis(clock.toRedis(before)!)).toBeCloseTo(before, 6);
});

it('gives processes whose clocks are hours apart the same time on Redis, so their difference drops out', async () => {
  const own = new RedisClock();
  const fast = new RedisClock(() => epochNow() + HOUR);
  const slow = new RedisClock(() => epochNow() - 2 * HOUR);
  await Promise.all([own.measure(client), fast.measure(client), slow.measure(client)]);
  const at = epochNow();
  // The same instant, read on three clocks, is one time on Redis's.
  const onRedis = [own.toRedis(at)!, fast.toRedis(at + HOUR)!, slow.toRedis(at - 2 * HOUR)!];
  expect(Math.abs(onRedis[1]! - onRedis[0]!)).toBeLessThanOrEqual(own.uncertainty! + fast.uncertainty! + RESOLUTION);
  expect(Math.abs(onRedis[2]! - onRedis[0]!)).toBeLessThanOrEqual(own.uncertainty! + slow.uncertainty! + RESOLUTION);
  // A start on the fast machine's clock, sent on Redis's and read back on the slow one's.
  const startedOnFast = at + HOUR;
  expect(Math.abs(slow.fromRedis(fast.toRedis(startedOnFast)!)! - (at - 2 * HOUR))).toBeLessThanOrEqual(fast.uncertainty! + slow.uncertainty! + RESOLUTION);
});

it('measures again once its offset is older than a minute, not before', async () => {
  let now = epochNow();
  const clock = new RedisClock(() => now);
  let reads = 0;
  const counted = { time: () => (reads++, client.time()) };
  await clock.measure(counted);
  expect(reads).toBe(2);
  now += 59_000;
  clock.refreshIfStale(counted);
  expect(reads).toBe(2);
  now += 1_000;
  clock.refreshIfStale(counted);
  await clock.measure(counted); // joins the measurement under way
  expect(reads).toBe(4);
});
