/**
 * Issue 5's benchmark: does `'auto'` route a mixed workload as well as the best fixed choice?
 *
 * The workload is the showcase's (examples/showcase.ts, also `npm run demo`): in one batch,
 * all started at once and gathered, async I/O waits (`fetchQuote`, a timer), blocking I/O
 * (`readRecord`: readFileSync + Atomics.wait), CPU work (`hashPassword`: pbkdf2Sync) and tiny
 * sync helpers (`formatPrice`). It runs in this one process under four routings: everything
 * on the loop, everything on the thread pool, everything on the process pool, and `'auto'`
 * (plain `@unsync`, routed by `inspect()`). Each batch measures its makespan and the main
 * loop's delay (`monitorEventLoopDelay`, p99 and max).
 *
 * Rounds are interleaved (the routing order alternates every round) after untimed warm-up
 * rounds that start the pools and let `'auto'` measure; figures are medians over rounds.
 * Goal: `'auto'` within 1.1x of the best fixed routing's makespan, main-loop p99 < 20 ms.
 *
 * Run: npx tsx benchmarks/decorator-routing.ts [--markdown | --json] [--rounds 7] [--warmup 2]
 * (`--markdown` prints the complete "Decorator: automatic routing" section of docs/performance.md.)
 *
 * `--overhead` measures instead what the decorator adds to a call that stays on the loop
 * (issue 17, item 6): a decorated sync function run inline and a decorated async function
 * run as a task, each against `createTask` of the same function, in interleaved rounds;
 * µs per call (started in batches of 1000 and awaited), medians. Goal: at most 1.2x.
 * With `--markdown` it prints the "Decorator: overhead of a loop call" section.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createTask, inWorker, inspect, run, shutdown, unsync } from '../src';
import { configureEvidence } from '../decorators/evidence-thresholds';
import { ROUTINGS, runBatch, type BatchResult, type Routing, type WorkloadSize } from '../examples/showcase';
import { machine, median, ratio } from './lib/measure';

const GOAL_RATIO = 1.1;
const GOAL_P99_MS = 20;

/** One routing's medians over the timed rounds. */
interface RoutingFigures {
  readonly routing: Routing;
  readonly makespanMs: number;
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  /** Calls that failed, over every timed round (a working routing has 0). */
  readonly failures: number;
  readonly firstError: string | undefined;
  /** function -> executors its calls ran on, in the last round. */
  readonly ranOn: Record<string, string[]>;
}

/** The batch: sized so that each kind of work matters and a batch takes a fraction of a second. */
function workload(file: string): WorkloadSize {
  return { file, quotes: 8, quoteMs: 60, records: 6, recordMs: 30, hashes: 6, hashIterations: 100_000, prices: 200 };
}

/** Warm-up rounds, then `rounds` timed rounds with the routing order alternating. */
async function measure(size: WorkloadSize, rounds: number, warmup: number): Promise<RoutingFigures[]> {
  const batches = new Map<Routing, BatchResult[]>(ROUTINGS.map((r) => [r, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    for (const routing of r % 2 === 0 ? ROUTINGS : [...ROUTINGS].reverse()) {
      const batch = await runBatch(routing, size);
      if (r >= warmup) batches.get(routing)!.push(batch);
    }
  }
  return ROUTINGS.map((routing) => {
    const list = batches.get(routing)!;
    return {
      routing,
      makespanMs: median(list.map((b) => b.makespanMs)),
      loopDelayP99: median(list.map((b) => b.loopDelayP99)),
      loopDelayMax: median(list.map((b) => b.loopDelayMax)),
      failures: list.reduce((n, b) => n + b.failures, 0),
      firstError: list.find((b) => b.firstError !== undefined)?.firstError,
      ranOn: list[list.length - 1]!.ranOn,
    };
  });
}

/** The best fixed routing (smallest makespan among those without failures) and auto's row. */
function verdict(rows: readonly RoutingFigures[]): { best: RoutingFigures | undefined; auto: RoutingFigures; ratioMet: boolean; p99Met: boolean } {
  const fixed = rows.filter((r) => r.routing !== 'auto' && r.failures === 0);
  const best = fixed.reduce<RoutingFigures | undefined>((b, r) => (b === undefined || r.makespanMs < b.makespanMs ? r : b), undefined);
  const auto = rows.find((r) => r.routing === 'auto')!;
  return {
    best,
    auto,
    ratioMet: best !== undefined && auto.failures === 0 && auto.makespanMs / best.makespanMs <= GOAL_RATIO,
    p99Met: auto.failures === 0 && auto.loopDelayP99 < GOAL_P99_MS,
  };
}

function where(ranOn: Record<string, string[]>): string {
  return Object.entries(ranOn)
    .map(([fn, on]) => `${fn}: ${on.join('/') || '-'}`)
    .join(', ');
}

function table(rows: readonly RoutingFigures[]): string {
  const { best } = verdict(rows);
  const lines = [
    '| routing | makespan ms | vs best fixed | main-loop p99 ms | main-loop max ms | failed calls | where the calls ran (last round) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    if (r.failures > 0) {
      lines.push(`| ${r.routing} | - | - | - | - | ${r.failures} | failed: ${r.firstError ?? 'unknown error'} |`);
      continue;
    }
    const vs = best === undefined ? '-' : ratio(r.makespanMs, best.makespanMs);
    const name = r.routing === best?.routing ? `**${r.routing}**` : r.routing === 'auto' ? '`auto`' : r.routing;
    lines.push(
      `| ${name} | ${r.makespanMs.toFixed(0)} | ${vs} | ${r.loopDelayP99.toFixed(1)} | ${r.loopDelayMax.toFixed(0)} | 0 | ${where(r.ranOn)} |`,
    );
  }
  return lines.join('\n');
}

/** The "Decorator: automatic routing" section of docs/performance.md, complete. */
function markdownSection(rows: readonly RoutingFigures[], size: WorkloadSize, rounds: number, warmup: number): string {
  const v = verdict(rows);
  const met = (ok: boolean): string => (ok ? 'met' : '**not met**');
  const autoVsBest = v.best === undefined ? 'no fixed routing completed' : `${ratio(v.auto.makespanMs, v.best.makespanMs)} of \`${v.best.routing}\``;
  const loop = rows.find((r) => r.routing === 'loop');
  return `## Decorator: automatic routing

Command: \`npx tsx benchmarks/decorator-routing.ts\` (${rounds} timed rounds after ${warmup} warm-up
rounds, the routing order alternating every round; medians).
Machine: ${machine()}.

One batch of the showcase workload (\`examples/showcase.ts\`), all calls started at once and
gathered, in one process: ${size.quotes} async I/O waits of ${size.quoteMs} ms (\`fetchQuote\`, a timer),
${size.records} blocking reads (\`readRecord\`: \`readFileSync\` of 256 KiB + \`Atomics.wait\` ${size.recordMs} ms),
${size.hashes} CPU-bound hashes (\`hashPassword\`: \`pbkdf2Sync\`, ${size.hashIterations / 1000}k iterations) and ${size.prices} tiny
helpers (\`formatPrice\`). Fixed routings are the four functions as static methods decorated
\`@unsync({ executor })\`; \`auto\` is the same functions as plain \`@unsync\` static methods,
routed by \`inspect()\`. Main-loop delay is \`monitorEventLoopDelay\` (1 ms resolution) during
the batch.

${table(rows)}

Reading it:

- Goal "\`auto\` within ${GOAL_RATIO}x of the best fixed routing": ${met(v.ratioMet)} (${autoVsBest}).
  Goal "main-loop p99 under ${GOAL_P99_MS} ms with \`auto\`": ${met(v.p99Met)} (${v.auto.loopDelayP99.toFixed(1)} ms).
- \`auto\` puts each kind where it belongs: the async waits stay on the loop as tasks (they
  cost no worker), the blocking reads go to the thread pool (a waiting thread costs no CPU),
  the hashes to the process pool, and the tiny helpers run inline (sending one costs more
  than running it). The blocking waits then overlap with the hashing instead of queueing
  with it${v.best !== undefined && v.auto.makespanMs < v.best.makespanMs ? ', which is why it beats every fixed routing here' : ''}.
- \`loop\` runs the blocking reads and the hashes on the event loop one after another: its
  makespan is their sum, and the loop stalls while they run${loop !== undefined && loop.failures === 0 ? ` (max ${loop.loopDelayMax.toFixed(0)} ms)` : ''}, the delay
  every other request on the loop would see. Its p99 stays low only because a loop that
  is blocked takes few delay samples: read the max column for stalls.
- \`thread\` and \`process\` keep the loop free but queue every call on one pool of
  \`os.availableParallelism()\` workers that run one call at a time: an async wait holds a
  worker for its whole duration, the blocking reads hold workers the hashes need, and each
  tiny helper pays a round trip.
`;
}

// ---- overhead of a loop call ----------------------------------------------------------

const OVERHEAD_GOAL = 1.2;

function addOne(x: number): number {
  return x + 1;
}
async function addOneLater(x: number): Promise<number> {
  return x + 1;
}
/** The same functions decorated with plain `@unsync` ('auto'): inline, and a task. */
const decoratedAddOne = unsync(addOne);
const decoratedAddOneLater = unsync(addOneLater);

/** µs per call of `start`, started in batches of 1000 and awaited. */
async function perCall(calls: number, start: (i: number) => PromiseLike<number>): Promise<number> {
  const begin = performance.now();
  for (let done = 0; done < calls; done += 1000) {
    const batch: PromiseLike<number>[] = [];
    for (let i = 0; i < 1000; i++) batch.push(start(i));
    for (const call of batch) await call;
  }
  return ((performance.now() - begin) / calls) * 1000;
}

interface OverheadRow {
  readonly what: string;
  readonly decoratedUs: number;
  readonly createTaskUs: number;
}

async function measureOverhead(rounds: number, warmup: number): Promise<OverheadRow[]> {
  const calls = 20_000;
  const cases = [
    { what: 'sync function (inline)', decorated: (i: number) => decoratedAddOne(i), plain: (i: number) => createTask(() => addOne(i)) },
    { what: 'async function (task)', decorated: (i: number) => decoratedAddOneLater(i), plain: (i: number) => createTask(() => addOneLater(i)) },
  ];
  const samples = cases.map(() => ({ decorated: [] as number[], plain: [] as number[] }));
  // On a busy machine a 1-µs call that is preempted measures over the 5 ms `blockMs` and
  // 'auto' moves `x + 1` to the thread pool (a real weakness of wall-clock evidence, see
  // docs/decorator.md); this measures the loop path, so it tolerates long stalls.
  const previous = configureEvidence({ blockMs: 1000 });
  await run(async () => {
    for (let r = 0; r < warmup + rounds; r++) {
      for (const [k, c] of cases.entries()) {
        // Alternate which goes first, so neither always runs on a warmer heap.
        const order = r % 2 === 0 ? (['decorated', 'plain'] as const) : (['plain', 'decorated'] as const);
        for (const which of order) {
          const us = await perCall(calls, c[which]);
          if (r >= warmup) samples[k]![which].push(us);
        }
      }
    }
  });
  configureEvidence({ blockMs: previous.blockMs });
  const ranOn = inspect(decoratedAddOne).executor;
  if (ranOn !== 'loop') throw new Error(`the decorated sync function was moved to the ${ranOn} executor: the figures are not loop calls`);
  return cases.map((c, k) => ({ what: c.what, decoratedUs: median(samples[k]!.decorated), createTaskUs: median(samples[k]!.plain) }));
}

function overheadTable(rows: readonly OverheadRow[]): string {
  const lines = ['| call | decorated µs/call | `createTask` µs/call | decorated / createTask |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| ${r.what} | ${r.decoratedUs.toFixed(2)} | ${r.createTaskUs.toFixed(2)} | ${ratio(r.decoratedUs, r.createTaskUs)} |`);
  return lines.join('\n');
}

function overheadSection(rows: readonly OverheadRow[], rounds: number, warmup: number): string {
  const met = rows.every((r) => r.decoratedUs / r.createTaskUs <= OVERHEAD_GOAL);
  return `## Decorator: overhead of a loop call

Command: \`npx tsx benchmarks/decorator-routing.ts --overhead --markdown\` (${rounds} timed rounds after
${warmup} warm-up rounds, the order of the two alternating; medians).
Machine: ${machine()}.

What \`@unsync\` adds to a call that stays on the event loop, against \`createTask\` of the same
function: 20,000 calls per round, started in batches of 1000 and each awaited. The decorated
sync function (\`x + 1\`) runs inline (a done \`Unfuture\`, timed as evidence); the decorated
async function runs as a task. The routing decision is one cached \`decide()\` per function,
recomputed only when the evidence epoch moves (\`decorators/route.ts\`).

${overheadTable(rows)}

Goal "at most ${OVERHEAD_GOAL}x \`createTask\`": ${met ? 'met' : '**not met**'}.
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      overhead: { type: 'boolean', default: false },
      markdown: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      rounds: { type: 'string', default: '7' },
      warmup: { type: 'string', default: '2' },
    },
  });
  const rounds = Number(values.rounds);
  const warmup = Number(values.warmup);
  if (!(Number.isInteger(rounds) && rounds > 0 && Number.isInteger(warmup) && warmup >= 0)) {
    throw new RangeError('Expected `--rounds` to be a positive integer and `--warmup` an integer >= 0');
  }
  if (values.overhead) {
    try {
      const rows = await measureOverhead(rounds, warmup);
      if (values.markdown) console.log(overheadSection(rows, rounds, warmup));
      else if (values.json) console.log(JSON.stringify({ machine: machine(), rounds, warmup, rows }, null, 2));
      else console.log(`machine: ${machine()}\n${overheadTable(rows)}`);
    } finally {
      await shutdown();
    }
    return;
  }
  const file = path.join(os.tmpdir(), `unsync-decorator-routing-${process.pid}.bin`);
  fs.writeFileSync(file, Buffer.alloc(256 * 1024, 7));
  try {
    const size = workload(file);
    const rows = await measure(size, rounds, warmup);
    if (values.markdown) console.log(markdownSection(rows, size, rounds, warmup));
    else if (values.json) console.log(JSON.stringify({ machine: machine(), size: { ...size, file: undefined }, rounds, warmup, rows, verdict: verdict(rows) }, null, 2));
    else {
      console.log(`machine: ${machine()}`);
      console.log(table(rows));
      const v = verdict(rows);
      console.log(`auto vs best fixed (${v.best?.routing ?? '-'}): ${v.best ? ratio(v.auto.makespanMs, v.best.makespanMs) : '-'}; auto loop p99 ${v.auto.loopDelayP99.toFixed(1)} ms`);
    }
  } finally {
    fs.rmSync(file, { force: true });
    await shutdown();
  }
}

// Workers never load this file (the functions live in examples/showcase.ts); the guard is
// the habit for any script that uses the pools.
if (!inWorker()) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
