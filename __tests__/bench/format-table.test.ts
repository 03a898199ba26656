/**
 * The terminal table (src/bench/format-table.ts), on a hand-made result.
 */
import { formatBenchmarkTable } from '../../src/bench/format-table';
import type { BenchExecutor } from '../../src/bench/options';
import type { BenchmarkResult, ExecutorResult } from '../../src/bench/result';

const MiB = 2 ** 20;

function row(executor: BenchExecutor, cpu: { processMs: number; childrenMs: number | null }, rss: { own: number; children: number | null }): ExecutorResult {
  return {
    executor,
    available: true,
    calls: 12,
    failures: 0,
    error: undefined,
    wallMs: 100,
    throughput: 120,
    latency: { p50: 1, p95: 1, p99: 1, min: 1, max: 1, mean: 1 },
    loopDelay: { p50: 1, p99: 1, max: 1 },
    cpu: { processMs: cpu.processMs, userMs: cpu.processMs, systemMs: 0, childrenMs: cpu.childrenMs, workerBusyMs: 50, note: '' },
    longestLoopCallMs: null,
    peakRssBytes: rss.own * MiB,
    childrenPeakRssBytes: rss.children === null ? null : rss.children * MiB,
    roundThroughputs: [120],
    latencySamples: [1],
  };
}

function resultOf(results: ExecutorResult[], calls = 12, rounds = 3): BenchmarkResult {
  return {
    name: 'hash',
    options: { calls, concurrency: 2, warmup: 2, rounds, executors: results.map((r) => r.executor) },
    machine: 'test',
    node: process.version,
    date: '2025-01-01T00:00:00.000Z',
    results,
    recommendation: { executor: 'thread', reason: 'Because', inspect: undefined, agreesWithInspect: undefined },
  };
}

const cells = (table: string, executor: string): string[] => table.split('\n').find((l) => l.startsWith(`${executor} `))!.trim().split(/\s{2,}/);

describe('formatBenchmarkTable', () => {
  it('says the calls are the total per executor, spread over the rounds', () => {
    const first = (calls: number, rounds: number): string => formatBenchmarkTable(resultOf([row('thread', { processMs: 1, childrenMs: 0 }, { own: 1, children: 0 })], calls, rounds)).split('\n')[0]!;
    expect(first(6, 3)).toBe('hash  (6 calls per executor over 3 rounds, concurrency 2)');
    expect(first(5, 1)).toBe('hash  (5 calls per executor over 1 round, concurrency 2)');
  });

  it('shows CPU time and peak RSS of this process plus, for process, its child processes', () => {
    const table = formatBenchmarkTable(
      resultOf([row('thread', { processMs: 150, childrenMs: 0 }, { own: 100, children: 0 }), row('process', { processMs: 40, childrenMs: 120 }, { own: 95, children: 110 })]),
    );
    const head = table.split('\n').find((l) => l.startsWith('executor'))!.trim().split(/\s{2,}/);
    const at = (name: string): number => head.indexOf(name);
    expect([cells(table, 'thread')[at('CPU ms')], cells(table, 'thread')[at('peak RSS')]]).toEqual(['150', '100 MiB']);
    expect([cells(table, 'process')[at('CPU ms')], cells(table, 'process')[at('peak RSS')]]).toEqual(['160', '205 MiB']);
  });

  it('shows n/a, not this process alone, where the children could not be read', () => {
    const table = formatBenchmarkTable(resultOf([row('process', { processMs: 40, childrenMs: null }, { own: 95, children: null })]));
    expect(cells(table, 'process').slice(-3)).toEqual(['n/a', '50.0', 'n/a']);
  });
});
