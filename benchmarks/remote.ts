/**
 * The remote executor's cost per call against raw BullMQ doing the same jobs on the same
 * Redis (issue 15, docs/remote.md): `toRemote(add, n)` with a `startWorker` worker, beside
 * `Queue.add` + a BullMQ `Worker` + `job.waitUntilFinished(queueEvents)`, at 1 and at 32
 * calls in flight. Both workers run in this process (concurrency 32 each) on their own
 * queues, on a private redis-server (free loopback port, no persistence), so both sides
 * share the same CPU. Worker processes (1 and 2) are the next step of the benchmark.
 * Run: npx tsx benchmarks/remote.ts [--markdown] [--quick]
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { configure, shutdown, startWorker, toRemote, unsyncRegister } from '../src';
// The tests' launcher: the same private redis-server for the benchmark.
import { startRedis } from '../__tests__/helpers/redis-server';
import { interleave, machine, ratio } from './lib/measure';

export function add(n: number): number {
  return n + 1;
}
unsyncRegister(add);

const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 3 : 7;
const CALLS = { 1: QUICK ? 100 : 300, 32: QUICK ? 500 : 2000 } as const;

/** µs per call for `calls` calls of `one`, at most `inFlight` at once. */
async function perCall(one: (n: number) => Promise<unknown>, calls: number, inFlight: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) await one(next++);
    }),
  );
  return ((performance.now() - start) * 1000) / calls;
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const connection = { url: redis.url };
  const rawQueue = new Queue('bench-raw', { connection });
  rawQueue.setMaxListeners(64); // waitUntilFinished adds one per job in flight
  const rawEvents = new QueueEvents('bench-raw', { connection });
  const rawWorker = new Worker('bench-raw', async (job) => add((job.data as { n: number }).n), { connection, concurrency: 32 });
  configure({ remote: { connection: redis.url, queue: 'bench-unsync' } });
  const worker = await startWorker({ modules: [__filename], connection: redis.url, queue: 'bench-unsync', concurrency: 32 });
  try {
    await Promise.all([rawEvents.waitUntilReady(), rawWorker.waitUntilReady()]);
    const raw = async (n: number): Promise<unknown> => (await rawQueue.add('add', { n }, { removeOnComplete: { age: 3600 } })).waitUntilFinished(rawEvents);
    // The job options toRemote uses: a caller-chosen id (BullMQ checks that it is new), one attempt, failed jobs kept a day.
    const rawSameOptions = async (n: number): Promise<unknown> =>
      (
        await rawQueue.add('add', { n }, { jobId: randomUUID(), attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } })
      ).waitUntilFinished(rawEvents);
    const ours = (n: number): Promise<unknown> => toRemote(add, n);
    const figures: Record<string, Record<string, number>> = {};
    for (const inFlight of [1, 32] as const) {
      figures[inFlight] = await interleave(
        {
          'raw BullMQ': () => perCall(raw, CALLS[inFlight], inFlight),
          'raw, same job options': () => perCall(rawSameOptions, CALLS[inFlight], inFlight),
          toRemote: () => perCall(ours, CALLS[inFlight], inFlight),
        },
        ROUNDS,
        1,
      );
    }
    const rows = ([1, 32] as const).map((k) => {
      const f = figures[k]!;
      const raw_ = f['raw BullMQ']!;
      const same = f['raw, same job options']!;
      const ours_ = f['toRemote']!;
      return `| ${k} | ${CALLS[k]} | ${raw_.toFixed(0)} | ${same.toFixed(0)} (${ratio(same, raw_)}) | ${ours_.toFixed(0)} | ${ratio(ours_, raw_)} |`;
    });
    const out = [
      '## Remote executor: per call, against raw BullMQ',
      '',
      `Command: \`npx tsx benchmarks/remote.ts --markdown\` (medians of ${ROUNDS} interleaved rounds). Machine: ${machine()}.`,
      '',
      'A tiny call (`add(n)`) through `toRemote` with a `startWorker` worker, beside raw BullMQ doing the same job (`Queue.add` + `Worker` + `job.waitUntilFinished(queueEvents)`), on one private redis-server; both workers in the benchmark\'s process, concurrency 32. See docs/remote.md.',
      '',
      '| calls in flight | calls | raw BullMQ µs/call | raw, toRemote\'s job options µs/call (vs raw) | toRemote µs/call | toRemote vs raw |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      "Reading it: issue 15 aims at no more than 1.2x raw BullMQ's time per call. The middle column is raw BullMQ with the job options toRemote uses (a caller-chosen job id, which BullMQ checks is new, so that a cancel can name the job before `add` returns): the part of the gap that comes from them. The rest is toRemote's own work per call: encoding the arguments and the answer by the process wire's rules (JSON inside the job's JSON), the registry lookup (a `realpath`) and a library task on the worker, the caller's Unfuture and its stack capture. Not measured yet: worker processes (1 and 2) and a CPU-bound job's scaling.",
    ];
    console.log(process.argv.includes('--markdown') ? out.join('\n') : out.filter((l) => l.startsWith('|')).join('\n'));
  } finally {
    await worker.close();
    await shutdown();
    await rawWorker.close();
    await rawEvents.close();
    await rawQueue.close();
    await redis.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
