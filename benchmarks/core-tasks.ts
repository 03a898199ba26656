/**
 * Foundation benchmarks (issue 2):
 *   1. 100k createTask + gather vs raw async functions + Promise.all  (goal: within 3x), and
 *      against the floor of any task system that keeps the current task in an
 *      AsyncLocalStorage (a minimal one, below: what a context frame per task costs)
 *   2. memory per pending task vs a pending raw promise              (goal: < 1 KiB above)
 * Run: npx tsx benchmarks/core-tasks.ts [--json | --markdown] [--node "PATH [FLAGS]"]...
 * (`--markdown` prints the complete "Foundation" section of docs/performance.md.) Each
 * `--node` (or entry of UNSYNC_BENCH_NODES, comma-separated) runs the whole benchmark again
 * under that Node binary, in its own process, and adds a row to a per-version table.
 */
import { createTask, gather, Unfuture } from '../src';
import { pendingFuture, resolveFuture } from '../src/core/future-internal';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { withCompiled } from './lib/compiled';
import { gc, interleave, machine, ratio, timed } from './lib/measure';

const N = 100_000;

async function rawPromiseAll(): Promise<number> {
  return timed(async () => {
    const work = async (i: number): Promise<number> => i;
    const ps: Promise<number>[] = new Array(N);
    for (let i = 0; i < N; i++) ps[i] = work(i);
    await Promise.all(ps);
  });
}

async function unsyncGather(): Promise<number> {
  return timed(async () => {
    const work = async (i: number): Promise<number> => i;
    const ts: Unfuture<number>[] = new Array(N);
    for (let i = 0; i < N; i++) {
      const n = i;
      ts[i] = createTask(() => work(n));
    }
    await gather(ts);
  });
}

/*
 * The floor: a minimal task system (no cancellation, names, timing, checks or pending list)
 * that still keeps the current task in an AsyncLocalStorage, the way unsync does: tasks
 * start in one microtask batch, each enters its own context frame (one `enterWith`, from
 * the batch's frame), its body's reaction finds it again with `getStore()`, and a counter
 * gathers them. Whatever it costs above raw async functions is the price of a context
 * frame per task plus a deferred start, which no task system with a current task avoids.
 */
interface FloorTask {
  body: (() => Promise<number>) | undefined;
  value: number;
  done: (() => void) | undefined;
}
const floorStorage = new AsyncLocalStorage<FloorTask>();
let floorQueue: FloorTask[] = [];
let floorScheduled = false;
const floorResolved = Promise.resolve();

function floorStartBatch(): void {
  const batch = floorQueue;
  floorQueue = [];
  floorScheduled = false;
  const scope = new AsyncResource('floor-start');
  for (let i = 0; i < batch.length; i++) scope.runInAsyncScope(floorStep, null, batch[i]!);
}

function floorStep(task: FloorTask): void {
  floorStorage.enterWith(task);
  const body = task.body!;
  task.body = undefined;
  void body().then(floorSettled);
}

function floorSettled(value: number): void {
  const task = floorStorage.getStore()!;
  task.value = value;
  task.done!();
}

function floorTask(body: () => Promise<number>): FloorTask {
  const task: FloorTask = { body, value: 0, done: undefined };
  floorQueue.push(task);
  if (!floorScheduled) {
    floorScheduled = true;
    void floorResolved.then(floorStartBatch);
  }
  return task;
}

async function floorGather(): Promise<number> {
  return timed(async () => {
    const work = async (i: number): Promise<number> => i;
    const ts: FloorTask[] = new Array(N);
    for (let i = 0; i < N; i++) {
      const n = i;
      ts[i] = floorTask(() => work(n));
    }
    await new Promise<void>((resolve) => {
      let left = N;
      const done = (): void => {
        if (--left === 0) resolve();
      };
      for (let i = 0; i < N; i++) ts[i]!.done = done;
    });
    return ts.map((t) => t.value);
  });
}

const FLOOR = 'minimal AsyncLocalStorage tasks';
/** The three speed contenders, alternating. */
const SPEED = { 'raw Promise.all': rawPromiseAll, 'unsync createTask+gather': unsyncGather, [FLOOR]: floorGather };

/** Bytes retained per pending item: N items each parked on a gate, measured after GC. */
async function memoryPerPending(kind: 'raw' | 'task'): Promise<number> {
  const M = 50_000;
  gc();
  const before = process.memoryUsage().heapUsed;
  let held: unknown[];
  let release: () => void;
  if (kind === 'raw') {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const body = async (): Promise<void> => {
      await gate;
    };
    held = Array.from({ length: M }, () => body());
    release = open;
  } else {
    const gate = pendingFuture<void>();
    const body = async (): Promise<void> => {
      await gate;
    };
    held = Array.from({ length: M }, () => createTask(body));
    await new Promise((r) => setImmediate(r)); // let every task start and park
    release = () => resolveFuture(gate, undefined);
  }
  gc();
  const after = process.memoryUsage().heapUsed;
  release();
  await Promise.all(held as Promise<unknown>[]);
  held = [];
  return (after - before) / M;
}

/**
 * The same speed pair, measured in a fresh process running this file compiled by `tsc` (what
 * `require('unsync')` runs from `dist/`). Under tsx every export is an esbuild getter, which
 * a hot path pays per call; compiled CommonJS reads plain properties. Returns the median
 * figures, or undefined when the build fails (the section then says so).
 */
function compiledSpeed(): Record<string, number> | undefined {
  try {
    return withCompiled('core-tasks', (file) => JSON.parse(execFileSync(process.execPath, [file, '--speed-only'], { encoding: 'utf8' })) as Record<string, number>, true);
  } catch {
    return undefined;
  }
}

/** Raw Promise.all in a fresh process where no task (so no AsyncLocalStorage) ever existed. */
function rawWithoutTasks(): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--raw-only'], { encoding: 'utf8' });
  return Number(out.trim());
}

/** Another Node to run this benchmark under: its binary and flags. */
interface Variant {
  readonly node: string;
  readonly flags: string[];
}

function variants(argv: string[]): Variant[] {
  const parse = (text: string): Variant => {
    const [node, ...flags] = text.trim().split(/\s+/);
    return { node: node!, flags };
  };
  const out: Variant[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === '--node' && argv[i + 1] !== undefined) out.push(parse(argv[++i]!));
  for (const entry of (process.env.UNSYNC_BENCH_NODES ?? '').split(',')) if (entry.trim() !== '') out.push(parse(entry));
  return out;
}

/** One row of the per-version table. */
interface VersionRow {
  readonly label: string;
  readonly raw: number;
  readonly tasks: number;
  readonly floor: number;
  readonly rawNoAls: number;
  readonly compiled: Record<string, number> | undefined;
  readonly extraBytes: number;
}

type Result = {
  machine: string;
  tasks: Record<string, unknown> & { compiled?: Record<string, number> };
  memory: Record<string, number>;
};

function rowOf(label: string, result: Result): VersionRow {
  const t = result.tasks as Record<string, number>;
  return {
    label,
    raw: t['raw Promise.all']!,
    tasks: t['unsync createTask+gather']!,
    floor: t[FLOOR]!,
    rawNoAls: t['raw Promise.all, process without tasks']!,
    compiled: result.tasks.compiled,
    extraBytes: result.memory.extraBytes!,
  };
}

/** The whole benchmark under another Node, in a process of its own. */
function runUnder(variant: Variant): VersionRow {
  const version = execFileSync(variant.node, ['--version'], { encoding: 'utf8' }).trim();
  const out = execFileSync(variant.node, [...variant.flags, '--import', 'tsx', __filename, '--json'], {
    cwd: path.resolve(__dirname, '..'),
    encoding: 'utf8',
    env: { ...process.env, UNSYNC_BENCH_NODES: '' },
  });
  return rowOf([version, ...variant.flags].join(' '), JSON.parse(out) as Result);
}

function versionTable(rows: VersionRow[]): string {
  const line = (r: VersionRow): string => {
    const c = r.compiled;
    const compiled = c === undefined ? 'n/a' : ratio(c['unsync createTask+gather']!, c['raw Promise.all']!);
    const compiledFloor = c?.[FLOOR] === undefined ? 'n/a' : ratio(c[FLOOR]!, c['raw Promise.all']!);
    return `| ${r.label} | ${r.raw.toFixed(1)} | ${r.tasks.toFixed(1)} | ${ratio(r.tasks, r.raw)} | ${compiled} | ${ratio(r.floor, r.raw)} / ${compiledFloor} | ${ratio(r.rawNoAls, r.raw)} | ${r.extraBytes.toFixed(0)} |`;
  };
  return [
    `| Node | raw ms | createTask + gather ms | ratio (tsx) | ratio (compiled) | minimal AsyncLocalStorage tasks, ratio (tsx / compiled) | raw, process without tasks | extra bytes per pending task |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  if (process.argv.includes('--raw-only')) {
    const figures = await interleave({ raw: rawPromiseAll }, 7, 2);
    console.log(figures.raw);
    return;
  }
  if (process.argv.includes('--speed-only')) {
    console.log(JSON.stringify(await interleave(SPEED, 7, 2)));
    return;
  }
  const json = process.argv.includes('--json');
  const rawNoAls = rawWithoutTasks();
  const speed = await interleave(SPEED, 7, 2);
  const compiled = compiledSpeed();
  const mem = await interleave(
    { 'raw promise': () => memoryPerPending('raw'), 'unsync task': () => memoryPerPending('task') },
    3,
    1,
  );
  const result = {
    machine: machine(),
    tasks: {
      n: N,
      ...speed,
      'raw Promise.all, process without tasks': rawNoAls,
      ratio: speed['unsync createTask+gather']! / speed['raw Promise.all']!,
      ratioVsNoAls: speed['unsync createTask+gather']! / rawNoAls,
      compiled,
    },
    memory: { ...mem, extraBytes: mem['unsync task']! - mem['raw promise']! },
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const others = variants(process.argv.slice(2));
  const rows = others.length === 0 ? [] : [rowOf(process.version, result as Result), ...others.map(runUnder)];
  if (process.argv.includes('--markdown')) {
    console.log(markdownSection(speed, rawNoAls, mem, result.machine, compiled, rows));
    return;
  }
  console.log(`machine: ${result.machine}`);
  console.log(`| ${N / 1000}k tasks | median ms | ratio |`);
  console.log('| --- | --- | --- |');
  console.log(`| raw async + Promise.all, same process | ${speed['raw Promise.all']!.toFixed(1)} | 1.00x |`);
  console.log(`| raw async + Promise.all, process that never made a task | ${rawNoAls.toFixed(1)} | ${ratio(rawNoAls, speed['raw Promise.all']!)} |`);
  console.log(
    `| createTask + gather | ${speed['unsync createTask+gather']!.toFixed(1)} | ${ratio(speed['unsync createTask+gather']!, speed['raw Promise.all']!)} |`,
  );
  console.log(`| minimal AsyncLocalStorage tasks (the floor) | ${speed[FLOOR]!.toFixed(1)} | ${ratio(speed[FLOOR]!, speed['raw Promise.all']!)} |`);
  if (compiled !== undefined) {
    console.log(`| compiled JS: raw / createTask + gather | ${compiled['raw Promise.all']!.toFixed(1)} / ${compiled['unsync createTask+gather']!.toFixed(1)} | ${ratio(compiled['unsync createTask+gather']!, compiled['raw Promise.all']!)} |`);
    console.log(`| compiled JS: minimal AsyncLocalStorage tasks | ${compiled[FLOOR]!.toFixed(1)} | ${ratio(compiled[FLOOR]!, compiled['raw Promise.all']!)} |`);
  }
  console.log('');
  console.log('| pending item | bytes each |');
  console.log('| --- | --- |');
  console.log(`| raw promise (async fn awaiting a gate) | ${mem['raw promise']!.toFixed(0)} |`);
  console.log(`| unsync task (same body) | ${mem['unsync task']!.toFixed(0)} |`);
  console.log(`| extra per task | ${result.memory.extraBytes.toFixed(0)} |`);
  if (rows.length > 0) {
    console.log('');
    console.log(versionTable(rows));
  }
}

/** The "Foundation" section of docs/performance.md, complete (run-all.ts concatenates it). */
function markdownSection(
  speed: Record<string, number>,
  rawNoAls: number,
  mem: Record<string, number>,
  machineLine: string,
  compiled: Record<string, number> | undefined,
  rows: VersionRow[],
): string {
  const met = (ok: boolean): string => (ok ? 'met' : '**not met**');
  const raw = speed['raw Promise.all']!;
  const tasks = speed['unsync createTask+gather']!;
  const floor = speed[FLOOR]!;
  const cRaw = compiled?.['raw Promise.all'];
  const cTasks = compiled?.['unsync createTask+gather'];
  const cFloor = compiled?.[FLOOR];
  const compiledRows =
    cRaw !== undefined && cTasks !== undefined && cFloor !== undefined
      ? `| compiled JS (\`tsc\` output, what \`require('unsync')\` runs): raw async functions + \`Promise.all\` | ${cRaw.toFixed(1)} | 1.00x |
| compiled JS: \`createTask\` + \`gather\` | ${cTasks.toFixed(1)} | ${ratio(cTasks, cRaw)} |
| compiled JS: minimal AsyncLocalStorage tasks | ${cFloor.toFixed(1)} | ${ratio(cFloor, cRaw)} |
`
      : '| compiled JS | (the tsc build failed: no figure) | |\n';
  const extra = mem['unsync task']! - mem['raw promise']!;
  // The goal is judged per Node version when the run covers several (Node 24 is the one it names).
  const verdict = (label: string, t: number, r: number, c: Record<string, number> | undefined): string => {
    const compiledPart = c === undefined ? '' : `, compiled ${met(c['unsync createTask+gather']! / c['raw Promise.all']! <= 3)} (${ratio(c['unsync createTask+gather']!, c['raw Promise.all']!)})`;
    return `${label}: under tsx ${met(t / r <= 3)} (${ratio(t, r)})${compiledPart}`;
  };
  const verdicts =
    rows.length === 0 ? verdict(process.version, tasks, raw, compiled) : rows.map((r) => verdict(r.label, r.tasks, r.raw, r.compiled)).join('; ');
  const floors =
    rows.length === 0
      ? `${ratio(floor, raw)} / ${cRaw !== undefined && cFloor !== undefined ? ratio(cFloor, cRaw) : 'n/a'}`
      : rows.map((r) => `${r.label} ${ratio(r.floor, r.raw)} / ${r.compiled?.[FLOOR] === undefined ? 'n/a' : ratio(r.compiled[FLOOR]!, r.compiled['raw Promise.all']!)}`).join(', ');
  const overFloor = rows.length === 0 ? `${ratio(tasks, floor)}` : rows.map((r) => `${r.label} ${ratio(r.tasks, r.floor)}`).join(', ');
  return `## Foundation: tasks and gather

Command: \`npx tsx benchmarks/core-tasks.ts\` (7 timed rounds after 2 warm-up rounds,
contenders alternating; memory after forced GC, 3 rounds). Machine: ${machineLine}.

| ${N / 1000}k tasks | median ms | ratio |
| --- | --- | --- |
| raw async functions + \`Promise.all\`, same process | ${raw.toFixed(1)} | 1.00x |
| raw async functions + \`Promise.all\`, process that never made a task | ${rawNoAls.toFixed(1)} | ${ratio(rawNoAls, raw)} |
| \`createTask\` + \`gather\` | ${tasks.toFixed(1)} | ${ratio(tasks, raw)} |
| minimal AsyncLocalStorage tasks (the floor, see below) | ${floor.toFixed(1)} | ${ratio(floor, raw)} |
${compiledRows}
| pending item | bytes each |
| --- | --- |
| raw promise (async function awaiting a gate) | ${mem['raw promise']!.toFixed(0)} |
| unsync task (same body, awaiting an Unfuture gate) | ${mem['unsync task']!.toFixed(0)} |
| extra per task | ${extra.toFixed(0)} |

Reading it:

- Goal "within 3x of raw async functions + \`Promise.all\`, in the same run": ${verdicts}.
  The compiled figures are what \`require('unsync')\` runs from \`dist/\` (under tsx every
  cross-module export is an esbuild getter a hot path pays per call). On this shared host
  the ratios move by ±20% and more from run to run: read several runs before reading much
  into one.
  Memory goal "under 1 KiB above a raw promise": ${met(extra < 1024)} (${extra.toFixed(0)} bytes).
- The floor. The third contender is a task system of forty lines (no cancellation, names,
  timing, checks or pending list) that keeps the current task in an AsyncLocalStorage the
  way unsync does: tasks start in one microtask batch, each enters its own context frame,
  its body's reaction finds it again with \`getStore()\`, a counter gathers them. A frame
  per task is what any design pays that lets code after a native \`await\` ask which task it
  is in (that is how \`await\` on an Unfuture links to the task to cancel, and what
  \`currentTask()\` reads): Node makes each frame a new Map (~180 bytes, ~100 ns, plus what
  a 100k-task burst then costs the scavenger), while raw async functions got about six
  times faster from Node 20 to 24. Where the floor's own ratio is near or above 3x, no task
  system that keeps a current task in an AsyncLocalStorage meets the goal. The floor, tsx /
  compiled: ${floors}. unsync over the floor: ${overFloor}.
- The second row is the cost of \`AsyncLocalStorage\` where it is built on async_hooks
  (Node 20, 22): while it is enabled, a promise hook runs for *every* promise in the
  process, and raw promise churn gets slower. Here the raw rounds run right after task
  rounds, before the storage is disabled (20 ms after the last task settles), so they pay
  it; a process that never made a task does not. On Node >= 24 (AsyncContextFrame) the two
  rows match. "Context tracking" below measures that tax on every version.
- Where a task's time goes (Node 24.22, \`--cpu-prof\` and the sampling heap profiler,
  including objects the GC already collected, on the compiled run, December 2026): 40-48%
  is garbage collection, since 100k tasks are alive at once and every scavenge copies them.
  A task allocates about 710 bytes against about 210 for a raw async call: the Task object
  (176 bytes: 17 fields, the 17th the epoch of its await group since December 7, and
  the two brands V8 adds to classes with private methods), its context frame (184), the
  body's promise and its reaction (~145), the caller's closure (~70) and the batch
  queues (~55). No closure of unsync's own, no AbortController until
  \`signal\` is read, no timing object until \`timing\` is read.
- What made it cheaper (December 2026; A/B of the compiled code before and after, both
  builds loaded in one process with raw alternating, CPU time, medians of 3 runs of 11
  rounds: Node 24 217 ms before, 122 ms after, raw 15 ms; Node 20 235 ms before, 192 ms
  after, raw 124 ms): each task of a start batch enters its frame from the batch's own frame, through
  one AsyncResource per batch, instead of from the frame the previous task left behind,
  which Node copied entry by entry through the iterator protocol (~190 bytes and ~60-100 ns
  more per task); tasks are timed only in debug mode (three \`performance.now()\` reads a
  task, ~85 ns each on this VM, were about 15% of its CPU time); and \`gather\` of a list
  of futures copies the list rather than making a second pass that touches every future.
${rows.length === 0 ? '' : `
Per Node version (each a run of this whole benchmark under that binary, in its own process):

${versionTable(rows)}
`}`;
}

main();
