/**
 * Thread pool benchmarks (issue 4), each side by side with piscina used directly (same
 * thread count) in interleaved rounds:
 *   1. tiny-task overhead: 100k calls batched, 5k sequential      (goal: within 1.1x of piscina)
 *   2. map over 1M tiny items vs piscina once per item            (goal: >= 5x its throughput)
 *      and vs the raw postMessage floor (one message per item)    (goal: within 2x)
 *   3. CPU scaling: 8 CPU-bound calls on all cores vs serial      (goal: >= 0.9x piscina's speedup)
 *   4. cold start: first call on a fresh pool vs a bare `new Worker` round trip
 *   5. (--tiny: only this) pipelined tiny calls against the raw postMessage round trip and
 *      piscina, in one run                                         (issue 13 goal: within 3x of raw)
 * Run: npx tsx benchmarks/executors-threads.ts [--markdown] [--quick] [--tiny]
 * (`--markdown` prints the complete "Executors: thread pool" section of docs/performance.md.)
 *
 * This module is loaded again in every worker (that is how workers find `noop`), so the
 * benchmark itself only runs when `!inWorker()`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { gather } from '../src/combinators';
import { ThreadExecutor, inWorker, mapOn, unsyncRegister } from '../src/executors';
import { interleave, ratio, timed } from './lib/measure';

export function noop(x: number): number {
  return x;
}
export function burn(n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc + Math.sqrt(i) * 7) % 1_000_003;
  return acc;
}
const noopRef = unsyncRegister(noop);
const burnRef = unsyncRegister(burn);

const QUICK = process.argv.includes('--quick');
const THREADS = Math.max(1, os.availableParallelism());
const BATCH = QUICK ? 20_000 : 100_000;
const SEQUENTIAL = QUICK ? 1_000 : 5_000;
const MAP_ITEMS = QUICK ? 100_000 : 1_000_000;
const PER_ITEM = QUICK ? 20_000 : 100_000; // per-item contenders: figures are per item
const BURN = 30_000_000;
const ROUNDS = QUICK ? 3 : 5;

const HANDLER = `module.exports = (x) => x;
module.exports.burn = (n) => { let acc = 0; for (let i = 0; i < n; i++) acc = (acc + Math.sqrt(i) * 7) % 1000003; return acc; };
`;
const RAW = `const { workerData } = require('node:worker_threads');
workerData.port.on('message', (m) => workerData.port.postMessage(m));
`;

/** Raw floor: one worker per thread, each item its own postMessage both ways, pipelined. */
class RawPool {
  readonly ports: import('node:worker_threads').MessagePort[] = [];
  readonly workers: Worker[] = [];
  constructor(file: string) {
    for (let i = 0; i < THREADS; i++) {
      const { port1, port2 } = new MessageChannel();
      this.workers.push(new Worker(file, { workerData: { port: port2 }, transferList: [port2] }));
      this.ports.push(port1);
    }
  }
  run(n: number): Promise<void> {
    return new Promise((resolve) => {
      let left = n;
      const on = (): void => {
        if (--left === 0) {
          for (const p of this.ports) p.off('message', on);
          resolve();
        }
      };
      for (const p of this.ports) p.on('message', on);
      for (let i = 0; i < n; i++) this.ports[i % THREADS]!.postMessage(i);
    });
  }
  async close(): Promise<void> {
    for (const p of this.ports) p.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

async function batched(run: (i: number) => PromiseLike<unknown>, n: number): Promise<number> {
  return timed(async () => {
    const all: PromiseLike<unknown>[] = new Array(n);
    for (let i = 0; i < n; i++) all[i] = run(i);
    await Promise.all(all);
  });
}
/** Like `batched`, awaited with the library's own `gather` (no `then` per call, unlike `Promise.all`). */
async function gathered(run: (i: number) => ReturnType<ThreadExecutor['submit']>, n: number): Promise<number> {
  return timed(async () => {
    const all: ReturnType<ThreadExecutor['submit']>[] = new Array(n);
    for (let i = 0; i < n; i++) all[i] = run(i);
    await gather(...all);
  });
}
async function sequential(run: (i: number) => PromiseLike<unknown>, n: number): Promise<number> {
  return timed(async () => {
    for (let i = 0; i < n; i++) await run(i);
  });
}
const us = (ms: number, n: number): string => ((ms * 1000) / n).toFixed(2);

/**
 * Pipelined tiny calls only (`--tiny`): unsync batched (caller stacks as by default,
 * `'auto'`: none for calls that join a long queue; always; never; and awaited with `gather`),
 * piscina direct and the raw postMessage round trip, interleaved in one run, µs per call.
 */
async function tinyOnly(rawFile: string, handler: string): Promise<void> {
  const n = BATCH;
  const rounds = 7;
  const piscina = new Piscina({ filename: handler, minThreads: THREADS, maxThreads: THREADS, atomics: 'sync', concurrentTasksPerWorker: 1 });
  const executor = new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS });
  const quiet = new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS, callerStacks: false });
  const stacked = new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS, callerStacks: true });
  const raw = new RawPool(rawFile);
  const figures = await interleave(
    {
      raw: () => timed(() => raw.run(n)),
      piscina: () => batched((i) => piscina.run(i), n),
      unsync: () => batched((i) => executor.submit(noopRef, [i]), n),
      'unsync gather': () => gathered((i) => executor.submit(noopRef, [i]), n),
      'unsync quiet': () => batched((i) => quiet.submit(noopRef, [i]), n),
      'unsync stacks': () => batched((i) => stacked.submit(noopRef, [i]), n),
    },
    rounds,
    2,
  );
  await Promise.all([piscina.destroy(), executor.close(), quiet.close(), stacked.close(), raw.close()]);
  const f = (k: string): string => us(figures[k]!, n);
  console.log(
    [
      `Command: \`npx tsx benchmarks/executors-threads.ts --tiny\` (${THREADS} threads; ${n / 1000}k calls in flight; medians of ${rounds} interleaved rounds; load average ${os.loadavg()[0]!.toFixed(1)})`,
      '',
      '| | µs per call | / raw postMessage | / piscina |',
      '|---|---:|---:|---:|',
      `| raw \`postMessage\` round trip, one message per call each way | ${f('raw')} | 1.00x | ${ratio(figures.raw!, figures.piscina!)} |`,
      `| piscina direct, \`atomics: 'sync'\`, 1 task/thread | ${f('piscina')} | ${ratio(figures.piscina!, figures.raw!)} | 1.00x |`,
      `| unsync \`ThreadExecutor\` (default: \`callerStacks: 'auto'\`) | ${f('unsync')} | ${ratio(figures.unsync!, figures.raw!)} | ${ratio(figures.unsync!, figures.piscina!)} |`,
      `| unsync \`ThreadExecutor\`, awaited with \`gather\` instead of \`Promise.all\` | ${f('unsync gather')} | ${ratio(figures['unsync gather']!, figures.raw!)} | ${ratio(figures['unsync gather']!, figures.piscina!)} |`,
      `| unsync \`ThreadExecutor\`, \`callerStacks: true\` | ${f('unsync stacks')} | ${ratio(figures['unsync stacks']!, figures.raw!)} | ${ratio(figures['unsync stacks']!, figures.piscina!)} |`,
      `| unsync \`ThreadExecutor\`, \`callerStacks: false\` | ${f('unsync quiet')} | ${ratio(figures['unsync quiet']!, figures.raw!)} | ${ratio(figures['unsync quiet']!, figures.piscina!)} |`,
    ].join('\n'),
  );
}

async function main(): Promise<void> {
  const markdown = process.argv.includes('--markdown');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-bench-'));
  const handler = path.join(dir, 'noop.cjs');
  const rawFile = path.join(dir, 'raw.cjs');
  fs.writeFileSync(handler, HANDLER);
  fs.writeFileSync(rawFile, RAW);
  const log = (s: string): void => void (markdown ? process.stderr.write(`${s}\n`) : console.log(s));
  if (process.argv.includes('--tiny')) {
    await tinyOnly(rawFile, handler);
    fs.rmSync(dir, { recursive: true, force: true });
    return;
  }

  const piscina = new Piscina({ filename: handler, minThreads: THREADS, maxThreads: THREADS, atomics: 'sync', concurrentTasksPerWorker: 1 });
  const piscina4 = new Piscina({ filename: handler, minThreads: THREADS, maxThreads: THREADS, atomics: 'sync', concurrentTasksPerWorker: 4 });
  const executor = new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS });
  const quiet = new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS, callerStacks: false });
  const stacked = new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS, callerStacks: true });
  const raw = new RawPool(rawFile);

  // 1. Tiny-task overhead.
  log('tiny-task overhead ...');
  const tiny = await interleave(
    {
      'piscina c=1 batched': () => batched((i) => piscina.run(i), BATCH),
      'piscina c=4 batched': () => batched((i) => piscina4.run(i), BATCH),
      'unsync batched': () => batched((i) => executor.submit(noopRef, [i]), BATCH),
      'piscina c=1 sequential': () => sequential((i) => piscina.run(i), SEQUENTIAL),
      'piscina c=4 sequential': () => sequential((i) => piscina4.run(i), SEQUENTIAL),
      'unsync sequential': () => sequential((i) => executor.submit(noopRef, [i]), SEQUENTIAL),
      'unsync quiet batched': () => batched((i) => quiet.submit(noopRef, [i]), BATCH),
      'unsync quiet sequential': () => sequential((i) => quiet.submit(noopRef, [i]), SEQUENTIAL),
    },
    ROUNDS,
    1,
  );

  // 2. map over tiny items.
  log('map ...');
  const items = Array.from({ length: MAP_ITEMS }, (_, i) => i);
  const mapped = await interleave(
    {
      'unsync map': () =>
        timed(async () => {
          let n = 0;
          for await (const _ of mapOn(executor, noopRef, items, { chunkSize: 1024, concurrency: 4 * THREADS })) n++;
          if (n !== MAP_ITEMS) throw new Error('lost items');
        }),
      'piscina per item': () => batched((i) => piscina.run(i), PER_ITEM),
      'raw postMessage per item': () => timed(() => raw.run(PER_ITEM)),
    },
    ROUNDS,
    1,
  );
  const perItem = { map: mapped['unsync map']! / MAP_ITEMS, piscina: mapped['piscina per item']! / PER_ITEM, raw: mapped['raw postMessage per item']! / PER_ITEM };

  // 3. CPU scaling: 8 calls, all threads vs one at a time.
  log('cpu scaling ...');
  const cpu = await interleave(
    {
      'unsync parallel': () => timed(() => Promise.all(Array.from({ length: 8 }, () => executor.submit(burnRef, [BURN])))),
      'unsync serial': () => sequential(() => executor.submit(burnRef, [BURN]), 8),
      'piscina parallel': () => timed(() => Promise.all(Array.from({ length: 8 }, () => piscina.run(BURN, { name: 'burn' })))),
      'piscina serial': () => sequential(() => piscina.run(BURN, { name: 'burn' }), 8),
    },
    QUICK ? 1 : 3,
    0,
  );
  const unsyncSpeedup = cpu['unsync serial']! / cpu['unsync parallel']!;
  const piscinaSpeedup = cpu['piscina serial']! / cpu['piscina parallel']!;

  await Promise.all([piscina.destroy(), piscina4.destroy(), executor.close(), quiet.close(), raw.close()]);

  // 4. Cold start: a fresh pool's first call vs a bare Worker's first round trip.
  log('cold start ...');
  const cold = await interleave(
    {
      'unsync first call': () =>
        timed(async () => {
          const fresh = new ThreadExecutor({ maxWorkers: 1 });
          await fresh.submit(noopRef, [1]);
          await fresh.close();
        }),
      'piscina first call': () =>
        timed(async () => {
          const fresh = new Piscina({ filename: handler, maxThreads: 1 });
          await fresh.run(1);
          await fresh.destroy();
        }),
      'bare new Worker round trip': () =>
        timed(async () => {
          const w = new Worker('require("node:worker_threads").parentPort.once("message", (m) => require("node:worker_threads").parentPort.postMessage(m));', { eval: true });
          w.postMessage(1);
          await new Promise((resolve) => w.once('message', resolve));
          await w.terminate();
        }),
    },
    QUICK ? 3 : 7,
    1,
  );
  fs.rmSync(dir, { recursive: true, force: true });

  const t = (k: string, n: number): string => us(tiny[k]!, n);
  const lines = [
    '## Executors: thread pool',
    '',
    `Command: \`npx tsx benchmarks/executors-threads.ts --markdown\` (${THREADS} threads on every side; medians of ${ROUNDS} interleaved rounds). Tiny task: \`x => x\`.`,
    '',
    '### Tiny-task overhead (µs per call)',
    '',
    `| | batched (${BATCH / 1000}k in flight) | sequential (${SEQUENTIAL / 1000}k awaited one by one) |`,
    '|---|---|---|',
    `| piscina direct, \`atomics: 'sync'\`, 1 task/thread | ${t('piscina c=1 batched', BATCH)} | ${t('piscina c=1 sequential', SEQUENTIAL)} |`,
    `| piscina direct, \`atomics: 'sync'\`, 4 tasks/thread | ${t('piscina c=4 batched', BATCH)} | ${t('piscina c=4 sequential', SEQUENTIAL)} |`,
    `| unsync \`ThreadExecutor\` (2 calls/thread pipelined) | ${t('unsync batched', BATCH)} | ${t('unsync sequential', SEQUENTIAL)} |`,
    `| **ratio unsync / piscina 1 task/thread** (goal <= 1.1x) | **${ratio(tiny['unsync batched']!, tiny['piscina c=1 batched']!)}** | **${ratio(tiny['unsync sequential']!, tiny['piscina c=1 sequential']!)}** |`,
    `| ratio unsync / piscina 4 tasks/thread | ${ratio(tiny['unsync batched']!, tiny['piscina c=4 batched']!)} | ${ratio(tiny['unsync sequential']!, tiny['piscina c=4 sequential']!)} |`,
    `| unsync \`ThreadExecutor\`, \`callerStacks: false\` | ${t('unsync quiet batched', BATCH)} | ${t('unsync quiet sequential', SEQUENTIAL)} |`,
    `| ratio unsync with \`callerStacks: false\` / piscina 1 task/thread | ${ratio(tiny['unsync quiet batched']!, tiny['piscina c=1 batched']!)} | ${ratio(tiny['unsync quiet sequential']!, tiny['piscina c=1 sequential']!)} |`,
    '',
    '### `map` over tiny items (µs per item)',
    '',
    '| | µs/item | unsync map is faster by |',
    '|---|---|---|',
    `| unsync \`map\`, ${MAP_ITEMS / 1e6 >= 1 ? `${MAP_ITEMS / 1e6}M` : `${MAP_ITEMS / 1000}k`} items, chunkSize 1024 | ${(perItem.map * 1000).toFixed(3)} | |`,
    `| piscina, one \`run\` per item (${PER_ITEM / 1000}k batched) | ${(perItem.piscina * 1000).toFixed(3)} | **${ratio(perItem.piscina, perItem.map)}** (goal >= 5x) |`,
    `| raw \`postMessage\` floor, one message per item each way (${PER_ITEM / 1000}k pipelined) | ${(perItem.raw * 1000).toFixed(3)} | **${ratio(perItem.raw, perItem.map)}** (goal: map within 2x of it, i.e. >= 0.5x) |`,
    '',
    '### CPU scaling (8 CPU-bound calls)',
    '',
    '| | serial (ms) | all threads (ms) | speedup |',
    '|---|---|---|---|',
    `| piscina direct | ${cpu['piscina serial']!.toFixed(0)} | ${cpu['piscina parallel']!.toFixed(0)} | ${piscinaSpeedup.toFixed(2)}x |`,
    `| unsync \`ThreadExecutor\` | ${cpu['unsync serial']!.toFixed(0)} | ${cpu['unsync parallel']!.toFixed(0)} | ${unsyncSpeedup.toFixed(2)}x |`,
    `| **unsync speedup / piscina speedup** (goal >= 0.9x) | | | **${(unsyncSpeedup / piscinaSpeedup).toFixed(2)}x** |`,
    '',
    '### Cold start (ms, fresh pool, first call answered, pool closed)',
    '',
    '| | ms |',
    '|---|---|',
    `| bare \`new Worker\` + one message round trip | ${cold['bare new Worker round trip']!.toFixed(1)} |`,
    `| piscina, first \`run\` | ${cold['piscina first call']!.toFixed(1)} |`,
    `| unsync \`ThreadExecutor\`, first call | ${cold['unsync first call']!.toFixed(1)} (${ratio(cold['unsync first call']!, cold['bare new Worker round trip']!)} of the bare Worker) |`,
    '',
    'How to read it: the machine is shared and noisy, so compare the ratios within a table, not',
    'absolute figures across runs. The sequential column is dominated by the round trip and the',
    'cost of awaiting the result; the batched column by per-message work. `map` sends one message',
    'per chunk, so its per-item cost is the worker running the function plus the iteration.',
    '',
    "`callerStacks: false` skips recording the caller's stack at each submit (the stack a",
    "rebuilt error shows above the worker's). The pool records it after sending the call, so a",
    'sequential call hardly feels it (the worker runs meanwhile); batched calls pay it in full.',
    '',
  ];
  if (markdown) console.log(lines.join('\n'));
  else console.log(lines.join('\n'));
}

if (!inWorker()) void main();
