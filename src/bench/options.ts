/**
 * Options of {@link benchmark} (`./benchmark.ts`), their defaults and their validation.
 * Argument errors use the project's one template ("Expected `x` to be …, got …").
 */
import { availableParallelism } from 'node:os';
import { assertInteger, assertOptions, assertSignal, expected } from '../core/validate';

/** An executor the harness can measure. */
export type BenchExecutor = 'loop' | 'thread' | 'process';

/** Every executor the harness knows, in the order results are reported. */
export const BENCH_EXECUTORS: readonly BenchExecutor[] = Object.freeze(['loop', 'thread', 'process']);

/** What the harness reports while it runs (for a progress bar). */
export interface BenchProgress {
  /** Timed and warm-up calls finished so far, over every executor. */
  readonly done: number;
  /** Calls the whole run will make. */
  readonly total: number;
  /** The executor measured right now. */
  readonly executor: BenchExecutor;
  /** `'warmup'` or the 1-based round number. */
  readonly phase: 'warmup' | number;
}

/** Options of {@link benchmark}. */
export interface BenchmarkOptions {
  /** Arguments of every call (they are cloned to the pools). Default `[]`. */
  args?: readonly unknown[];
  /** The executors to compare. Default `['loop', 'thread', 'process']`. */
  executors?: readonly BenchExecutor[];
  /** Timed calls per executor, spread over `rounds`. Default 60. */
  calls?: number;
  /** Calls in flight at once on every executor. Default twice the cores (`os.availableParallelism()`). */
  concurrency?: number;
  /** Untimed calls per executor before the first round (starts the workers, warms the JIT). Default `concurrency`. */
  warmup?: number;
  /** Timed rounds; the executors take turns round by round and medians are reported. Default 3. */
  rounds?: number;
  /** Abort the run: calls in flight are cancelled and `benchmark` rejects with `CancelledError`. */
  signal?: AbortSignal;
  /** Called after every finished call (warm-up included). */
  onProgress?: (progress: BenchProgress) => void;
  /** The name shown in results (default: the function's qualified name). */
  name?: string;
}

/** Options with every default filled in. */
export interface ResolvedBenchOptions {
  readonly args: readonly unknown[];
  readonly executors: readonly BenchExecutor[];
  readonly calls: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: BenchProgress) => void) | undefined;
  readonly name: string | undefined;
}

const KEYS = ['args', 'executors', 'calls', 'concurrency', 'warmup', 'rounds', 'signal', 'onProgress', 'name'];

/** Validate `options` (unknown keys rejected) and fill in the defaults. */
export function resolveBenchOptions(options: BenchmarkOptions | undefined): ResolvedBenchOptions {
  assertOptions('options', options, KEYS);
  const o = options ?? {};
  if (o.args !== undefined && !Array.isArray(o.args)) throw new TypeError(expected('options.args', 'an array', o.args));
  const executors = o.executors ?? BENCH_EXECUTORS;
  if (!Array.isArray(executors) || executors.length === 0) {
    throw new TypeError(expected('options.executors', 'a non-empty array of executors', executors));
  }
  for (const e of executors) assertBenchExecutor('options.executors', e);
  if (new Set(executors).size !== executors.length) {
    throw new TypeError(expected('options.executors', 'a list without duplicates', executors));
  }
  if (o.calls !== undefined) assertInteger('options.calls', o.calls, 1);
  if (o.concurrency !== undefined) assertInteger('options.concurrency', o.concurrency, 1);
  if (o.warmup !== undefined) assertInteger('options.warmup', o.warmup, 0);
  if (o.rounds !== undefined) assertInteger('options.rounds', o.rounds, 1);
  assertSignal('options.signal', o.signal);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new TypeError(expected('options.onProgress', 'a function', o.onProgress));
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name === '')) {
    throw new TypeError(expected('options.name', 'a non-empty string', o.name));
  }
  const concurrency = o.concurrency ?? 2 * availableParallelism();
  const calls = o.calls ?? 60;
  return Object.freeze({
    args: Object.freeze([...(o.args ?? [])]),
    executors: Object.freeze([...executors]),
    calls,
    concurrency,
    warmup: o.warmup ?? concurrency,
    rounds: Math.min(o.rounds ?? 3, calls),
    signal: o.signal,
    onProgress: o.onProgress,
    name: o.name,
  });
}

/** Throw a `TypeError` unless `value` is one of {@link BENCH_EXECUTORS}. */
export function assertBenchExecutor(name: string, value: unknown): asserts value is BenchExecutor {
  if (typeof value !== 'string' || !(BENCH_EXECUTORS as readonly string[]).includes(value)) {
    throw new TypeError(expected(name, `one of ${BENCH_EXECUTORS.map((e) => `'${e}'`).join(', ')}`, value));
  }
}
