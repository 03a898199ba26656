/**
 * Streams from generator functions (issue 14): items per second a generator in a worker
 * delivers to a `for await` loop, from a thread and from a process, with the default window
 * (highWaterMark 16) and a wide one (1024), beside the same values computed through chunked
 * `map` (the function applied to each index) in the same run.
 *
 *   npx tsx benchmarks/executors-streams.ts [--quick] [--markdown]
 */
import { ProcessExecutor, ThreadExecutor, inWorker, mapOn, unsyncRegister } from '../src/executors';
import type { Executor } from '../src/executors/executor';
import { interleave, machine, timed } from './lib/measure';

/** Yields 0..n-1. */
export function* upTo(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}
/** The same value for one index, for `map`. */
export function same(i: number): number {
  return i;
}
const upToRef = unsyncRegister(upTo);
const sameRef = unsyncRegister(same);

const QUICK = process.argv.includes('--quick');
const ITEMS = QUICK ? 50_000 : 200_000;
const ROUNDS = QUICK ? 3 : 5;

async function drain(stream: AsyncIterable<number>): Promise<void> {
  let expected = 0;
  for await (const value of stream) {
    if (value !== expected++) throw new Error(`out of order: ${value} for ${expected - 1}`);
  }
  if (expected !== ITEMS) throw new Error(`got ${expected} items of ${ITEMS}`);
}

async function main(): Promise<void> {
  const thread = new ThreadExecutor({ minWorkers: 1, maxWorkers: 1 });
  const process_ = new ProcessExecutor({ minWorkers: 1, maxWorkers: 1 });
  const indexes = Array.from({ length: ITEMS }, (_, i) => i);
  const contenders = (pool: ThreadExecutor | ProcessExecutor, name: string) => ({
    [`${name}: stream, highWaterMark 16`]: () => timed(() => drain(pool.stream<number>(upToRef, [ITEMS]))),
    [`${name}: stream, highWaterMark 1024`]: () => timed(() => drain(pool.stream<number>(upToRef, [ITEMS], { highWaterMark: 1024 }))),
    [`${name}: map, chunkSize 256`]: () => timed(() => drain(mapOn<number, number>(pool as Executor, sameRef, indexes, { chunkSize: 256, concurrency: 4 }))),
  });
  const figures = await interleave({ ...contenders(thread, 'thread'), ...contenders(process_, 'process') }, ROUNDS, 1);
  const rate = (ms: number): string => Math.round(ITEMS / (ms / 1000)).toLocaleString('en');
  console.log(
    [
      `${ITEMS.toLocaleString('en')} items (small integers) into a for await loop, one worker; median of ${ROUNDS} interleaved rounds; ${machine()}`,
      '',
      '| contender | items per second | ms |',
      '|---|---:|---:|',
      ...Object.entries(figures).map(([name, ms]) => `| ${name} | ${rate(ms)} | ${ms.toFixed(1)} |`),
    ].join('\n'),
  );
  await Promise.all([thread.close(), process_.close()]);
}

if (!inWorker()) void main();
