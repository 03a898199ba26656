/**
 * `configure()`: settings of the executors and of debug mode, in one call.
 */
import { InvalidStateError } from '../core/errors';
import { assertOptions } from '../core/validate';
import {
  resolveProcessPoolOptions,
  resolveThreadPoolOptions,
  type ProcessPoolOptions,
  type ThreadPoolOptions,
} from '../executors/engine/pool-options';
import { resolveRemoteOptions, type RemoteOptions } from '../executors/remote/remote-options';
import { configureDebug, type DebugOptions } from './debug';
import { executorStarted, setExecutorOptions } from './pools';

/** Options of {@link configure}. */
export interface ConfigureOptions extends DebugOptions {
  /** The thread pool (piscina): workers, idle timeout, resource limits, execArgv, env, caller stacks. */
  thread?: ThreadPoolOptions;
  /** The process pool (child processes): workers, idle timeout, recycling, execArgv, env, caller stacks. */
  process?: ProcessPoolOptions;
  /** The remote executor (BullMQ on Redis): connection, queue, prefix, payload limit, poll interval, idle timeout (docs/remote.md). */
  remote?: RemoteOptions;
}

/**
 * Configure the executors and debug mode. Every key is validated and unknown keys are
 * rejected (`TypeError`/`RangeError`) before anything changes.
 *
 * Pool settings apply to the pool created next: set them before the first call (or after
 * `shutdown()`); configuring a pool that is already running throws `InvalidStateError`.
 * `debug`, `logger` and `slowCallbackDuration` apply at once.
 *
 * @example
 * configure({ thread: { maxWorkers: 4, idleTimeout: 5_000 }, debug: true });
 */
export function configure(options: ConfigureOptions): void {
  assertOptions('options', options, ['thread', 'process', 'remote', 'debug', 'logger', 'slowCallbackDuration']);
  if (options === undefined) return;
  const thread = options.thread === undefined ? undefined : resolveThreadPoolOptions(options.thread, 'thread');
  if (options.process !== undefined) resolveProcessPoolOptions(options.process, 'process');
  if (options.remote !== undefined) resolveRemoteOptions(options.remote, 'remote');
  for (const kind of ['thread', 'process', 'remote'] as const) {
    if (options[kind] !== undefined && executorStarted(kind)) {
      throw new InvalidStateError(`configure({ ${kind} }) must come before the first ${kind} call (or after shutdown())`);
    }
  }
  const { thread: _t, process: _p, remote: _r, ...debug } = options;
  configureDebug(debug);
  if (thread !== undefined) setExecutorOptions('thread', options.thread);
  if (options.process !== undefined) setExecutorOptions('process', options.process);
  if (options.remote !== undefined) setExecutorOptions('remote', options.remote);
}
