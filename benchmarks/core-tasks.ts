/**
 * Foundation benchmarks (issue 2):
 *   1. 100k createTask + gather vs raw async functions + Promise.all  (goal: within 3x)
 *   2. memory per pending task vs a pending raw promise              (goal: < 1 KiB above)
 * Run: npx tsx benchmarks/core-tasks.ts [--json | --markdown]
 * (`--markdown` prints the complete "Foundation" section of docs/performance.md.)
 */
import { createTask, gather, Unfuture } from '../src';
import { pendingFuture, resolveFuture } from '../src/core/future';
import { execFileSync } from 'node:child_process';
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

/** Raw Promise.all in a fresh process where no task (so no AsyncLocalStorage) ever existed. */
function rawWithoutTasks(): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--raw-only'], { encoding: 'utf8' });
  return Number(out.trim());
}

async function main(): Promise<void> {
  if (process.argv.includes('--raw-only')) {
    const figures = await interleave({ raw: rawPromiseAll }, 7, 2);
    console.log(figures.raw);
    return;
  }
  const json = process.argv.includes('--json');
  const rawNoAls = rawWithoutTasks();
  const speed = await interleave({ 'raw Promise.all': rawPromiseAll, 'unsync createTask+gather': unsyncGather }, 7, 2);
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
    },
    memory: { ...mem, extraBytes: mem['unsync task']! - mem['raw promise']! },
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  if (process.argv.includes('--markdown')) {
    console.log(markdownSection(speed, rawNoAls, mem, result.machine));
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
  console.log('');
  console.log('| pending item | bytes each |');
  console.log('| --- | --- |');
  console.log(`| raw promise (async fn awaiting a gate) | ${mem['raw promise']!.toFixed(0)} |`);
  console.log(`| unsync task (same body) | ${mem['unsync task']!.toFixed(0)} |`);
  console.log(`| extra per task | ${result.memory.extraBytes.toFixed(0)} |`);
}

/** The "Foundation" section of docs/performance.md, complete (run-all.ts concatenates it). */
function markdownSection(speed: Record<string, number>, rawNoAls: number, mem: Record<string, number>, machineLine: string): string {
  const raw = speed['raw Promise.all']!;
  const tasks = speed['unsync createTask+gather']!;
  const extra = mem['unsync task']! - mem['raw promise']!;
  const met = (ok: boolean): string => (ok ? 'met' : '**not met**');
  return `## Foundation: tasks and gather

Command: \`npx tsx benchmarks/core-tasks.ts\` (7 timed rounds after 2 warm-up rounds,
contenders alternating; memory after forced GC, 3 rounds). Machine: ${machineLine}.

| ${N / 1000}k tasks | median ms | ratio |
| --- | --- | --- |
| raw async functions + \`Promise.all\`, same process | ${raw.toFixed(1)} | 1.00x |
| raw async functions + \`Promise.all\`, process that never made a task | ${rawNoAls.toFixed(1)} | ${ratio(rawNoAls, raw)} |
| \`createTask\` + \`gather\` | ${tasks.toFixed(1)} | ${ratio(tasks, raw)} |

| pending item | bytes each |
| --- | --- |
| raw promise (async function awaiting a gate) | ${mem['raw promise']!.toFixed(0)} |
| unsync task (same body, awaiting an Unfuture gate) | ${mem['unsync task']!.toFixed(0)} |
| extra per task | ${extra.toFixed(0)} |

Reading it:

- Goal "within 3x of raw Promise.all in the same process": ${met(tasks / raw <= 3)} (${ratio(tasks, raw)}).
  Memory goal "under 1 KiB above a raw promise": ${met(extra < 1024)} (${extra.toFixed(0)} bytes).
- The second row is the cost of \`AsyncLocalStorage\` on Node 20: once the first task exists,
  Node's promise hooks run for *every* promise in the process, and raw promise churn gets
  slower. unsync needs the current task at every \`await\` to deliver cancellation there; it
  enters the storage only when the first task is created, so a program that uses only pools
  and futures never pays it.
`;
}

main();
