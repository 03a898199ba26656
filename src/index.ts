/**
 * unsync: mark a function with `@unsync` and stop caring where it runs.
 *
 * Layers (each builds only on the ones before it):
 *   core/        errors, validation, Unfuture, tasks and cancellation, the waiter core
 *   primitives/  locks, semaphores, events, conditions, barriers, queues
 *   combinators/ sleep, gather, wait, asCompleted, waitFor, shield, timeout, TaskGroup
 *   executors/   loop, thread (piscina) and process (child_process) executors
 *   runtime/     configure, run, shutdown, debug mode, statistics
 *   streams/     asyncio-style TCP streams and Trio-style helpers
 *   bench/       the benchmark harness: where should this function run? (a tool over every layer)
 *   ../decorators/  the `@unsync` decorator (re-exported here, imported nowhere else in src/)
 *
 * This file is the package's only public entry.
 */
export {
  CancelledError,
  TimeoutError,
  InvalidStateError,
  TaskGroupError,
  isCancelledError,
  isTimeoutError,
  isInvalidStateError,
  isTaskGroupError,
} from './core/errors';
export { Unfuture } from './core/future';
export type { ExecutorKind, FutureState, DoneCallback, FutureOptions, FutureController, FutureTiming } from './core/future';
export { Task, createTask, currentTask, allTasks } from './core/task';
export type { CreateTaskOptions } from './core/task';
export { checkpoint, currentSignal } from './core/checkpoint';
export { reportProgress } from './core/report-progress';
export { move } from './core/move';
export type { Movable } from './core/move';
export * from './combinators';
export { run } from './runtime/run';
export type { RunOptions } from './runtime/run';
export type { Logger, DebugOptions } from './runtime/debug';
export type { DebugReportKind } from './runtime/debug';
export { statistics } from './runtime/statistics';
export type { RuntimeStatistics, ExecutorsStatistics, TaskStatistics, DebugStatistics, DecoratedFunctionStatistics, DecoratedCallCounts } from './runtime/statistics';
export { configure, shutdown, toThread, toProcess, toRemote, map } from './runtime/executors-api';
export type { ConfigureOptions, ShutdownOptions, RuntimeMapOptions, PoolCallFunction, RemoteCallFunction, CallOptions } from './runtime/executors-api';
export * from './primitives';
export * from './executors';
export * from './streams';
export * from './bench';
export * from '../decorators';
// Types that public signatures name, exported so that users (and the API reference) can name them too.
export type { CancelHook } from './core/future-types';
export type { WaiterQueueOptions } from './core/waiters';
export type { ThreadTuning } from './executors/engine/pool-options';
export type { RoutingRow } from './bench/html-report';
export type { AnyFunction } from '../decorators/types';
