/**
 * The runtime's executors: created lazily on first use from the configured options, and
 * dropped by `shutdown()` so the next call starts fresh ones. The runtime knows executors
 * only through the `Executor` interface; each kind is plugged in with a factory
 * (`registerExecutorFactory`), which is how the process pool (and later the remote
 * executor) joins.
 */
import { InvalidStateError } from '../core/errors';
import { executorHooks, progressHooks } from '../core/hooks';
import { LoopExecutor } from '../executors/loop-executor';
import { ThreadExecutor } from '../executors/thread-executor';
import { ProcessExecutor } from '../executors/process-executor';
import { RemoteExecutor } from '../executors/remote/remote-executor';
import type { Executor } from '../executors/executor';
import { onRuntimeShutdown, type ShutdownOptions } from './lifecycle';
import { debugState } from './debug';

/** Makes an executor from the options `configure()` stored for its kind. */
export type ExecutorFactory = (options: unknown) => Executor;

const factories = new Map<string, ExecutorFactory>();
const configured = new Map<string, unknown>();
const live = new Map<string, Executor>();

/** Plug an executor kind into the runtime (the remote executor will join this way). */
export function registerExecutorFactory(kind: string, factory: ExecutorFactory): void {
  factories.set(kind, factory);
}

// A worker that dies with no call on it (a timer that throws after its call returned) fails
// no call; debug mode says so.
executorHooks.onStrayWorkerError = (kind, error) => {
  if (debugState.enabled) debugState.logger.warn(`unsync: a ${kind} worker crashed between calls`, error);
};

// A throwing onProgress callback fails nothing; debug mode's logger says so (else a warning).
progressHooks.onCallbackError = (error) => {
  if (debugState.enabled) debugState.logger.warn('unsync: an onProgress callback threw (the call goes on)', error);
  else process.emitWarning(`unsync: an onProgress callback threw (the call goes on): ${error instanceof Error ? error.message : String(error)}`);
};

registerExecutorFactory('loop', () => new LoopExecutor());
registerExecutorFactory('thread', (options) => new ThreadExecutor(options as never));
registerExecutorFactory('process', (options) => new ProcessExecutor(options as never));
registerExecutorFactory('remote', (options) => new RemoteExecutor(options as never));

/** The runtime's executor of `kind`, created on first use. */
export function getExecutor(kind: string): Executor {
  let executor = live.get(kind);
  if (executor === undefined) {
    const factory = factories.get(kind);
    if (factory === undefined) throw new InvalidStateError(`no executor of kind \`${kind}\` is available`);
    executor = factory(configured.get(kind));
    live.set(kind, executor);
  }
  return executor;
}

/** True once the executor of `kind` exists (it was used since start or since the last shutdown). */
export function executorStarted(kind: string): boolean {
  return live.has(kind);
}

/** Store options for the next executor of `kind` (validated by the caller). */
export function setExecutorOptions(kind: string, options: unknown): void {
  configured.set(kind, options);
}

/** Statistics of every live executor, by kind. */
export function liveExecutors(): ReadonlyMap<string, Executor> {
  return live;
}

/**
 * Close every live executor. They are dropped at once, so a call made while they finish
 * already gets a fresh executor. `cancelPending` cancels calls that have not started;
 * `wait: false` returns without waiting for running calls.
 */
export async function closeExecutors(options: Required<ShutdownOptions>): Promise<void> {
  const closing = [...live.values()].map((executor) => executor.close({ cancelPending: options.cancelPending }));
  live.clear();
  if (options.wait) await Promise.all(closing);
  else for (const p of closing) p.catch(() => undefined);
}

onRuntimeShutdown(closeExecutors);
