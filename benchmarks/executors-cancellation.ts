/**
 * Cancelling a running pool call (`npx tsx benchmarks/executors-cancellation.ts [--markdown]`),
 * thread and process pools side by side:
 *   - cooperative: the call checks `checkpoint()`; time from `cancel()` to the Unfuture
 *     settling (the worker is kept), and from `cancel()` to the worker's checkpoint throwing
 *     (the bound: within 20 ms);
 *   - forced (`cancelGrace: 0`): the worker is terminated / killed at once; time from
 *     `cancel()` to the Unfuture settling. Peer: piscina's own abort of a running task
 *     (which terminates its worker), in the same run;
 *   - the cost of one `checkpoint()` that finds nothing: on the loop outside any task, and
 *     inside a thread call and a process call (measured in the worker).
 * Figures are medians over rounds.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import { checkpoint } from '../src/core/checkpoint';
import { ProcessExecutor, ThreadExecutor } from '../src/executors';
import type { Executor } from '../src/executors/executor';
import { registeredRef } from '../src/executors/registry';
import * as targets from './lib/cancel-targets';
import { machine, median } from './lib/measure';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CHECKPOINTS = 10_000_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-cancel-bench-'));
const epochNow = (): number => performance.timeOrigin + performance.now();
const ref = (fn: Function): { file: string; name: string } => {
  const r = registeredRef(fn)!;
  return { file: r.file, name: r.name };
};

async function until(file: string): Promise<void> {
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 1));
}

interface Timings {
  settle: number[];
  seen: number[];
}

/** One cancel of a running call on `pool`: how long until it settled (and until the worker saw it). */
async function cancelOnce(pool: Executor, round: number, checked: boolean, timings: Timings): Promise<void> {
  const started = path.join(dir, `started-${pool.kind}-${checked}-${round}`);
  const seen = path.join(dir, `seen-${pool.kind}-${checked}-${round}`);
  const call = checked ? pool.submit(ref(targets.spinChecked), [started, seen]) : pool.submit(ref(targets.spinBlind), [started]);
  call.addDoneCallback(() => undefined);
  await until(started);
  const at = epochNow();
  call.cancel();
  await new Promise<void>((resolve) => call.addDoneCallback(() => resolve()));
  timings.settle.push(epochNow() - at);
  if (fs.existsSync(seen)) timings.seen.push(Number(fs.readFileSync(seen, 'utf8')) - at);
}

async function measurePool(kind: 'thread' | 'process', cancelGrace: number, checked: boolean): Promise<Timings> {
  const pool = kind === 'thread' ? new ThreadExecutor({ maxWorkers: 1, cancelGrace }) : new ProcessExecutor({ maxWorkers: 1, cancelGrace });
  const timings: Timings = { settle: [], seen: [] };
  try {
    await pool.submit(ref(targets.checkpointCost), [1]); // warm: module loaded in the worker
    for (let r = 0; r < ROUNDS; r++) await cancelOnce(pool, r, checked, timings);
  } finally {
    await pool.close();
  }
  return timings;
}

/** piscina's abort of a running task (it terminates the worker), from `abort()` to the rejection. */
async function piscinaAbort(): Promise<number[]> {
  const handler = path.join(dir, 'spin.cjs');
  fs.writeFileSync(handler, "module.exports = (started) => { require('fs').writeFileSync(started, ''); for (;;) {} };\n");
  const piscina = new Piscina({ filename: handler, minThreads: 1, maxThreads: 1 });
  const out: number[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const started = path.join(dir, `piscina-started-${r}`);
      const controller = new AbortController();
      const task = piscina.run(started, { signal: controller.signal }).catch(() => undefined);
      await until(started);
      const at = epochNow();
      controller.abort();
      await task;
      out.push(epochNow() - at);
    }
  } finally {
    await piscina.destroy();
  }
  return out;
}

async function checkpointInPool(kind: 'thread' | 'process'): Promise<number> {
  const pool = kind === 'thread' ? new ThreadExecutor({ maxWorkers: 1 }) : new ProcessExecutor({ maxWorkers: 1 });
  try {
    const samples: number[] = [];
    for (let r = 0; r < 5; r++) samples.push(await pool.submit<number>(ref(targets.checkpointCost), [CHECKPOINTS]));
    return median(samples);
  } finally {
    await pool.close();
  }
}

function checkpointOnLoop(): number {
  const samples: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    for (let i = 0; i < CHECKPOINTS; i++) checkpoint();
    samples.push(((performance.now() - start) * 1e6) / CHECKPOINTS);
  }
  return median(samples);
}

async function main(): Promise<void> {
  const markdown = process.argv.includes('--markdown');
  const rows: string[] = [];
  const fmt = (ms: number): string => ms.toFixed(2);
  for (const kind of ['thread', 'process'] as const) {
    const cooperative = await measurePool(kind, 10_000, true);
    const forced = await measurePool(kind, 0, false);
    rows.push(`| ${kind} | cooperative (checkpoint, worker kept) | ${fmt(median(cooperative.settle))} | ${fmt(Math.max(...cooperative.settle))} | ${fmt(median(cooperative.seen))} (max ${fmt(Math.max(...cooperative.seen))}) |`);
    rows.push(`| ${kind} | forced (\`cancelGrace: 0\`, worker replaced) | ${fmt(median(forced.settle))} | ${fmt(Math.max(...forced.settle))} | |`);
  }
  const peer = await piscinaAbort();
  rows.push(`| piscina (peer) | \`AbortSignal\` on a running task (worker terminated) | ${fmt(median(peer))} | ${fmt(Math.max(...peer))} | |`);
  const onLoop = checkpointOnLoop();
  const inThread = await checkpointInPool('thread');
  const inProcess = await checkpointInPool('process');
  fs.rmSync(dir, { recursive: true, force: true });

  const section = `## Executors: cancelling a running call

Command: \`npx tsx benchmarks/executors-cancellation.ts --markdown\` (${machine()}; ${ROUNDS}
cancels per row, one worker, medians). *Settled* is the time from \`cancel()\` to the
Unfuture settling; *seen* is from \`cancel()\` to the worker's \`checkpoint()\` throwing (the
worker's clock and the caller's are both epoch milliseconds). Cooperative rows run a loop
that calls \`checkpoint()\` every iteration, with \`cancelGrace\` 10 s; forced rows a loop that
never checks, with \`cancelGrace: 0\`.

| pool | cancel | settled, median (ms) | settled, max (ms) | seen by the worker (ms) |
| --- | --- | ---: | ---: | ---: |
${rows.join('\n')}

One \`checkpoint()\` that finds nothing to do: ${onLoop.toFixed(1)} ns on the loop outside any
task, ${inThread.toFixed(1)} ns inside a thread call, ${inProcess.toFixed(1)} ns inside a process
call (medians of 5 runs of ${CHECKPOINTS / 1e6}M calls).
`;
  console.log(markdown ? section : section.replace(/^## /, '# '));
}

void main();
