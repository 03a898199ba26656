/**
 * The long soak (issue 13, "Reliability under load"): a million mixed calls over the loop,
 * the thread pool and the process pool — most tiny, some throwing, some cancelled at random
 * points, some timing out, a few crashing their worker — while child processes are killed
 * at random. It checks that every call settles exactly once and that the pools heal, and
 * records the parent's RSS at each quarter, two ways: once after a full GC at the quarter's
 * end (a point: it swings with whatever native memory worker threads hold at that instant),
 * and the median of samples taken every 250 ms through the quarter (what the process holds
 * while it works). Flat means growth between the second and the last quarter under 10%. The CI-sized version is __tests__/executors/soak.test.ts.
 *
 *   npx tsx benchmarks/executors-soak.ts [--calls N] [--markdown]
 */
import * as fs from 'node:fs';
import { seededRandom } from '../examples/seeded-random';
import { isCancelledError, isTimeoutError } from '../src/core/errors';
import { isWorkerCrashedError } from '../src/core/executor-errors';
import type { Unfuture } from '../src/core/future';
import { LoopExecutor, ProcessExecutor, ThreadExecutor, inWorker } from '../src/executors';
import type { Executor } from '../src/executors/executor';
import { gc, machine, median } from './lib/measure';
import { soakRef, soakSyncRef, type SoakWork } from './lib/soak-work';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const CALLS = Number(arg('--calls') ?? 1_000_000);
const IN_FLIGHT = 1_000;
const CRASH_EVERY = 50_000;

async function main(): Promise<void> {
  const rand = seededRandom(13);
  const pools: Executor[] = [
    new LoopExecutor(),
    new ThreadExecutor({ maxWorkers: 2, cancelGrace: 50, callerStacks: false }),
    new ProcessExecutor({ maxWorkers: 2, cancelGrace: 50, callerStacks: false }),
  ];
  const processes = pools[2] as ProcessExecutor;
  const outcomes: Record<string, number> = {};
  let settledTwice = 0;
  let wrongOutcome = 0;
  const rss: number[] = [];
  const heap: number[] = [];
  const started = performance.now();
  // RSS samples through each quarter (`quarter` is the quarter the next call belongs to).
  let quarter = 0;
  const sampled: number[][] = [[], [], [], []];
  const sampler = setInterval(() => sampled[quarter]!.push(process.memoryUsage.rss()), 250);
  const killer = setInterval(() => {
    const pids = processes.childPids();
    if (pids.length > 0 && rand() < 0.5) process.kill(pids[Math.floor(rand() * pids.length)]!, 'SIGKILL');
  }, 2_000);
  let inFlight = 0;
  let wake: (() => void) | undefined;
  // A call that never settles is the one failure this soak exists to catch: say where they wait.
  let lastSettle = performance.now();
  const watchdog = setInterval(() => {
    if (performance.now() - lastSettle < 10_000) return;
    console.error(`stalled: ${inFlight} calls in flight for 10 s`, JSON.stringify(pools.map((p) => p.statistics())));
    // A stalled child: is it running (R), sleeping (S) or blocked (D)? Its whole line from /proc.
    for (const pid of processes.childPids()) console.error(`child ${pid}: ${procStat(pid)}`);
    process.exit(2);
  }, 1_000);
  watchdog.unref();
  for (let id = 0; id < CALLS; id++) {
    quarter = Math.min(3, Math.floor((id * 4) / CALLS));
    if (id % (CALLS / 4) === 0 && id > 0) {
      while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
      gc();
      const m = process.memoryUsage();
      rss.push(m.rss);
      heap.push(m.heapUsed);
    }
    while (inFlight >= IN_FLIGHT) await new Promise<void>((resolve) => (wake = resolve));
    if (process.env.SOAK_PROGRESS && id % 25_000 === 0) console.error(`${id} calls at ${((performance.now() - started) / 1000).toFixed(1)} s`);
    const pool = pools[id % 3]!;
    const r = rand();
    const kind: SoakWork = pool.kind !== 'loop' && id % CRASH_EVERY === CRASH_EVERY - 1 ? 'crash' : r < 0.05 ? 'throw' : r < 0.08 ? 'sleep' : 'value';
    const timeout = kind === 'sleep' && rand() < 0.5 ? 1 : undefined;
    const future: Unfuture<number> =
      kind === 'sleep' ? pool.submit<number>(soakRef, [kind, id, 5], { timeout }) : pool.submit<number>(soakSyncRef, [kind, id], undefined);
    if (rand() < 0.02) {
      if (rand() < 0.5) future.cancel();
      else setImmediate(() => future.cancel());
    }
    inFlight++;
    let settles = 0;
    future.addDoneCallback((f) => {
      lastSettle = performance.now();
      if (++settles > 1) settledTwice++;
      inFlight--;
      const state = f.state === 'rejected' ? classify(f.exception()) : f.state;
      outcomes[state] = (outcomes[state] ?? 0) + 1;
      if (f.state === 'fulfilled' && f.result() !== id) wrongOutcome++;
      if (f.state === 'rejected' && classify(f.exception()) === 'thrown' && kind !== 'throw') wrongOutcome++;
      const w = wake;
      wake = undefined;
      w?.();
    });
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  clearInterval(killer);
  clearInterval(sampler);
  gc();
  const last = process.memoryUsage();
  rss.push(last.rss);
  heap.push(last.heapUsed);
  const seconds = (performance.now() - started) / 1000;
  // A child the killer hit just before it stopped may still be on its way out: let it go.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const healed = await Promise.all(pools.map((pool) => pool.submit<number>(soakSyncRef, ['value', -1])));
  await Promise.all(pools.map((pool) => (pool as ThreadExecutor).close()));
  const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
  const growth = (rss[3]! - rss[1]!) / rss[1]!;
  const medians = sampled.map((q) => median(q));
  const medianGrowth = (medians[3]! - medians[1]!) / medians[1]!;
  console.log(
    [
      `${CALLS.toLocaleString('en')} mixed calls (loop, thread, process; ${IN_FLIGHT} in flight) in ${seconds.toFixed(1)} s; ${machine()}`,
      '',
      '| quarter | RSS at its end, after a full GC (MiB) | RSS through it: median, min-max of 250 ms samples (MiB) | heap used at its end (MiB) |',
      '|---|---:|---:|---:|',
      ...rss.map(
        (b, i) => `| ${i + 1} | ${mib(b)} | ${mib(medians[i]!)}, ${mib(Math.min(...sampled[i]!))}-${mib(Math.max(...sampled[i]!))} (${sampled[i]!.length} samples) | ${mib(heap[i]!)} |`,
      ),
      '',
      `RSS growth from the second to the last quarter: ${(medianGrowth * 100).toFixed(1)}% by the quarters' medians, ${(growth * 100).toFixed(1)}% by the points after GC (flat: under 10%)`,
      `outcomes: ${JSON.stringify(outcomes)}`,
      `settled twice: ${settledTwice}; wrong outcomes: ${wrongOutcome}; healed pools answered: ${JSON.stringify(healed)}`,
    ].join('\n'),
  );
  if (settledTwice > 0 || wrongOutcome > 0 || healed.some((v) => v !== -1)) process.exitCode = 1;
}

function classify(error: unknown): string {
  if (isTimeoutError(error)) return 'timeout';
  if (isCancelledError(error)) return 'cancelled';
  if (isWorkerCrashedError(error)) return 'crashed';
  if (error instanceof RangeError) return 'thrown';
  return `other: ${String(error).slice(0, 80)}`;
}

if (!inWorker()) void main();

/** `/proc/<pid>/stat` of a child (state, CPU ticks), or why it cannot be read. */
function procStat(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').trim();
  } catch (error) {
    return (error as Error).message;
  }
}
