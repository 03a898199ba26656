/**
 * Wait times across machines whose clocks disagree (docs/remote.md, "Wait and run times"):
 * a caller process whose epoch clock runs an hour behind and a worker process whose clock
 * runs an hour ahead (__tests__/fixtures/skewed-clock.cjs) over a private redis-server.
 * The worker sends a run's times on Redis's clock and the caller moves them to its own, so
 * the caller's wait times are those of the calls, not the two hours between the clocks
 * (without either conversion, every wait is recorded as one or two hours).
 */
import * as path from 'node:path';
import { killSpawned, spawnTracked } from '../../helpers/child-processes';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { spawnWorker, type WorkerProcess } from './worker-processes';

const CALLER = path.join(__dirname, '../../fixtures/remote-caller-main.ts');
const SKEWED_CLOCK = path.join(__dirname, '../../fixtures/skewed-clock.cjs');
const QUEUE = 'wait-times';
const HOUR = 3_600_000;
/** The clocks are hours apart; a time anywhere near that is the skew, not the call's. */
const FAR_BELOW_THE_SKEW_MS = 60_000;

let redis: RedisServer;
let worker: WorkerProcess | undefined;

afterAll(async () => {
  await killSpawned();
  await worker?.kill();
  await redis?.stop();
});

interface Summary {
  readonly count: number;
  readonly min: number;
  readonly max: number;
}

/** Run the caller process with its clock `skew` ms off; resolves with its statistics' line. */
async function runCaller(skew: number): Promise<{ waitTime: Summary; runTime: Summary }> {
  const child = spawnTracked(process.execPath, ['--require', SKEWED_CLOCK, '--import', 'tsx', CALLER, redis.url, QUEUE], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, UNSYNC_TEST_SKEW_MS: String(skew) },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  return JSON.parse(output) as { waitTime: Summary; runTime: Summary };
}

it("records wait times without the clock difference between the caller's machine and the worker's", async () => {
  redis = await startRedis();
  worker = await spawnWorker(redis.url, QUEUE, undefined, ['--require', SKEWED_CLOCK]);
  const { waitTime, runTime } = await runCaller(-HOUR);
  expect([waitTime.count, runTime.count]).toEqual([3, 3]);
  expect(waitTime.max).toBeLessThan(FAR_BELOW_THE_SKEW_MS);
  // A call starts after it was submitted, within the two clock offsets' errors (under a
  // millisecond on one machine, far under a second).
  expect(waitTime.min).toBeGreaterThan(-1000);
  expect(runTime.max).toBeLessThan(FAR_BELOW_THE_SKEW_MS);
});
