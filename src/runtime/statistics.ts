/**
 * `statistics()`: the whole runtime at a glance, as data (always available, debug mode or
 * not). Reading it starts nothing: executors that do not exist yet are simply absent.
 * The decorator's section comes through `./statistics-sections.ts` (src/ never imports
 * decorators/).
 */
import { taskCounters } from '../core/hooks';
import type { ExecutorStatistics } from '../executors/executor';
import { debugState, reportCounts, type DebugReportKind } from './debug-state';
import { liveExecutors } from './pools';
import { statisticsSection, type DecoratedFunctionStatistics } from './statistics-sections';

export type { DecoratedFunctionStatistics, DecoratedCallCounts } from './statistics-sections';

/** Tasks created since the process started, by state. `pending` = not settled yet. */
export interface TaskStatistics {
  readonly created: number;
  readonly pending: number;
  readonly fulfilled: number;
  readonly rejected: number;
  readonly cancelled: number;
}

/** Debug mode's settings and how many reports of each kind it made. */
export interface DebugStatistics {
  readonly enabled: boolean;
  readonly slowCallbackDuration: number;
  readonly reports: Readonly<Record<DebugReportKind, number>>;
}

/** What {@link statistics} returns: a plain frozen object (nested objects frozen too). */
export interface RuntimeStatistics {
  readonly tasks: TaskStatistics;
  /**
   * Each live executor's own `statistics()`, by kind (`loop`, `thread`, `process`). An
   * executor appears once first used; `shutdown()` drops it, and the next call starts a
   * fresh one whose counters begin at zero.
   */
  readonly executors: Readonly<Partial<Record<string, ExecutorStatistics>>>;
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
