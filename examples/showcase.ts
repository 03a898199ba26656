/**
 * The showcase workload of `npm run demo`: four kinds of function a real service has,
 * all decorated with `@unsync` — plain in `Showcase` (routed by `'auto'`), with a fixed
 * `executor` in `OnLoop`, `OnThreads` and `OnProcesses` — and a runner that sends a mixed batch of calls through one
 * routing (everything on the loop, on threads, on processes, or `'auto'`) and measures it.
 *
 *   fetchQuote    async I/O      awaits a timer (a network call stand-in)
 *   readRecord    blocking I/O   fs.readFileSync of a temp file + Atomics.wait (a sync driver)
 *   hashPassword  CPU-bound      pbkdf2Sync
 *   formatPrice   tiny           microseconds of string work
 *
 * Module top-level code runs again in every worker that loads this file: the only
 * top-level statements are definitions and registrations, which is what workers need.
 */
import { pbkdf2Sync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { gather, sleep, unsync, type Unfuture } from '../src';

/** The routings the demo compares. */
export const ROUTINGS = ['loop', 'thread', 'process', 'auto'] as const;
export type Routing = (typeof ROUTINGS)[number];

/** The front door: `@unsync` with no options, so every call is routed by `'auto'`. */
export class Showcase {
  /** Async I/O: awaits `ms` of timer. */
  @unsync
  static async fetchQuote(ms: number): Promise<number> {
    await sleep(ms);
    return ms;
  }

  /** Blocking I/O: reads `file` synchronously, then blocks `ms` in Atomics.wait. */
  @unsync
  static readRecord(file: string, ms: number): number {
    const bytes = readFileSync(file).length;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return bytes;
  }

  /** CPU-bound: key derivation, about `iterations / 3000` ms on a recent core. */
  @unsync
  static hashPassword(iterations: number): string {
    return pbkdf2Sync('correct horse', 'battery staple', iterations, 32, 'sha256').toString('hex');
  }

  /** Tiny: microseconds. */
  @unsync
  static formatPrice(cents: number): string {
    return `$${(cents / 100).toFixed(2)}`;
  }
}

/** The bodies the fixed routings share with `Showcase` (one copy, run wherever it is sent). */
function fetchQuote(ms: number): Promise<number> {
  return sleep(ms).then(() => ms);
}
function readRecord(file: string, ms: number): number {
  const bytes = readFileSync(file).length;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return bytes;
}
function hashPassword(iterations: number): string {
  return pbkdf2Sync('correct horse', 'battery staple', iterations, 32, 'sha256').toString('hex');
}
function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}

/** Fixed routing: every call on the event loop (`@unsync({ executor: 'loop' })`). */
export class OnLoop {
  @unsync({ executor: 'loop' }) static fetchQuote(ms: number): Promise<number> { return fetchQuote(ms); }
  @unsync({ executor: 'loop' }) static readRecord(file: string, ms: number): number { return readRecord(file, ms); }
  @unsync({ executor: 'loop' }) static hashPassword(iterations: number): string { return hashPassword(iterations); }
  @unsync({ executor: 'loop' }) static formatPrice(cents: number): string { return formatPrice(cents); }
}

/** Fixed routing: every call on the thread pool. */
export class OnThreads {
  @unsync({ executor: 'thread' }) static fetchQuote(ms: number): Promise<number> { return fetchQuote(ms); }
  @unsync({ executor: 'thread' }) static readRecord(file: string, ms: number): number { return readRecord(file, ms); }
  @unsync({ executor: 'thread' }) static hashPassword(iterations: number): string { return hashPassword(iterations); }
  @unsync({ executor: 'thread' }) static formatPrice(cents: number): string { return formatPrice(cents); }
}

/** Fixed routing: every call on the process pool. */
export class OnProcesses {
  @unsync({ executor: 'process' }) static fetchQuote(ms: number): Promise<number> { return fetchQuote(ms); }
  @unsync({ executor: 'process' }) static readRecord(file: string, ms: number): number { return readRecord(file, ms); }
  @unsync({ executor: 'process' }) static hashPassword(iterations: number): string { return hashPassword(iterations); }
  @unsync({ executor: 'process' }) static formatPrice(cents: number): string { return formatPrice(cents); }
}

/** The four functions of one routing, as the workload calls them. */
export interface WorkloadFunctions {
  fetchQuote(ms: number): Unfuture<number>;
  readRecord(file: string, ms: number): Unfuture<number>;
  hashPassword(iterations: number): Unfuture<string>;
  formatPrice(cents: number): Unfuture<string>;
}

/** Per routing, the decorated class whose static methods the workload calls. */
export const byRouting: Record<Routing, WorkloadFunctions> = {
  loop: OnLoop as unknown as WorkloadFunctions,
  thread: OnThreads as unknown as WorkloadFunctions,
  process: OnProcesses as unknown as WorkloadFunctions,
  auto: Showcase as unknown as WorkloadFunctions,
};

/** How big one batch of the mixed workload is. */
export interface WorkloadSize {
  /** Temp file `readRecord` reads. */
  readonly file: string;
  readonly quotes: number;
  readonly quoteMs: number;
  readonly records: number;
  readonly recordMs: number;
  readonly hashes: number;
  readonly hashIterations: number;
  readonly prices: number;
}

/** What one batch under one routing measured. */
export interface BatchResult {
  readonly makespanMs: number;
  /** p99 delay of the main event loop during the batch (ms). */
  readonly loopDelayP99: number;
  /** The longest the main event loop was held up (ms): one long block barely moves the p99. */
  readonly loopDelayMax: number;
  readonly failures: number;
  readonly firstError: string | undefined;
  /** function -> executors its calls ran on (from each Unfuture's `executor`). */
  readonly ranOn: Record<string, string[]>;
}

/** Run one mixed batch (all calls started together, gathered) under `routing`. */
export async function runBatch(routing: Routing, size: WorkloadSize): Promise<BatchResult> {
  const fns = byRouting[routing];
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // The histogram's first tick records nothing: wait until it has ticked, or a block
  // right at the start of the batch would be lost.
  for (let i = 0; i < 50 && histogram.count === 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  const started = performance.now();
  const calls: Array<[string, Unfuture<unknown>]> = [];
  const add = (name: string, n: number, make: (i: number) => Unfuture<unknown>): void => {
    for (let i = 0; i < n; i++) calls.push([name, make(i)]);
  };
  // Interleave the kinds, as requests would arrive.
  const rounds = Math.max(size.quotes, size.records, size.hashes);
  for (let i = 0; i < rounds; i++) {
    if (i < size.quotes) add('fetchQuote', 1, () => fns.fetchQuote(size.quoteMs));
    if (i < size.records) add('readRecord', 1, () => fns.readRecord(size.file, size.recordMs));
    if (i < size.hashes) add('hashPassword', 1, () => fns.hashPassword(size.hashIterations));
    add('formatPrice', Math.ceil(size.prices / rounds), (k) => fns.formatPrice(i * 100 + k));
  }
  const outcomes = await gather(calls.map(([, f]) => f), { returnExceptions: true });
  const makespanMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the histogram see the last block
  histogram.disable();
  const errors = outcomes.filter((o) => o instanceof Error) as Error[];
  const ranOn: Record<string, string[]> = {};
  for (const [name, f] of calls) {
    const list = (ranOn[name] ??= []);
    if (!f.cancelled() && f.exception() === null && !list.includes(f.executor)) list.push(f.executor);
  }
  return {
    makespanMs,
    loopDelayP99: histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0,
    loopDelayMax: histogram.count > 0 ? histogram.max / 1e6 : 0,
    failures: errors.length,
    firstError: errors[0] === undefined ? undefined : `${errors[0].name}: ${errors[0].message}`,
    ranOn,
  };
}
