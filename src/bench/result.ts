/**
 * What {@link benchmark} returns: plain frozen objects, safe to `JSON.stringify`.
 * All durations are milliseconds, throughputs calls per second. Figures that vary from
 * round to round are medians over the timed rounds (see docs/benchmarking.md).
 */
import type { BenchExecutor } from './options';

/** Latency percentiles of one executor's calls, from submit to settle as the caller sees it. */
export interface LatencySummary {
  /** Median latency (ms). */
  readonly p50: number;
  /** 95th percentile (ms). */
  readonly p95: number;
  /** 99th percentile (ms). */
  readonly p99: number;
  /** Fastest call (ms). */
  readonly min: number;
  /** Slowest call (ms). */
  readonly max: number;
  /** Arithmetic mean (ms). */
  readonly mean: number;
}

/** How much the main thread's event loop was held up while the calls ran (`monitorEventLoopDelay`). */
export interface LoopDelaySummary {
  /** Median event loop delay (ms). */
  readonly p50: number;
  /** 99th percentile of the delay (ms). */
  readonly p99: number;
  /** Longest delay seen (ms). */
  readonly max: number;
}

/**
 * CPU time spent during the timed rounds (summed over rounds).
 *
 * `processMs` is `process.cpuUsage()` of this process: the main thread **and its worker
 * threads** (Node 20 cannot split them). The process pool's calls run in child processes,
 * whose CPU is `childrenMs`: read from `/proc/<pid>/stat` on Linux, `null` (unknown, not
 * zero) elsewhere. The whole cost of an executor is `processMs + childrenMs`.
 */
export interface CpuSummary {
  /** CPU time of this process (main thread and worker threads): `userMs + systemMs`. */
  readonly processMs: number;
  /** User-mode part of `processMs`. */
  readonly userMs: number;
  /** Kernel-mode part of `processMs`. */
  readonly systemMs: number;
  /**
   * CPU time (user + system) of the process pool's child processes during the rounds,
   * children that started or exited during a round included (docs/benchmarking.md).
   * 0 for `loop` and `thread` (their calls run in this process); null for `process` where
   * it cannot be read (no `/proc`: not Linux).
   */
  readonly childrenMs: number | null;
  /** Sum over calls of the time each ran where it ran (worker start to end; the task for the loop). */
  readonly workerBusyMs: number;
  /** What the figures cover, in words (differs per executor). */
  readonly note: string;
}

/** The measurements of one executor. */
export interface ExecutorResult {
  /** Which executor these figures are for. */
  readonly executor: BenchExecutor;
  /** False when the executor cannot run here (not built, or the function cannot be located). */
  readonly available: boolean;
  /** Timed calls made (all rounds). */
  readonly calls: number;
  /** Timed calls that failed (threw, crashed, timed out). */
  readonly failures: number;
  /** The first failure's message (or why the executor is unavailable), else undefined. */
  readonly error: string | undefined;
  /** Median wall time of one round. */
  readonly wallMs: number;
  /** Median over rounds of calls per second. */
  readonly throughput: number;
  /** Median over rounds of each percentile. */
  readonly latency: LatencySummary;
  /** Median over rounds of the main loop's delay while the round ran. */
  readonly loopDelay: LoopDelaySummary;
  /** CPU time spent during the timed rounds, this process and the pool's children apart. */
  readonly cpu: CpuSummary;
  /**
   * The longest time a single call held the event loop, over the timed rounds: the figure
   * the auto-routing compares with `blockMs`. For `loop` only; null for the pools (their
   * calls do not run on this thread).
   */
  readonly longestLoopCallMs: number | null;
  /** Highest resident set size of this process seen while the rounds ran (bytes; child processes are in `childrenPeakRssBytes`). */
  readonly peakRssBytes: number;
  /**
   * The process pool's child processes: the sum over the children of each one's peak
   * resident set size (`VmHWM`, bytes), an upper bound of their peak together. 0 for
   * `loop` and `thread`; null for `process` where it cannot be read (not Linux).
   */
  readonly childrenPeakRssBytes: number | null;
  /** Throughput of every round, in order (the spread shows how noisy the machine was). */
  readonly roundThroughputs: readonly number[];
  /** Up to 2 000 call latencies (all rounds, sorted), for histograms. */
  readonly latencySamples: readonly number[];
}

/** What `inspect()` of the decorator says about the function (when the decorator is loaded). */
export interface InspectVerdict {
  /** What the function is: `async`, `io` (blocks waiting) or `cpu` (computes). */
  readonly kind: 'async' | 'io' | 'cpu';
  /** Where `'auto'` would run its next call. */
  readonly executor: BenchExecutor;
  /** The deciding rule, in words. */
  readonly reason: string;
}

/** The harness's advice: where to run the function, and why, in words. */
export interface Recommendation {
  /** The executor to use; undefined when none ran every call without failing. */
  readonly executor: BenchExecutor | undefined;
  /** Why, in words: the figures that decided. */
  readonly reason: string;
  /** `inspect()`'s own verdict, and whether the measurements agree with it. */
  readonly inspect: InspectVerdict | undefined;
  /** Whether `executor` is the one `inspect()` picked; undefined when either is unknown. */
  readonly agreesWithInspect: boolean | undefined;
}

/** The whole result of one {@link benchmark} run. */
export interface BenchmarkResult {
  /** The function's qualified name. */
  readonly name: string;
  /** The options the run used, defaults filled in (see `BenchmarkOptions`). */
  readonly options: {
    /** Timed calls per executor, over all rounds. */
    readonly calls: number;
    /** Calls in flight at once. */
    readonly concurrency: number;
    /** Untimed calls per executor before the rounds. */
    readonly warmup: number;
    /** Timed rounds the calls are split into. */
    readonly rounds: number;
    /** The executors measured, in order. */
    readonly executors: readonly BenchExecutor[];
  };
  /** One line: cores, CPU, memory, Node version, platform. */
  readonly machine: string;
  /** `process.version` of the Node that ran the benchmark. */
  readonly node: string;
  /** ISO date of the run. */
  readonly date: string;
  /** Per executor, in the order asked. */
  readonly results: readonly ExecutorResult[];
  /** Where to run the function, decided from `results`. */
  readonly recommendation: Recommendation;
}
