/**
 * Tiny-task overhead of the thread executor vs piscina used directly (same thread count),
 * 5k sequential calls and a batch of 20k in flight. Run: `npx tsx benchmarks/executors-threads.ts`.
 *
 * This module is loaded again in every worker (that is how workers find `noop`), so the
 * benchmark itself only runs when `!inWorker()`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { ThreadExecutor, inWorker, unsyncRegister } from '../src/executors';

export function noop(x: number): number {
  return x;
}
const ref = unsyncRegister(noop);

const THREADS = Math.max(1, os.availableParallelism());
const SEQUENTIAL = 5_000;
const BATCH = 20_000;

async function measure(label: string, run: (i: number) => PromiseLike<unknown>): Promise<Record<string, number>> {
  for (let i = 0; i < 500; i++) await run(i); // warm up
  let t = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) await run(i);
  const sequential = ((performance.now() - t) * 1000) / SEQUENTIAL;
  t = performance.now();
  const all: PromiseLike<unknown>[] = [];
  for (let i = 0; i < BATCH; i++) all.push(run(i));
  await Promise.all(all);
  const batched = ((performance.now() - t) * 1000) / BATCH;
  console.log(`${label.padEnd(34)} sequential ${sequential.toFixed(1).padStart(6)} µs/call   batched ${batched.toFixed(1).padStart(6)} µs/call`);
  return { sequential, batched };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-bench-'));
  const handler = path.join(dir, 'noop.cjs');
  fs.writeFileSync(handler, 'module.exports = (x) => x;\n');
  console.log(`threads: ${THREADS}, node ${process.version}`);
  const results: Record<string, Record<string, number>> = {};
  for (const atomics of ['sync', 'disabled'] as const) {
    for (const concurrent of [1, 4]) {
      const pool = new Piscina({ filename: handler, minThreads: THREADS, maxThreads: THREADS, atomics, concurrentTasksPerWorker: concurrent });
      results[`piscina ${atomics} c${concurrent}`] = await measure(`piscina direct (atomics ${atomics}, c=${concurrent})`, (i) => pool.run(i));
      await pool.destroy();
    }
  }
  const executor = new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS });
  const unsync = await measure('unsync ThreadExecutor', (i) => executor.submit(ref, [i]));
  await executor.close();
  const base = results['piscina sync c1']!;
  console.log(`ratio unsync / piscina(sync, c=1): sequential ${(unsync.sequential! / base.sequential!).toFixed(2)}x, batched ${(unsync.batched! / base.batched!).toFixed(2)}x`);
  fs.rmSync(dir, { recursive: true, force: true });
}

if (!inWorker()) void main();
