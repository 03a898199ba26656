/**
 * Issue 17, item 3: the CPU share the decorator measures for the HTTP benchmark's CPU-bound
 * functions (bcryptjs, marked, js-yaml, zlib), on a thread worker and inline on the loop.
 * Each should read close to 100% and be labelled `cpu`. What it checks is the clock
 * (decorators/call-clock.ts, src/executors/worker/cpu-clock.cjs): a thread clock the kernel
 * updates only at scheduler ticks read 0 for most calls of about a millisecond (Node 24 and
 * 26 before the fix: most rounds labelled `io`).
 *
 * Per function: 8 warm calls, then `--rounds` rounds, each forgetting the evidence and
 * calling until one call is measured (a thread worker's first call into a module is left out
 * as cold): the share of that call is what sets a function's kind. Reported: the median and
 * mean share over the rounds, and how many rounds said `cpu`. Not a timing: a share, so it
 * needs no peer; run it with each Node version (the binary's folder first in PATH).
 *
 * Run: npx tsx benchmarks/decorator-cpu-share.ts [--markdown] [--rounds 40]
 * (`--markdown` prints the "Decorator: measured CPU share" section of docs/performance.md.)
 */
import { parseArgs } from 'node:util';
import { inWorker, inspect, shutdown } from '../src';
import { decoratedInfo } from '../decorators/decorated';
import { forgetEvidence } from '../decorators/evidence';
import { configureEvidence } from '../decorators/evidence-thresholds';
import * as K from './lib/http-kinds';
import { inputs } from './lib/http-workload';
import { machine, median } from './lib/measure';

interface Row {
  readonly name: string;
  readonly ms: number;
  readonly medianShare: number;
  readonly meanShare: number;
  readonly cpuRounds: number;
  readonly rounds: number;
}

async function measure(rounds: number): Promise<Row[]> {
  configureEvidence({ probeCalls: 0 });
  const input = inputs();
  const cases: Array<[string, (...args: never[]) => PromiseLike<unknown>, unknown]> = [
    ['hashPassword, thread', K.hashPasswordT, input.password],
    ['renderMarkdown, thread', K.renderMarkdownT, input.markdown],
    ['parseYaml, thread', K.parseYamlT, input.yaml],
    ['gzipBody, thread', K.gzipBodyT, input.body],
    ['hashPassword, loop', K.hashPasswordL, input.password],
    ['renderMarkdown, loop', K.renderMarkdownL, input.markdown],
    ['parseYaml, loop', K.parseYamlL, input.yaml],
    ['gzipBody, loop', K.gzipBodyL, input.body],
  ];
  const rows: Row[] = [];
  for (const [name, fn, arg] of cases) {
    const call = (): PromiseLike<unknown> => (fn as (a: unknown) => PromiseLike<unknown>)(arg);
    for (let i = 0; i < 8; i++) await call();
    const original = decoratedInfo(fn)!.original;
    const shares: number[] = [];
    let cpuRounds = 0;
    for (let r = 0; r < rounds; r++) {
      forgetEvidence(original);
      for (let i = 0; i < 4 && inspect(fn).evidence.kind === undefined; i++) await call();
      const e = inspect(fn).evidence;
      if (e.kind === 'cpu') cpuRounds++;
      if (e.cpuShare !== undefined) shares.push(e.cpuShare);
    }
    const ms = inspect(fn).measured[name.endsWith('thread') ? 'thread' : 'loop']?.meanMs ?? NaN;
    rows.push({ name, ms, medianShare: median(shares), meanShare: shares.reduce((a, b) => a + b, 0) / shares.length, cpuRounds, rounds });
    forgetEvidence(original);
  }
  return rows;
}

const pct = (share: number): string => `${Math.round(share * 100)}%`;

function markdown(rows: Row[], rounds: number): string {
  return [
    '## Decorator: measured CPU share',
    '',
    `Command: \`npx tsx benchmarks/decorator-cpu-share.ts --markdown --rounds ${rounds}\`. Machine: ${machine()}.`,
    '',
    'The CPU share of its running time that the decorator measures for the HTTP benchmark\'s CPU-bound functions, on a thread worker and inline on the loop: the first measured call of each round (what sets a kind), over the rounds. Each should read close to 100% and say `cpu`.',
    '',
    '| function, where | mean call (ms) | median share | mean share | rounds measured cpu |',
    '|---|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.ms.toFixed(2)} | ${pct(r.medianShare)} | ${pct(r.meanShare)} | ${r.cpuRounds}/${r.rounds} |`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { markdown: { type: 'boolean', default: false }, rounds: { type: 'string', default: '40' } } });
  const rounds = Number(values.rounds);
  const rows = await measure(rounds);
  if (values.markdown) process.stdout.write(markdown(rows, rounds));
  else for (const r of rows) console.log(`${process.version} ${r.name.padEnd(24)} ${r.ms.toFixed(2)} ms  median ${pct(r.medianShare)}  mean ${pct(r.meanShare)}  cpu ${r.cpuRounds}/${r.rounds}`);
  await shutdown();
}

// Workers load this module's fixtures, never this script; guard anyway.
if (!inWorker()) void main();
