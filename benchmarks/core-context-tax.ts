/**
 * The AsyncLocalStorage tax (issue 16, item 6): how much slower does code that never
 * touches unsync run because unsync tracks the current task?
 *
 * unsync carries the current task through awaits with an AsyncLocalStorage. Where Node
 * builds it on async_hooks (Node 20 and 22), an enabled storage runs a promise hook for
 * every promise in the process; where it builds it on AsyncContextFrame (Node >= 24, or 22
 * with `--experimental-async-context-frame`), a promise only keeps a pointer to the frame it
 * was made in. The workload is core-tasks.ts's raw one (100k async functions +
 * `Promise.all`), never touching unsync, in fresh processes on the same schedule:
 *
 *   bare    processes that never load unsync (the baseline, slot by slot);
 *   after   unsync loaded, tasks run and all finished;
 *   during  one unsync task pending while the workload runs outside it;
 *   inside  the workload runs inside a task's body (code that runs under a task).
 *
 * Run: npx tsx benchmarks/core-context-tax.ts [--node "PATH [FLAGS]"]... [--markdown] [--check]
 * Without --node it measures the running Node; UNSYNC_BENCH_NODES adds variants too
 * ("PATH [FLAGS]" entries separated by commas). --check (the guard) exits 1 when a Node
 * >= 24 runs `after` or `during` more than 1.1x slower than `bare`.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { machine, median } from './lib/measure';

const N = 100_000;
const ROUNDS = 9;
const WARMUP = 5;
/** Fresh processes per variant, their medians' median reported. */
const PROCESSES = 5;
const LIMIT = 1.1;

async function rawPromiseAll(): Promise<number> {
  const start = performance.now();
  const work = async (i: number): Promise<number> => i;
  const ps: Promise<number>[] = new Array(N);
  for (let i = 0; i < N; i++) ps[i] = work(i);
  await Promise.all(ps);
  return performance.now() - start;
}

async function rounds(): Promise<number> {
  const samples: number[] = [];
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const ms = await rawPromiseAll();
    if (r >= WARMUP) samples.push(ms);
  }
  return median(samples);
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The three slots of a measuring cycle; a bare process fills them with the same workload. */
const SLOTS = ['after', 'during', 'inside'] as const;
type Slot = (typeof SLOTS)[number];

/**
 * One process's figures, printed as `{ ms, storage }`. Both kinds run the same schedule:
 * warm-up rounds (the heap and the JIT settle), then cycles of three rounds with a turn of
 * the loop between cycles. A `loaded` process loads the library and runs 1000 tasks after
 * the warm-up, then measures in each cycle once every task has finished (*after*), while
 * one task is pending (*during*) and inside a task's body (*inside*); a `bare` process
 * never loads the library and measures the plain workload in the same slots.
 */
async function child(kind: 'bare' | 'loaded'): Promise<void> {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const storage = 'enabled' in new AsyncLocalStorage() ? 'async_hooks' : 'AsyncContextFrame';
  const samples: Record<Slot, number[]> = { after: [], during: [], inside: [] };
  for (let r = 0; r < WARMUP + ROUNDS; r++) await rawPromiseAll();
  const idle = async (): Promise<void> => {
    // The async_hooks storage is disabled once no task was pending for 20 ms
    // (IDLE_DISABLE_MS in src/core/current.ts): wait past that, in both kinds of process.
    await new Promise((r) => setTimeout(r, 60));
  };
  let pendingTask: (() => () => Promise<void>) | undefined;
  let inTask: ((fn: () => Promise<number>) => PromiseLike<number>) | undefined;
  if (kind === 'loaded') {
    const { createTask, gather } = await import('../src');
    const { pendingFuture, resolveFuture } = await import('../src/core/future-internal');
    await gather(Array.from({ length: 1000 }, (_, i) => () => Promise.resolve(i)));
    pendingTask = () => {
      const gate = pendingFuture<void>();
      const task = createTask(() => gate);
      return async () => {
        resolveFuture(gate, undefined);
        await task;
      };
    };
    inTask = (fn) => createTask(fn);
  }
  await idle();
  for (let r = 0; r < WARMUP + ROUNDS; r++) {
    const after = await rawPromiseAll();
    const release = pendingTask?.();
    await turn(); // the task has started: the storage is on
    const during = await rawPromiseAll();
    await release?.();
    const inside = inTask === undefined ? await rawPromiseAll() : await inTask(rawPromiseAll);
    await idle();
    if (r < WARMUP) continue;
    samples.after.push(after);
    samples.during.push(during);
    samples.inside.push(inside);
  }
  const ms = Object.fromEntries(SLOTS.map((m) => [m, median(samples[m])]));
  console.log(JSON.stringify({ ms, storage }));
}

/** A Node to measure: its binary and flags. */
interface Variant {
  readonly node: string;
  readonly flags: string[];
}

function parseVariant(text: string): Variant {
  const [node, ...flags] = text.trim().split(/\s+/);
  return { node: node!, flags };
}

function variants(argv: string[]): Variant[] {
  const out: Variant[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === '--node' && argv[i + 1] !== undefined) out.push(parseVariant(argv[++i]!));
  for (const entry of (process.env.UNSYNC_BENCH_NODES ?? '').split(',')) if (entry.trim() !== '') out.push(parseVariant(entry));
  if (out.length === 0) out.push({ node: process.execPath, flags: [] });
  return out;
}

interface VariantResult {
  readonly label: string;
  readonly major: number;
  readonly storage: string;
  /** Per slot: the bare processes' median, and the loaded processes'. */
  readonly bare: Record<Slot, number>;
  readonly loaded: Record<Slot, number>;
}

function measure(variant: Variant): VariantResult {
  const root = path.resolve(__dirname, '..');
  const version = execFileSync(variant.node, ['--version'], { encoding: 'utf8' }).trim();
  const samples = { bare: { after: [], during: [], inside: [] }, loaded: { after: [], during: [], inside: [] } } as Record<'bare' | 'loaded', Record<Slot, number[]>>;
  let storage = '';
  for (let p = 0; p < PROCESSES; p++) {
    // Alternate which kind goes first, as interleave() does for contenders.
    for (const kind of p % 2 === 0 ? (['bare', 'loaded'] as const) : (['loaded', 'bare'] as const)) {
      const out = execFileSync(variant.node, [...variant.flags, '--import', 'tsx', __filename, '--child', kind], { cwd: root, encoding: 'utf8' });
      const figure = JSON.parse(out.trim().split('\n').pop()!) as { ms: Record<Slot, number>; storage: string };
      for (const slot of SLOTS) samples[kind][slot].push(figure.ms[slot]);
      storage = figure.storage;
    }
  }
  const medians = (kind: 'bare' | 'loaded'): Record<Slot, number> =>
    Object.fromEntries(SLOTS.map((m) => [m, median(samples[kind][m])])) as Record<Slot, number>;
  const label = [version, ...variant.flags].join(' ');
  return { label, major: Number(/^v(\d+)/.exec(version)?.[1] ?? 0), storage, bare: medians('bare'), loaded: medians('loaded') };
}

const tax = (r: VariantResult, slot: Slot): number => r.loaded[slot] / r.bare[slot];

function table(results: VariantResult[]): string {
  const rows = results.map(
    (r) =>
      `| ${r.label} | ${r.storage} | ${r.bare.after.toFixed(1)} | ${tax(r, 'after').toFixed(2)}x | ${tax(r, 'during').toFixed(2)}x | ${tax(r, 'inside').toFixed(2)}x |`,
  );
  return [
    `| Node | storage | bare: ms per ${N / 1000}k | after tasks ran | while a task is pending | inside a task |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** Variants of Node >= 24 whose untouched code runs more than LIMIT x slower. */
function overLimit(results: VariantResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    if (r.major < 24) continue;
    for (const mode of ['after', 'during'] as const) {
      if (tax(r, mode) > LIMIT) out.push(`${r.label}: ${mode} ${tax(r, mode).toFixed(2)}x (limit ${LIMIT}x)`);
    }
  }
  return out;
}

function markdownSection(results: VariantResult[]): string {
  return `## Context tracking: the AsyncLocalStorage tax

Command: \`npx tsx benchmarks/core-context-tax.ts --node "PATH [FLAGS]" ...\` (one line per
Node binary; medians over ${PROCESSES} fresh processes of each kind, alternating, each
reporting medians of ${ROUNDS} measuring cycles after ${WARMUP} warm-up ones). Machine: ${machine()}.

The workload is core-tasks.ts's raw one (${N / 1000}k async functions + \`Promise.all\`), code that
never touches unsync. Each ratio compares a process that loaded unsync and ran 1000 tasks
with a *bare* process that never loads it, running the same schedule: rounds once every
task has finished (*after tasks ran*), while one task stays pending and the workload runs
outside it (*while a task is pending*), and inside a task's body (*inside a task*).

${table(results)}

Reading it:

- AsyncLocalStorage on async_hooks (Node 20, 22) runs a promise hook for every promise of
  the process while it is enabled. unsync enables it at a task's first step and disables it
  once no task has been pending for 20 ms, so code runs at full speed before the first
  task and once tasks are done (*after*), and pays while tasks are pending (*during*,
  *inside*).
- On AsyncContextFrame (Node >= 24, and Node 22 with \`--experimental-async-context-frame\`)
  there is no promise hook: untouched code runs at about 1.0x in every column. On Node 22
  the flag removes the cost: the storage is then frame-based (unsync probes which kind it
  got, whatever the version), and unsync uses the cheaper frame-based task entry there too.
- The guard (\`--check\`) fails when a Node >= 24 runs *after* or *while a task is pending*
  above ${LIMIT}x. On a loaded shared host one run moves by ±30% (0.7x to 1.25x seen on
  Node 24 and 26 the same evening): a ${LIMIT}x limit can only be judged on a quiet machine or
  over several runs.
`;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--child');
  if (at !== -1) {
    await child(process.argv[at + 1] === 'loaded' ? 'loaded' : 'bare');
    return;
  }
  const results = variants(process.argv.slice(2)).map(measure);
  if (process.argv.includes('--markdown')) console.log(markdownSection(results));
  else if (process.argv.includes('--json')) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`machine: ${machine()}`);
    console.log(table(results));
  }
  if (process.argv.includes('--check')) {
    const failures = overLimit(results);
    if (failures.length > 0) {
      console.error(`context tax above ${LIMIT}x on Node >= 24:\n  ${failures.join('\n  ')}`);
      process.exitCode = 1;
    }
  }
}

main();
