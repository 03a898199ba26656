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
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { inWorker, shutdown } from '../src';
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

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
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
