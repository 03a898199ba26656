/**
 * `statistics()`: the whole runtime at a glance, as data (always available, debug mode or
 * not). Reading it starts nothing: executors that do not exist yet are simply absent.
 * The decorator's section comes through `./statistics-sections.ts` (src/ never imports
 * decorators/).
 */
import { taskCounters } from '../core/hooks';
import type { ExecutorStatistics } from '../executors/executor';
import type { RemoteExecutorStatistics } from '../executors/remote/remote-executor';
import { debugState, reportCounts, type DebugReportKind } from './debug-state';
import { liveExecutors } from './pools';
import { statisticsSection, type DecoratedFunctionStatistics } from './statistics-sections';

export type { DecoratedFunctionStatistics, DecoratedCallCounts } from './statistics-sections';

/** Tasks created since the process started, by state. `pending` = not settled yet. */
export interface TaskStatistics {
  /** Every task created. */
  readonly created: number;
  /** Created and not settled yet: `created` minus the three outcomes. */
  readonly pending: number;
  /** Settled with a value. */
  readonly fulfilled: number;
  /** Settled with an error (not a cancellation). */
  readonly rejected: number;
  /** Settled cancelled. */
  readonly cancelled: number;
}

/** Debug mode's settings and how many reports of each kind it made. */
export interface DebugStatistics {
  /** Whether debug mode is on now. */
  readonly enabled: boolean;
  /** The slow-callback threshold in ms (`configure({ slowCallbackDuration })`). */
  readonly slowCallbackDuration: number;
  /** Reports made since the process started, by kind (docs/debug.md). */
  readonly reports: Readonly<Record<DebugReportKind, number>>;
}

/**
 * `statistics().executors`: each live executor's own `statistics()`, by kind. The remote
 * executor's section has its own type (the pools' shape plus `submitted` and `retried`).
 */
export interface ExecutorsStatistics extends Readonly<Partial<Record<string, ExecutorStatistics>>> {
  /** The event loop's executor (tasks run through it). */
  readonly loop?: ExecutorStatistics;
  /** The worker-thread pool. */
  readonly thread?: ExecutorStatistics;
  /** The child-process pool. */
  readonly process?: ExecutorStatistics;
  /** The remote executor (`toRemote`, `executor: 'remote'`; docs/remote.md). */
  readonly remote?: RemoteExecutorStatistics;
}

/** What {@link statistics} returns: a plain frozen object (nested objects frozen too). */
export interface RuntimeStatistics {
  /** Tasks created since the process started, by state. */
  readonly tasks: TaskStatistics;
  /**
   * Each live executor's own `statistics()`, by kind (`loop`, `thread`, `process`,
   * `remote`). An executor appears once first used; `shutdown()` drops it, and the next
   * call starts a fresh one whose counters begin at zero.
   */
  readonly executors: ExecutorsStatistics;
  /** Debug mode's settings and report counts. */
  readonly debug: DebugStatistics;
  /**
   * Each decorated function (`@unsync`, `unsync(fn)`) called so far and still alive: its
   * name and registry key, where its next call runs and why (what `inspect()` says), and
   * its calls per executor. Empty when the decorator layer is not loaded.
   */
  readonly decorated: readonly DecoratedFunctionStatistics[];
}

/**
 * A snapshot of the runtime: tasks by state, each executor's figures, debug-mode counts,
 * and the decorated functions' placements. Cheap (counters kept all along); never starts
 * a pool.
 *
 * @example
 * const { tasks, executors, decorated } = statistics();
 * console.log(`${tasks.pending} tasks pending, ${executors.thread?.queued ?? 0} thread calls queued`);
 * for (const d of decorated) console.log(`${d.name} -> ${d.executor}: ${d.reason}`);
 */
export function statistics(): RuntimeStatistics {
  const { created, fulfilled, rejected, cancelled } = taskCounters;
  const executors: Record<string, ExecutorStatistics> = {};
  for (const [kind, executor] of liveExecutors()) executors[kind] = executor.statistics();
  return Object.freeze({
    tasks: Object.freeze({ created, pending: created - fulfilled - rejected - cancelled, fulfilled, rejected, cancelled }),
    executors: Object.freeze(executors),
    debug: Object.freeze({
      enabled: debugState.enabled,
      slowCallbackDuration: debugState.slowCallbackDuration,
      reports: Object.freeze({ ...reportCounts }),
    }),
    decorated: statisticsSection('decorated'),
  });
}
