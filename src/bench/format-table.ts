/**
 * The terminal view of benchmark results: one aligned table per function, then the
 * recommendation in words.
 */
import type { BenchmarkResult, ExecutorResult } from './result';

/**
 * Render results as a plain-text table (no colours, so it also reads well in a log file).
 *
 * @example
 * console.log(formatBenchmarkTable(await benchmark(hash, { args: [20_000] })));
 */
export function formatBenchmarkTable(result: BenchmarkResult): string {
  const head = ['executor', 'calls', 'failed', 'calls/s', 'p50 ms', 'p95 ms', 'p99 ms', 'loop p99 ms', 'loop max ms', 'CPU ms', 'busy ms', 'peak RSS'];
  const rows = result.results.map(row);
  const { calls, rounds, concurrency } = result.options;
  const lines = [`${result.name}  (${calls} calls per executor over ${rounds} round${rounds === 1 ? '' : 's'}, concurrency ${concurrency})`, ''];
  lines.push(...alignRows([head, ...rows]));
  for (const r of result.results) if (r.error !== undefined) lines.push(`  ${r.executor}: ${r.error}`);
  const rec = result.recommendation;
  lines.push('', `Recommendation: ${rec.executor ?? 'none'} — ${rec.reason}.`);
  if (rec.inspect !== undefined) {
    const agree = rec.agreesWithInspect === true ? 'agrees' : rec.agreesWithInspect === false ? 'differs' : 'n/a';
    lines.push(`inspect(): ${rec.inspect.executor} (${rec.inspect.kind}) — ${rec.inspect.reason} [${agree}]`);
  }
  return lines.join('\n');
}

function row(r: ExecutorResult): string[] {
  if (!r.available) return [r.executor, '-', '-', 'unavailable', '', '', '', '', '', '', '', ''];
  const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return [
    r.executor,
    String(r.calls),
    String(r.failures),
    r.throughput >= 100 ? Math.round(r.throughput).toLocaleString('en-US') : r.throughput.toFixed(1),
    ms(r.latency.p50),
    ms(r.latency.p95),
    ms(r.latency.p99),
    ms(r.loopDelay.p99),
    ms(r.loopDelay.max),
    orNa(totalCpuMs(r), ms),
    ms(r.cpu.workerBusyMs),
    orNa(totalPeakRssBytes(r), mib),
  ];
}

/**
 * CPU time of everything the executor's calls ran in: this process, plus the child
 * processes for `process`; null when the children's could not be read (not Linux).
 */
export function totalCpuMs(r: ExecutorResult): number | null {
  return r.cpu.childrenMs === null ? null : r.cpu.processMs + r.cpu.childrenMs;
}

/** Peak resident size of this process plus, for `process`, its children's (null where unreadable). */
export function totalPeakRssBytes(r: ExecutorResult): number | null {
  return r.childrenPeakRssBytes === null ? null : r.peakRssBytes + r.childrenPeakRssBytes;
}

/** Bytes as whole MiB. */
export function mib(bytes: number): string {
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** A figure, or `n/a` where it could not be measured (null). */
export function orNa(value: number | null, format: (v: number) => string): string {
  return value === null ? 'n/a' : format(value);
}

/** Pad columns: the first left-aligned, the rest right-aligned, a rule under the header. */
export function alignRows(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const fmt = (r: readonly string[]): string =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [fmt(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(fmt)];
}
