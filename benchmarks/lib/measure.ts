/**
 * Small measuring kit shared by the benchmarks: interleaved rounds, medians, ratios,
 * and a forced GC for memory figures. The machine is shared and noisy, so every figure
 * is a median over rounds in which the contenders alternate.
 */
import * as os from 'node:os';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Contenders measured side by side: name -> one timed run (returns elapsed ms or its own figure). */
export type Contenders = Record<string, () => Promise<number>>;

/**
 * Run every contender `rounds` times, alternating their order each round, after `warmup`
 * untimed rounds. Returns the median figure per contender.
 */
export async function interleave(contenders: Contenders, rounds = 7, warmup = 2): Promise<Record<string, number>> {
  const names = Object.keys(contenders);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    const order = r % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const figure = await contenders[name]!();
      if (r >= warmup) samples[name]!.push(figure);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples[n]!)]));
}

/** Time one async run in milliseconds. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

let gcFn: (() => void) | undefined;
/** Force a full garbage collection (enables --expose-gc on first use). */
export function gc(): void {
  if (gcFn === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

/** One line describing the machine, for the report. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.availableParallelism()} cores (${cpu.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Format a ratio like "2.31x". */
export const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

/** One row of a comparison table: a contender's median against its peer's. */
export interface ComparisonRow {
  readonly label: string;
  readonly unsync: number;
  readonly peer: number;
  readonly goal?: string;
}

/** A markdown table of medians and ratios (unsync / peer; below 1 is faster). */
export function comparisonTable(peerName: string, rows: readonly ComparisonRow[], unit = 'ms'): string {
  const lines = [
    `| case | unsync (${unit}) | ${peerName} (${unit}) | ratio | goal |`,
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.label} | ${r.unsync.toFixed(1)} | ${r.peer.toFixed(1)} | ${ratio(r.unsync, r.peer)} | ${r.goal ?? ''} |`),
  ];
  return lines.join('\n');
}
