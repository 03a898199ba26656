/**
 * `renderHtmlReport(results)`: one self-contained HTML page (no network: Chart.js's UMD
 * build is inlined) with, per benchmarked function, the table, the recommendation and
 * three charts: latency distribution, throughput per executor, main-loop delay. An
 * optional routing comparison (the demo's mixed workload) adds its own chart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mib, orNa, totalCpuMs, totalPeakRssBytes } from './format-table';
import type { BenchmarkResult } from './result';
import { REPORT_SCRIPT, REPORT_STYLE } from './report-assets';

/** One routing of a mixed workload (what the demo compares): where calls went, and what it cost. */
export interface RoutingRow {
  /** `'loop'`, `'thread'`, `'process'`, `'auto'`, … */
  readonly routing: string;
  /** Median wall time of the whole workload. */
  readonly makespanMs: number;
  /** Median p99 delay of the main event loop while it ran. */
  readonly loopDelayP99: number;
  /** The longest the main event loop was held up (one long block barely moves the p99). */
  readonly loopDelayMax?: number;
  /** Calls that failed; a routing with failures is shown greyed out and left out of the chart. */
  readonly failures: number;
  /** Free text shown in the table (e.g. where `auto` sent each function, or an error). */
  readonly note?: string;
}

/** Options of {@link renderHtmlReport}. */
export interface ReportOptions {
  /** Page title. Default "unsync benchmark report". */
  title?: string;
  /** A short paragraph under the title. */
  intro?: string;
  /** A routing comparison to chart before the per-function sections. */
  routings?: readonly RoutingRow[];
}

let chartJs: string | undefined;

/** The Chart.js UMD bundle, read once from the installed package. */
function chartJsSource(): string {
  if (chartJs === undefined) {
    const dist = path.dirname(require.resolve('chart.js')); // .../chart.js/dist/chart.cjs
    chartJs = fs.readFileSync(path.join(dist, 'chart.umd.js'), 'utf8');
  }
  return chartJs;
}

/**
 * Render benchmark results as a self-contained HTML page (a string; write it where you
 * like). The page needs no network and no files besides itself.
 *
 * @example
 * fs.writeFileSync('report.html', renderHtmlReport([await benchmark(hash, { args: [1e4] })]));
 */
export function renderHtmlReport(results: BenchmarkResult | readonly BenchmarkResult[], options: ReportOptions = {}): string {
  const list = Array.isArray(results) ? (results as readonly BenchmarkResult[]) : [results as BenchmarkResult];
  const title = options.title ?? 'unsync benchmark report';
  const first = list[0];
  const data = { results: list, routings: options.routings ?? [] };
  const sections = list.map((r, i) => section(r, i)).join('\n');
  const routing = options.routings !== undefined && options.routings.length > 0 ? routingSection(options.routings) : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
${options.intro !== undefined ? `<p>${esc(options.intro)}</p>` : ''}
<p class="machine">${esc(first?.machine ?? '')}${first !== undefined ? ` · ${esc(first.date)}` : ''}</p>
</header>
${routing}
${sections}
<footer>Figures are medians over interleaved rounds; read ratios, not absolute times. Charts: Chart.js (inlined).</footer>
<script type="application/json" id="unsync-data">${json(data)}</script>
<script>${chartJsSource().replace(/<\/script/gi, '<\\/script')}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

function section(r: BenchmarkResult, index: number): string {
  const rows = r.results
    .map((e) =>
      e.available
        ? `<tr><td>${e.executor}</td><td>${e.calls}</td><td>${e.failures}</td><td>${num(e.throughput)}</td><td>${num(e.latency.p50)}</td><td>${num(e.latency.p95)}</td><td>${num(e.latency.p99)}</td><td>${num(e.loopDelay.p99)}</td><td>${num(e.loopDelay.max)}</td><td>${orNa(totalCpuMs(e), num)}</td><td>${num(e.cpu.workerBusyMs)}</td><td>${orNa(totalPeakRssBytes(e), mib)}</td></tr>`
        : `<tr class="na"><td>${e.executor}</td><td colspan="11">unavailable: ${esc(e.error ?? '')}</td></tr>`,
    )
    .join('\n');
  const rec = r.recommendation;
  const inspect =
    rec.inspect === undefined
      ? ''
      : `<p class="inspect"><code>inspect()</code>: <b>${esc(rec.inspect.executor)}</b> (${esc(rec.inspect.kind)}) — ${esc(rec.inspect.reason)}${
          rec.agreesWithInspect === false ? ' <em>(the measurements differ)</em>' : ''
        }</p>`;
  return `<section>
<h2>${esc(r.name)}</h2>
<p class="opts">${r.options.calls} timed calls per executor over ${r.options.rounds} rounds, ${r.options.concurrency} in flight, ${r.options.warmup} warm-up calls</p>
<p class="rec">Recommendation: <b>${esc(rec.executor ?? 'none')}</b> — ${esc(rec.reason)}.</p>
${inspect}
<table><thead><tr><th>executor</th><th>calls</th><th>failed</th><th>calls/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>loop p99 ms</th><th>loop max ms</th><th title="this process, plus the child processes for process">CPU ms</th><th>busy ms</th><th title="this process, plus the child processes for process">peak RSS</th></tr></thead>
<tbody>${rows}</tbody></table>
<div class="charts">
<figure><canvas id="latency-${index}" width="520" height="280"></canvas><figcaption>Latency distribution (calls per bucket, log-spaced ms)</figcaption></figure>
<figure><canvas id="throughput-${index}" width="360" height="280"></canvas><figcaption>Throughput (calls/s, median; dots: each round)</figcaption></figure>
<figure><canvas id="delay-${index}" width="360" height="280"></canvas><figcaption>Main-loop delay while the calls ran (ms)</figcaption></figure>
</div>
</section>`;
}

function routingSection(routings: readonly RoutingRow[]): string {
  const rows = routings
    .map(
      (r) =>
        r.failures > 0
          ? `<tr class="na"><td>${esc(r.routing)}</td><td>-</td><td>-</td><td>-</td><td>${r.failures}</td><td class="note">${esc(r.note ?? '')}</td></tr>`
          : `<tr><td>${esc(r.routing)}</td><td>${num(r.makespanMs)}</td><td>${num(r.loopDelayP99)}</td><td>${r.loopDelayMax === undefined ? '' : num(r.loopDelayMax)}</td><td>0</td><td class="note">${esc(r.note ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<section>
<h2>Mixed workload under each routing</h2>
<table><thead><tr><th>routing</th><th>makespan ms</th><th>loop p99 ms</th><th>loop max ms</th><th>failed</th><th class="note">note</th></tr></thead><tbody>${rows}</tbody></table>
<div class="charts"><figure><canvas id="routings" width="620" height="280"></canvas><figcaption>Makespan and main-loop delay per routing (ms; routings with failures are left out)</figcaption></figure></div>
</section>`;
}

function num(v: number): string {
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element. */
function json(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028|\u2029/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}
