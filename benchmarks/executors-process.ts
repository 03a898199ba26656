/**
 * The process executor vs workerpool's process mode and raw `child_process.fork` IPC.
 * Run: `npx tsx benchmarks/executors-process.ts` (about three minutes on 2 cores).
 *
 * 1. Tiny-task overhead: 100k calls in flight at once ("batched") and 5k calls one after
 *    the other ("sequential"), every pool with one child per core, warmed up.
 * 2. CPU scaling: 8 CPU-bound calls on all cores vs the same 8 run serially here, next to
 *    piscina's own speedup.
 * 3. Cold start: first call on a fresh pool vs a bare `fork` answering one message.
 *
 * Every child runs with `execArgv: []` (plain node) and calls a plain `.cjs` module found
 * by its export, so the figures are the pools' own cost, not TypeScript loading. Medians
 * over interleaved rounds (`benchmarks/lib/measure.ts`).
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import workerpool from 'workerpool';
import { ProcessExecutor } from '../src/executors';
import { interleave, machine, ratio, timed } from './lib/measure';

const CORES = Math.max(1, os.availableParallelism());
const BATCH = 100_000;
const SEQUENTIAL = 5_000;
const CPU_CALLS = 8;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-process-bench-'));
const TARGET = path.join(dir, 'target.cjs');
const BURN_SOURCE = 'function burn(n) { let x = 0; for (let i = 0; i < n; i++) x = (x + i * i) % 1000003; return x; }';
fs.writeFileSync(TARGET, `exports.noop = (x) => x;\n${BURN_SOURCE}\nexports.burn = burn;\n`);
const RAW_CHILD = path.join(dir, 'raw-child.cjs');
fs.writeFileSync(RAW_CHILD, `${BURN_SOURCE}
process.on('message', (m) => process.send({ id: m.id, value: m.burn ? burn(m.arg) : m.arg }));
process.on('disconnect', () => process.exit(0));
process.send('ready');\n`);
const WP_WORKER = path.join(dir, 'wp-worker.cjs');
fs.writeFileSync(WP_WORKER, `const workerpool = require(${JSON.stringify(require.resolve('workerpool'))});\n${BURN_SOURCE}\nworkerpool.worker({ noop: (x) => x, burn });\n`);
const PISCINA_BURN = path.join(dir, 'piscina-burn.cjs');
fs.writeFileSync(PISCINA_BURN, `${BURN_SOURCE}\nmodule.exports = burn;\n`);

const noopRef = { file: TARGET, name: 'noop' };
const burnRef = { file: TARGET, name: 'burn' };

/**
 * A minimal pipelined IPC pool: one message each way per call, each call to the child with
 * the fewest calls in flight (the first idle one when calls come one by one, like unsync).
 */
class RawForkPool {
  readonly #children: ChildProcess[] = [];
  readonly #pending = new Map<number, (value: unknown) => void>();
  readonly #inFlight: number[] = [];
  #id = 0;

  static async start(n: number, serialization: 'advanced' | 'json'): Promise<RawForkPool> {
    const pool = new RawForkPool();
    await Promise.all(Array.from({ length: n }, () => pool.#spawn(serialization)));
    return pool;
  }

  #spawn(serialization: 'advanced' | 'json'): Promise<void> {
    const child = fork(RAW_CHILD, [], { serialization, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const index = this.#children.push(child) - 1;
    this.#inFlight.push(0);
    return new Promise((ready) => {
      child.on('message', (m: { id: number; value: unknown } | 'ready') => {
        if (m === 'ready') return ready();
        this.#inFlight[index]!--;
        const resolve = this.#pending.get(m.id)!;
        this.#pending.delete(m.id);
        resolve(m.value);
      });
    });
  }

  call(arg: number, burn = false): Promise<unknown> {
    const id = this.#id++;
    let index = 0;
    for (let i = 1; i < this.#inFlight.length; i++) if (this.#inFlight[i]! < this.#inFlight[index]!) index = i;
    this.#inFlight[index]!++;
    const child = this.#children[index]!;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      child.send({ id, arg, burn });
    });
  }

  close(): void {
    for (const child of this.#children) child.disconnect();
  }
}

async function batched(call: (i: number) => PromiseLike<unknown>): Promise<number> {
  return timed(() => {
    const all: PromiseLike<unknown>[] = [];
    for (let i = 0; i < BATCH; i++) all.push(call(i));
    return Promise.all(all);
  });
}

async function sequential(call: (i: number) => PromiseLike<unknown>): Promise<number> {
  return timed(async () => {
    for (let i = 0; i < SEQUENTIAL; i++) await call(i);
  });
}

function perCall(ms: number, n: number): string {
  return `${((ms * 1000) / n).toFixed(1)} µs`;
}

async function overhead(): Promise<void> {
  const unsync = new ProcessExecutor({ minWorkers: CORES, maxWorkers: CORES, execArgv: [] });
  const wp = workerpool.pool(WP_WORKER, { workerType: 'process', minWorkers: CORES, maxWorkers: CORES, forkOpts: { execArgv: [] } });
  const raw = await RawForkPool.start(CORES, 'advanced');
  const rawJson = await RawForkPool.start(CORES, 'json');
  const contenders = {
    unsync: (i: number) => unsync.submit(noopRef, [i]),
    workerpool: (i: number) => wp.exec('noop', [i]),
    'raw fork IPC (advanced)': (i: number) => raw.call(i),
    'raw fork IPC (json)': (i: number) => rawJson.call(i),
  };
  for (const [mode, n, run, rounds] of [
    ['sequential', SEQUENTIAL, sequential, 5],
    ['batched', BATCH, batched, 3],
  ] as const) {
    const figures = await interleave(
      Object.fromEntries(Object.entries(contenders).map(([name, call]) => [name, () => run(call)])),
      rounds,
      1,
    );
    console.log(`\n${mode}: ${n} tiny calls, ${CORES} children`);
    console.log('| contender | median ms | per call | unsync vs it |');
    console.log('| --- | --- | --- | --- |');
    for (const [name, ms] of Object.entries(figures)) {
      console.log(`| ${name} | ${ms.toFixed(1)} | ${perCall(ms, n)} | ${ratio(figures.unsync!, ms)} |`);
    }
  }
  await unsync.close();
  await wp.terminate();
  raw.close();
  rawJson.close();
}

async function scaling(): Promise<void> {
  const n = 30_000_000;
  const unsync = new ProcessExecutor({ minWorkers: CORES, maxWorkers: CORES, execArgv: [] });
  const piscina = new Piscina({ filename: PISCINA_BURN, minThreads: CORES, maxThreads: CORES });
  const wp = workerpool.pool(WP_WORKER, { workerType: 'process', minWorkers: CORES, maxWorkers: CORES, forkOpts: { execArgv: [] } });
  const burn = new Function('n', `${BURN_SOURCE}; return burn(n);`) as (n: number) => number;
  const eight = (call: () => PromiseLike<unknown>) => timed(() => Promise.all(Array.from({ length: CPU_CALLS }, call)));
  const figures = await interleave(
    {
      serial: () => timed(async () => Array.from({ length: CPU_CALLS }, () => burn(n))),
      unsync: () => eight(() => unsync.submit(burnRef, [n])),
      piscina: () => eight(() => piscina.run(n)),
      workerpool: () => eight(() => wp.exec('burn', [n])),
    },
    5,
    1,
  );
  console.log(`\nCPU scaling: ${CPU_CALLS} calls of burn(${n}), ${CORES} cores`);
  console.log('| contender | median ms | speedup vs serial |');
  console.log('| --- | --- | --- |');
  for (const [name, ms] of Object.entries(figures)) console.log(`| ${name} | ${ms.toFixed(1)} | ${ratio(figures.serial!, ms)} |`);
  console.log(`unsync speedup / piscina speedup: ${(figures.piscina! / figures.unsync!).toFixed(2)}`);
  await unsync.close();
  await piscina.destroy();
  await wp.terminate();
}

async function coldStart(): Promise<void> {
  const figures = await interleave(
    {
      'bare fork, one message': () =>
        timed(async () => {
          const raw = await RawForkPool.start(1, 'advanced');
          await raw.call(1);
          raw.close();
        }),
      'unsync, first call': async () => {
        const pool = new ProcessExecutor({ maxWorkers: 1, execArgv: [] });
        const ms = await timed(() => pool.submit(noopRef, [1]));
        await pool.close();
        return ms;
      },
      'workerpool, first call': async () => {
        const wp = workerpool.pool(WP_WORKER, { workerType: 'process', maxWorkers: 1, forkOpts: { execArgv: [] } });
        const ms = await timed(() => wp.exec('noop', [1]));
        await wp.terminate();
        return ms;
      },
    },
    9,
    2,
  );
  console.log('\ncold start');
  console.log('| contender | median ms | vs bare fork |');
  console.log('| --- | --- | --- |');
  for (const [name, ms] of Object.entries(figures)) console.log(`| ${name} | ${ms.toFixed(1)} | ${ratio(ms, figures['bare fork, one message']!)} |`);
}

async function main(): Promise<void> {
  console.log(`${machine()}\ncommand: npx tsx benchmarks/executors-process.ts`);
  const only = process.argv[2];
  if (only === undefined || only === 'overhead') await overhead();
  if (only === undefined || only === 'scaling') await scaling();
  if (only === undefined || only === 'cold') await coldStart();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main();
