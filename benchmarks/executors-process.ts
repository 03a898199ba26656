/**
 * The process executor vs workerpool's process mode and raw `child_process.fork` IPC.
 * Run: `npx tsx benchmarks/executors-process.ts [overhead|map|scaling|cold] [--markdown] [--quick]`
 * (about four minutes on 2 cores; `--quick` runs smaller sizes to check the script).
 * `--markdown` prints the complete "Executors: process pool" section of docs/performance.md
 * on stdout (progress on stderr), for `npm run bench`.
 *
 * 1. Tiny-task overhead: 100k calls in flight at once ("batched") and 5k calls one after
 *    the other ("sequential"), every pool with one child per core, warmed up
 *    (goals: faster than workerpool; batched within 2.5x of raw JSON fork IPC).
 * 2. `map` over 1M tiny items on the process pool (chunks of 1024) vs workerpool called once
 *    per item and vs the raw fork IPC floor, one message per item each way (100k items each,
 *    pipelined; figures per item). Goals (issue 4's map goals): at least 5x workerpool's
 *    per-item throughput, and within 2x of the raw floor.
 * 3. CPU scaling: 8 CPU-bound calls on all cores vs the same 8 run serially here, next to
 *    piscina's own speedup (goal: >= 0.9x piscina's speedup).
 * 4. Cold start: first call on a fresh pool vs a bare `fork` answering one message.
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
import { ProcessExecutor, mapOn } from '../src/executors';
import { interleave, machine, ratio, timed } from './lib/measure';

const QUICK = process.argv.includes('--quick');
const CORES = Math.max(1, os.availableParallelism());
const BATCH = QUICK ? 20_000 : 100_000;
const SEQUENTIAL = QUICK ? 1_000 : 5_000;
const CPU_CALLS = 8;
/** Items of the `map` run, and of each one-call/one-message-per-item contender (figures are per item). */
const MAP_ITEMS = QUICK ? 100_000 : 1_000_000;
const PER_ITEM = QUICK ? 20_000 : 100_000;
const MAP_CHUNK = 1024;

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

const MARKDOWN = process.argv.includes('--markdown');
const ONLY = process.argv.slice(2).find((a) => !a.startsWith('--'));
/** The tables, collected for the markdown section; printed as they come otherwise. */
const tables: string[] = [];
/** Figures the markdown section's goal lines read. */
const goals: {
  batchedVsJson?: number;
  sequentialVsWorkerpool?: number;
  sequentialQuietVsWorkerpool?: number;
  /** Per-item throughput of unsync map over workerpool's one exec per item (higher is better). */
  mapVsWorkerpool?: number;
  /** Per-item throughput of unsync map over the raw JSON fork IPC floor, one message per item. */
  mapVsRawJson?: number;
  scalingVsPiscina?: number;
  coldVsFork?: number;
} = {};
function out(line: string): void {
  tables.push(line);
  if (MARKDOWN) process.stderr.write(`${line}\n`);
  else console.log(line);
}

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
  const quiet = new ProcessExecutor({ minWorkers: CORES, maxWorkers: CORES, execArgv: [], callerStacks: false });
  const wp = workerpool.pool(WP_WORKER, { workerType: 'process', minWorkers: CORES, maxWorkers: CORES, forkOpts: { execArgv: [] } });
  const raw = await RawForkPool.start(CORES, 'advanced');
  const rawJson = await RawForkPool.start(CORES, 'json');
  const contenders = {
    unsync: (i: number) => unsync.submit(noopRef, [i]),
    'unsync, callerStacks: false': (i: number) => quiet.submit(noopRef, [i]),
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
    out(`\n${mode}: ${n} tiny calls, ${CORES} children`);
    out('| contender | median ms | per call | unsync vs it |');
    out('| --- | --- | --- | --- |');
    for (const [name, ms] of Object.entries(figures)) {
      out(`| ${name} | ${ms.toFixed(1)} | ${perCall(ms, n)} | ${ratio(figures.unsync!, ms)} |`);
    }
    if (mode === 'batched') goals.batchedVsJson = figures.unsync! / figures['raw fork IPC (json)']!;
    else {
      goals.sequentialVsWorkerpool = figures.unsync! / figures.workerpool!;
      goals.sequentialQuietVsWorkerpool = figures['unsync, callerStacks: false']! / figures.workerpool!;
    }
  }
  await unsync.close();
  await quiet.close();
  await wp.terminate();
  raw.close();
  rawJson.close();
}

/** Per-item contenders: PER_ITEM calls in flight at once. */
async function perItem(call: (i: number) => PromiseLike<unknown>): Promise<number> {
  return timed(() => {
    const all: PromiseLike<unknown>[] = new Array(PER_ITEM);
    for (let i = 0; i < PER_ITEM; i++) all[i] = call(i);
    return Promise.all(all);
  });
}

async function mapSection(): Promise<void> {
  const unsync = new ProcessExecutor({ minWorkers: CORES, maxWorkers: CORES, execArgv: [] });
  const wp = workerpool.pool(WP_WORKER, { workerType: 'process', minWorkers: CORES, maxWorkers: CORES, forkOpts: { execArgv: [] } });
  const raw = await RawForkPool.start(CORES, 'advanced');
  const rawJson = await RawForkPool.start(CORES, 'json');
  const items = Array.from({ length: MAP_ITEMS }, (_, i) => i);
  const figures = await interleave(
    {
      'unsync map': () =>
        timed(async () => {
          let n = 0;
          for await (const _ of mapOn(unsync, noopRef, items, { chunkSize: MAP_CHUNK, concurrency: 4 * CORES })) n++;
          if (n !== MAP_ITEMS) throw new Error(`map lost items: ${n} of ${MAP_ITEMS}`);
        }),
      'workerpool, one exec per item': () => perItem((i) => wp.exec('noop', [i])),
      'raw fork IPC (advanced), one message per item': () => perItem((i) => raw.call(i)),
      'raw fork IPC (json), one message per item': () => perItem((i) => rawJson.call(i)),
    },
    QUICK ? 2 : 3,
    1,
  );
  const perItemUs: Record<string, number> = {};
  for (const [name, ms] of Object.entries(figures)) perItemUs[name] = (ms * 1000) / (name === 'unsync map' ? MAP_ITEMS : PER_ITEM);
  const mapUs = perItemUs['unsync map']!;
  const size = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1000}k`);
  out(`
map: unsync over ${size(MAP_ITEMS)} tiny items (chunkSize ${MAP_CHUNK}, concurrency ${4 * CORES}) vs one call or message per item (${size(PER_ITEM)} in flight), ${CORES} children`);
  out('| contender | median ms | items | per item | unsync map is faster by |');
  out('| --- | --- | --- | --- | --- |');
  for (const [name, ms] of Object.entries(figures)) {
    const n = name === 'unsync map' ? MAP_ITEMS : PER_ITEM;
    out(`| ${name} | ${ms.toFixed(1)} | ${size(n)} | ${perItemUs[name]!.toFixed(3)} µs | ${name === 'unsync map' ? '' : ratio(perItemUs[name]!, mapUs)} |`);
  }
  goals.mapVsWorkerpool = perItemUs['workerpool, one exec per item']! / mapUs;
  goals.mapVsRawJson = perItemUs['raw fork IPC (json), one message per item']! / mapUs;
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
  out(`\nCPU scaling: ${CPU_CALLS} calls of burn(${n}), ${CORES} cores`);
  out('| contender | median ms | speedup vs serial |');
  out('| --- | --- | --- |');
  for (const [name, ms] of Object.entries(figures)) out(`| ${name} | ${ms.toFixed(1)} | ${ratio(figures.serial!, ms)} |`);
  out(`unsync speedup / piscina speedup: ${(figures.piscina! / figures.unsync!).toFixed(2)}`);
  goals.scalingVsPiscina = figures.piscina! / figures.unsync!;
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
  out('\ncold start');
  out('| contender | median ms | vs bare fork |');
  out('| --- | --- | --- |');
  for (const [name, ms] of Object.entries(figures)) out(`| ${name} | ${ms.toFixed(1)} | ${ratio(ms, figures['bare fork, one message']!)} |`);
  goals.coldVsFork = figures['unsync, first call']! / figures['bare fork, one message']!;
}

/** The "Executors: process pool" section of docs/performance.md, from this run's tables. */
function markdownSection(): string {
  const met = (ok: boolean): string => (ok ? 'met' : '**not met**');
  const reading: string[] = [];
  if (goals.batchedVsJson !== undefined) {
    reading.push(`- Batched tiny calls: unsync ${goals.batchedVsJson.toFixed(2)}x raw JSON \`fork\` IPC (goal: within 2.5x, ${met(goals.batchedVsJson <= 2.5)}).`);
  }
  if (goals.mapVsWorkerpool !== undefined && goals.mapVsRawJson !== undefined) {
    reading.push(
      `- \`map\` over tiny items: ${goals.mapVsWorkerpool.toFixed(2)}x workerpool's per-item throughput (goal: >= 5x, ${met(goals.mapVsWorkerpool >= 5)}) and ${goals.mapVsRawJson.toFixed(2)}x the raw JSON \`fork\` IPC floor, one message per item (goal: within 2x, i.e. >= 0.5x, ${met(goals.mapVsRawJson >= 0.5)}). One message carries a chunk of ${MAP_CHUNK} items, so map can beat the per-message floor.`,
    );
  }
  if (goals.scalingVsPiscina !== undefined) {
    reading.push(`- CPU scaling: ${goals.scalingVsPiscina.toFixed(2)}x piscina's own speedup (goal: >= 0.9x, ${met(goals.scalingVsPiscina >= 0.9)}).`);
  }
  if (goals.coldVsFork !== undefined) reading.push(`- Cold start: ${goals.coldVsFork.toFixed(2)}x a bare \`fork\` answering one message.`);
  if (goals.sequentialVsWorkerpool !== undefined && goals.sequentialQuietVsWorkerpool !== undefined) {
    reading.push(
      `- Sequential tiny calls: unsync ${goals.sequentialVsWorkerpool.toFixed(2)}x workerpool, ${goals.sequentialQuietVsWorkerpool.toFixed(2)}x with \`callerStacks: false\` (goal: faster than workerpool, ${met(goals.sequentialVsWorkerpool < 1)}; ${met(goals.sequentialQuietVsWorkerpool < 1)} without caller stacks). One round trip each is dominated by waking a sleeping process. unsync frames messages as JSON when JSON is exact and clones the rest (docs/executors.md, "The wire"), so tiny calls pay the JSON row, not the \`advanced\` one. A call that finds a child idle is sent inside \`submit\` and the caller's stack is recorded after the send, while the child works, so the two unsync rows match here; batched calls pay the capture in full (compare the two unsync rows of the batched table).`,
    );
  }
  return [
    '## Executors: process pool',
    '',
    `Command: \`npx tsx benchmarks/executors-process.ts --markdown${QUICK ? ' --quick' : ''}\`. Every pool has one child per core (${CORES}), every child runs plain \`node\` (\`execArgv: []\`) and calls \`x => x\` (or a CPU burn) from a plain \`.cjs\` module, so the figures are the pools' own cost. Medians over interleaved rounds. Machine: ${machine()}.`,
    '',
    ...tables.map((l) => (l.startsWith('\n') ? `\n**${l.slice(1)}**\n` : l.startsWith('unsync speedup') ? `\n${l}` : l)),
    '',
    'Reading it:',
    '',
    ...reading,
  ]
    .join('\n')
    .replace(/\n{3,}/g, '\n\n');
}

async function main(): Promise<void> {
  if (!MARKDOWN) console.log(`${machine()}\ncommand: npx tsx benchmarks/executors-process.ts`);
  if (ONLY === undefined || ONLY === 'overhead') await overhead();
  if (ONLY === undefined || ONLY === 'map') await mapSection();
  if (ONLY === undefined || ONLY === 'scaling') await scaling();
  if (ONLY === undefined || ONLY === 'cold') await coldStart();
  fs.rmSync(dir, { recursive: true, force: true });
  if (MARKDOWN) console.log(markdownSection());
}

void main();
