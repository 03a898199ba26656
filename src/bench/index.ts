// Barrel for src/bench: the benchmark harness's public exports.
export { benchmark } from './benchmark';
export { BENCH_EXECUTORS } from './options';
export type { BenchExecutor, BenchmarkOptions, BenchProgress } from './options';
export type {
  BenchmarkResult,
  ExecutorResult,
  LatencySummary,
  LoopDelaySummary,
  CpuSummary,
  Recommendation,
  InspectVerdict,
} from './result';
export { formatBenchmarkTable } from './format-table';
export { renderHtmlReport } from './html-report';
export type { ReportOptions } from './html-report';
