/**
 * Where a remote worker runs the calls of the jobs it takes: its event loop, its own thread
 * pool or its own process pool, each created on first use. With `executor: 'auto'` (the
 * default) each job goes where the function's own routing says (its decorator's `executor`
 * option, or `'auto'`'s decision: `localRouteOf`), the loop when it has none; any other
 * value sends every job there. Design: docs/remote.md, "Where a job runs on the worker".
 */
import type { Unfuture } from '../../core/future';
import type { Executor, ExecutorStatistics, SubmitOptions } from '../executor';
import { ProcessExecutor } from '../process-executor';
import { localRouteOf, runObserverOf, type LocalRoute } from '../local-routing';
import type { RegisteredRef } from '../registry';
import { ThreadExecutor } from '../thread-executor';
import { RemoteLoop } from './remote-loop';
import type { RemoteWorkerExecutor } from './remote-options';

/** What a remote worker needs of a pool a call runs in. */
type LocalPool = Pick<Executor, 'close' | 'statistics'> & { submit(ref: RegisteredRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<unknown> };

/** `statistics()` of a remote worker: one section per executor it has run calls on (the loop's always). */
export interface RemoteWorkerStatistics {
  /** Calls run on the worker's event loop. */
  readonly loop: ExecutorStatistics;
  /** Calls run in its thread pool, once one did. */
  readonly thread?: ExecutorStatistics;
  /** Calls run in its process pool, once one did. */
  readonly process?: ExecutorStatistics;
}

/**
 * The executors of one remote worker. Pools have `concurrency` workers (the worker never
 * runs more calls at once) and its `cancelGrace`: a call its caller cancelled that does not
 * stop within it is stopped by force (its thread terminated, its child killed).
 */
export class WorkerExecutors {
  readonly #choice: RemoteWorkerExecutor;
  readonly #concurrency: number;
  readonly #cancelGrace: number;
  readonly #loop = new RemoteLoop();
  /** Invariant: holds a pool from its first call until close. */
  readonly #pools = new Map<Exclude<LocalRoute, 'loop'>, LocalPool>();

  constructor(o: { readonly executor: RemoteWorkerExecutor; readonly concurrency: number; readonly cancelGrace: number }) {
    this.#choice = o.executor;
    this.#concurrency = o.concurrency;
    this.#cancelGrace = o.cancelGrace;
  }

  /** Where a call of `ref` runs here: the forced executor, else the function's routing, else the loop. */
  routeOf(ref: RegisteredRef): LocalRoute {
    return this.#choice === 'auto' ? (localRouteOf(ref) ?? 'loop') : this.#choice;
  }

  /**
   * Start `ref(...args)` where {@link routeOf} says; what the call reports goes to
   * `onProgress`. How the run went goes to the function's routing when it learns from runs
   * (a decorated `'auto'` function: `runObserverOf`), as a call's would on this machine.
   */
  submit(ref: RegisteredRef, args: readonly unknown[], onProgress: (value: unknown) => void): Unfuture<unknown> {
    const route = this.routeOf(ref);
    const observer = runObserverOf(ref);
    if (route === 'loop') return this.#loop.submit(ref, args, onProgress, observer);
    const options = observer === undefined ? undefined : { onRun: observer.ran.bind(observer, route), cpuTime: observer.wantsCpu() };
    const future = this.#pool(route).submit(ref, args, options);
    future.onProgress(onProgress);
    return future;
  }

  #pool(route: Exclude<LocalRoute, 'loop'>): LocalPool {
    let pool = this.#pools.get(route);
    if (pool === undefined) {
      const options = { maxWorkers: this.#concurrency, cancelGrace: this.#cancelGrace };
      pool = route === 'thread' ? new ThreadExecutor(options) : new ProcessExecutor(options);
      this.#pools.set(route, pool);
    }
    return pool;
  }

  /** Wait for the running calls, then close every pool. */
  async close(): Promise<void> {
    await Promise.all([this.#loop.close(), ...[...this.#pools.values()].map((pool) => pool.close())]);
  }

  statistics(): RemoteWorkerStatistics {
    const sections: Partial<Record<LocalRoute, ExecutorStatistics>> = { loop: this.#loop.statistics() };
    for (const [route, pool] of this.#pools) sections[route] = pool.statistics();
    return Object.freeze(sections) as RemoteWorkerStatistics;
  }
}
