/**
 * `npm run demo`: where should each function run? unsync's answer, measured.
 *
 *   1. The seed's gather timeline: A, B and C sleep 2, 1 and 3 "seconds" at once.
 *   2. The showcase workload (examples/showcase.ts: async I/O, blocking I/O, CPU-bound and
 *      tiny functions, all decorated with @unsync) under each fixed routing and under 'auto':
 *      makespan and main-loop p99 delay, medians over interleaved rounds.
 *   3. benchmark() of each showcase function on each executor, with its recommendation.
 * Then the comparison table, and an HTML report with charts written to
 * <os.tmpdir()>/unsync-report.html (or UNSYNC_REPORT). Under a minute on 2 cores.
 */
import { SingleBar, Presets } from 'cli-progress';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspect as show } from 'node:util';
import { benchmark, gather, inWorker, renderHtmlReport, run, sleep, type BenchmarkResult } from '../src';
import { SECOND } from './seconds';
import { ROUTINGS, Showcase, runBatch, type BatchResult, type Routing, type WorkloadSize } from './showcase';

const REPORT = process.env.UNSYNC_REPORT ?? path.join(os.tmpdir(), 'unsync-report.html');
const ROUNDS = 3;
const tty = process.stderr.isTTY === true;

async function timeline(): Promise<void> {
  const started = performance.now();
  const stamp = (): string => `${((performance.now() - started) / 1000).toFixed(2).padStart(5)} s`;
  const worker = (name: string, seconds: number) => async (): Promise<string> => {
    console.log(`${stamp()}  ${name.toUpperCase()}: started (sleeps ${seconds} s)`);
    await sleep(seconds * SECOND);
    console.log(`${stamp()}  ${name.toUpperCase()}: finished`);
    return name;
  };
  console.log('1. gather(a, b, c) from the seed, on the event loop\n');
  const result = await gather(worker('a', 2), worker('b', 1), worker('c', 3));
  console.log(`${stamp()}  Result: ${show(result)}`);
  console.log(`Sequential would take 6 s; gather took ${stamp().trim()}.\n`);
}

function bar(label: string): SingleBar | undefined {
  if (!tty) return undefined;
  return new SingleBar({ format: `${label.padEnd(14)} [{bar}] {percentage}% {value}/{total}`, clearOnComplete: true, hideCursor: true }, Presets.shades_classic);
}

interface RoutingFigures {
  readonly routing: Routing;
  readonly makespanMs: number;
  readonly loopDelayP99: number;
  readonly loopDelayMax: number;
  readonly failures: number;
  readonly note: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function routings(size: WorkloadSize): Promise<RoutingFigures[]> {
  console.log(`2. The showcase workload under each routing: ${size.quotes} async quotes, ${size.records} blocking reads,`);
  console.log(`   ${size.hashes} password hashes and ${size.prices} tiny price formats per batch, all started at once.\n`);
  const progress = bar('routings');
  progress?.start(ROUTINGS.length * (ROUNDS + 1), 0);
  const batches = new Map<Routing, BatchResult[]>(ROUTINGS.map((r) => [r, []]));
  for (const routing of ROUTINGS) {
    await runBatch(routing, size); // warm-up: starts the pools, lets 'auto' measure
    progress?.increment();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const routing of round % 2 === 0 ? ROUTINGS : [...ROUTINGS].reverse()) {
      batches.get(routing)!.push(await runBatch(routing, size));
      progress?.increment();
    }
  }
  progress?.stop();
  return ROUTINGS.map((routing) => {
    const list = batches.get(routing)!;
    const last = list[list.length - 1]!;
    const failures = list.reduce((n, b) => n + b.failures, 0);
    const where = Object.entries(last.ranOn)
      .map(([fn, on]) => `${fn}→${on.join('/') || '-'}`)
      .join(' ');
    return {
      routing,
      makespanMs: median(list.map((b) => b.makespanMs)),
      loopDelayP99: median(list.map((b) => b.loopDelayP99)),
      loopDelayMax: median(list.map((b) => b.loopDelayMax)),
      failures,
      note: failures > 0 ? failureNote(routing, last.firstError) : where,
    };
  });
}

function failureNote(routing: Routing, error: string | undefined): string {
  // The process pool is being built: say so plainly rather than repeat the error per call.
  if (error !== undefined && /not available/.test(error)) return `the ${routing} executor is not available in this build of unsync yet`;
  return error ?? 'failed';
}

function routingTable(rows: RoutingFigures[]): string {
  const ok = rows.filter((r) => r.failures === 0);
  const fixed = ok.filter((r) => r.routing !== 'auto');
  const best = fixed.length > 0 ? Math.min(...fixed.map((r) => r.makespanMs)) : NaN;
  const cells = [
    ['routing', 'makespan ms', 'vs best fixed', 'loop p99 ms', 'loop max ms', 'failed', 'where the calls ran'],
    ...rows.map((r) =>
      r.failures > 0
        ? [r.routing, '-', '-', '-', '-', String(r.failures), r.note]
        : [r.routing, r.makespanMs.toFixed(0), `${(r.makespanMs / best).toFixed(2)}x`, r.loopDelayP99.toFixed(1), r.loopDelayMax.toFixed(0), '0', r.note],
    ),
  ];
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]): string => row.map((v, c) => (c === 0 || c === 6 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

async function benchmarks(file: string): Promise<BenchmarkResult[]> {
  console.log('\n3. benchmark() of each function on each executor (medians of 3 interleaved rounds)\n');
  const plans: Array<[Function, unknown[], number]> = [
    [Showcase.fetchQuote, [20], 24],
    [Showcase.readRecord, [file, 15], 24],
    [Showcase.hashPassword, [100_000], 24],
    [Showcase.formatPrice, [123_456], 300],
  ];
  const results: BenchmarkResult[] = [];
  for (const [fn, args, calls] of plans) {
    const progress = bar(fn.name);
    let started = false;
    const r = await benchmark(fn, {
      args,
      calls,
      concurrency: 4,
      warmup: 4,
      onProgress: (p) => {
        if (!started) progress?.start(p.total, 0);
        started = true;
        progress?.update(p.done);
      },
    });
    progress?.stop();
    const cells = r.results
      .map((e) => (e.available ? `${e.executor} ${Math.round(e.throughput)}/s p99 ${e.latency.p99.toFixed(1)} ms loop ${e.loopDelay.p99.toFixed(1)} ms` : `${e.executor} unavailable`))
      .join(' | ');
    console.log(`${r.name.padEnd(22)} ${cells}`);
    console.log(`${''.padEnd(22)} -> ${r.recommendation.executor ?? 'none'}: ${r.recommendation.reason}`);
    if (r.recommendation.inspect !== undefined) {
      console.log(`${''.padEnd(22)}    inspect() says ${r.recommendation.inspect.executor} (${r.recommendation.agreesWithInspect ? 'agrees' : 'differs'})`);
    }
    results.push(r);
  }
  return results;
}

async function main(): Promise<void> {
  console.log('unsync demo: where should this function run?\n');
  await timeline();
  const file = path.join(os.tmpdir(), `unsync-showcase-${process.pid}.bin`);
  fs.writeFileSync(file, Buffer.alloc(256 * 1024, 7));
  try {
    const size: WorkloadSize = { file, quotes: 8, quoteMs: 60, records: 6, recordMs: 30, hashes: 6, hashIterations: 100_000, prices: 200 };
    const rows = await routings(size);
    console.log(routingTable(rows));
    const auto = rows.find((r) => r.routing === 'auto')!;
    const fixed = rows.filter((r) => r.routing !== 'auto' && r.failures === 0);
    if (auto.failures === 0 && fixed.length > 0) {
      const best = fixed.reduce((a, b) => (a.makespanMs <= b.makespanMs ? a : b));
      console.log(
        `\n'auto' took ${(auto.makespanMs / best.makespanMs).toFixed(2)}x the best fixed routing (${best.routing}), ` +
          `with a main-loop p99 delay of ${auto.loopDelayP99.toFixed(1)} ms ` +
          `(goals: within 1.1x, under 20 ms; the longest hold-up was ${auto.loopDelayMax.toFixed(0)} ms).`,
      );
    }
    const results = await benchmarks(file);
    fs.writeFileSync(
      REPORT,
      renderHtmlReport(results, {
        title: 'unsync demo: where should this function run?',
        intro: 'The showcase workload (examples/showcase.ts) under each routing, then each function benchmarked on each executor.',
        routings: rows,
      }),
    );
    console.log(`\nHTML report with charts: ${REPORT}`);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

if (!inWorker()) run(main);
