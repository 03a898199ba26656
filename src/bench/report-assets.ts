/**
 * The stylesheet and the browser script of the HTML report (`./html-report.ts`). The
 * script reads the results from the page's JSON element and draws the charts with
 * Chart.js (inlined before it). Animations are off so the page is complete at load
 * (and a screenshot shows the charts).
 */

/** CSS of the report page. */
export const REPORT_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1280px; padding: 16px 24px; color: #222; }
h1 { margin-bottom: 4px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; }
.machine, .opts, footer { color: #666; } footer { margin: 32px 0 8px; font-size: 12px; }
.rec { font-size: 15px; } .inspect { color: #444; }
table { border-collapse: collapse; margin: 8px 0 12px; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #eee; }
th:first-child, td:first-child, td.note, th.note { text-align: left; }
tr.na td { color: #a33; text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; } figcaption { font-size: 12px; color: #555; text-align: center; }
canvas { background: #fff; }
`;

/** Browser script of the report page (plain ES2019, no modules). */
export const REPORT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('unsync-data').textContent);
  var COLORS = { loop: '#4e79a7', thread: '#f28e2b', process: '#59a14f', auto: '#e15759' };
  var color = function (name, i) { return COLORS[name] || ['#76b7b2', '#edc948', '#b07aa1', '#ff9da7'][i % 4]; };
  var fmt = function (ms) { return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3); };
  Chart.defaults.animation = false;
  Chart.defaults.responsive = false;
  var canvas = function (id) { return document.getElementById(id); };

  data.results.forEach(function (r, i) {
    var live = r.results.filter(function (e) { return e.available && e.latencySamples.length > 0; });
    if (live.length === 0) return;
    var all = [];
    live.forEach(function (e) { e.latencySamples.forEach(function (v) { all.push(Math.max(v, 0.001)); }); });
    var lo = Math.log10(Math.min.apply(null, all)), hi = Math.log10(Math.max.apply(null, all));
    var bins = 24, step = (hi - lo) / bins || 0.1;
    var labels = [];
    for (var k = 0; k < bins; k++) labels.push(fmt(Math.pow(10, lo + (k + 0.5) * step)));
    new Chart(canvas('latency-' + i), {
      type: 'bar',
      data: {
        labels: labels,
        datasets: live.map(function (e, j) {
          var counts = new Array(bins).fill(0);
          e.latencySamples.forEach(function (v) {
            var b = Math.floor((Math.log10(Math.max(v, 0.001)) - lo) / step);
            counts[Math.max(0, Math.min(bins - 1, b))]++;
          });
          return { label: e.executor, backgroundColor: color(e.executor, j),
            data: counts.map(function (c) { return (100 * c) / e.latencySamples.length; }) };
        }),
      },
      options: { scales: { x: { title: { display: true, text: 'latency (ms)' } },
        y: { title: { display: true, text: '% of calls' }, beginAtZero: true } } },
    });
    var names = live.map(function (e) { return e.executor; });
    var rounds = [];
    live.forEach(function (e) { e.roundThroughputs.forEach(function (t) { rounds.push({ x: e.executor, y: t }); }); });
    new Chart(canvas('throughput-' + i), {
      data: {
        labels: names,
        datasets: [
          { type: 'bar', label: 'calls/s (median)', data: live.map(function (e) { return e.throughput; }),
            backgroundColor: live.map(function (e, j) { return color(e.executor, j); }) },
          { type: 'line', label: 'each round', data: rounds, showLine: false, pointRadius: 4,
            borderColor: '#222', backgroundColor: '#222' },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'calls/s' } } } },
    });
    new Chart(canvas('delay-' + i), {
      type: 'bar',
      data: {
        labels: names,
        datasets: [
          { label: 'p50', backgroundColor: '#9ecae9', data: live.map(function (e) { return e.loopDelay.p50; }) },
          { label: 'p99', backgroundColor: '#4e79a7', data: live.map(function (e) { return e.loopDelay.p99; }) },
          { label: 'max', backgroundColor: '#e15759', data: live.map(function (e) { return e.loopDelay.max; }) },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } },
    });
  });

  var ok = data.routings.filter(function (r) { return r.failures === 0; });
  if (ok.length > 0 && canvas('routings')) {
    var sets = [
      { label: 'makespan (ms)', yAxisID: 'y', data: ok.map(function (r) { return r.makespanMs; }),
        backgroundColor: ok.map(function (r, j) { return color(r.routing, j); }) },
      { label: 'main-loop p99 delay (ms)', yAxisID: 'y1', backgroundColor: '#bab0ac',
        data: ok.map(function (r) { return r.loopDelayP99; }) },
    ];
    if (ok.some(function (r) { return typeof r.loopDelayMax === 'number'; })) {
      sets.push({ label: 'longest main-loop hold-up (ms)', yAxisID: 'y1', backgroundColor: '#79706e',
        data: ok.map(function (r) { return r.loopDelayMax; }) });
    }
    new Chart(canvas('routings'), {
      type: 'bar',
      data: { labels: ok.map(function (r) { return r.routing; }), datasets: sets },
      options: { scales: {
        y: { beginAtZero: true, position: 'left', title: { display: true, text: 'makespan ms' } },
        y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'loop delay ms' } },
      } },
    });
  }
})();
`;
