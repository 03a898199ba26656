/**
 * The function registry's table: one per thread, kept on `globalThis` under a `Symbol.for`
 * key so that every copy of unsync loaded in a thread (the `src/` one under jest or tsx, the
 * compiled `dist/` one) and the worker bootstrap (`./worker/run-call.cjs`) share it. Its
 * shape is that contract: fields are only ever added, and optional. Read and written by the
 * registry (./registry.ts) and the functions' local routing (./local-routing.ts).
 */
import type { PoolRun } from './executor';
import type { CallRef } from './protocol';

/** A call reference that also carries the function, for executors running in this thread. */
export interface RegisteredRef extends CallRef {
  /** The function registered under this reference, as this thread loaded it. */
  readonly fn: (...args: any[]) => unknown;
}

/** One registration: the reference, and where it was made. */
export interface Entry {
  readonly ref: RegisteredRef;
  /** `line:column` of the registration; a second registration from the same spot is a re-evaluation. */
  readonly site: string;
}

/** Where a function runs on one machine: its event loop, the thread pool or the process pool. */
export type LocalRoute = 'loop' | 'thread' | 'process';

/**
 * What a function's routing learns from runs made outside its decorator's own calls (a
 * remote worker's jobs): the runs are `'auto'`'s measured evidence there, as a call's are
 * on the machine that makes it (docs/remote.md, "Where a job runs on the worker").
 */
export interface RunObserver {
  /** True when the next run should measure its CPU time (a sample: most runs need not). */
  wantsCpu(): boolean;
  /** A run of the function on this machine ended, on `executor`: what it measured. */
  ran(executor: LocalRoute, run: PoolRun): void;
}

const REGISTRY_KEY = Symbol.for('unsync.registry.v1');

/** The table's shape (see the file's comment). */
export interface Table {
  readonly version: 1;
  /** real path -> qualified name -> entry. Read by worker/run-call.cjs: keep the shape. */
  readonly byFile: Map<string, Map<string, Entry>>;
  readonly byFn: WeakMap<Function, RegisteredRef>;
  /**
   * Names two functions of one module claimed (real path -> names): neither is locatable
   * under it. Optional: a table made by an older copy of unsync in this thread lacks it.
   */
  conflicts?: Map<string, Set<string>>;
  /**
   * Anonymous functions declared at module top level: the function a caller passes (the
   * decorator's wrapper, or the function itself) -> the function a worker runs. A worker
   * finds one through the module's exports (see `FileNames`, ./registry.ts).
   */
  anonymous?: WeakMap<Function, (...args: any[]) => unknown>;
  /**
   * Where the function a worker runs would run on its own (its decorator's routing), by that
   * function: read by a remote worker (`localRouteOf`, ./local-routing.ts). Optional, as `anonymous`.
   */
  routes?: WeakMap<Function, () => LocalRoute | undefined>;
  /**
   * What learns from the runs of the function a worker runs (its decorator's measured
   * evidence), by that function: read by a remote worker (`runObserverOf`, ./local-routing.ts). Optional, as `anonymous`.
   */
  observers?: WeakMap<Function, RunObserver>;
}

/** This thread's table (made by the first copy of unsync that asks). */
export function table(): Table {
  const g = globalThis as unknown as Record<symbol, Table | undefined>;
  return (g[REGISTRY_KEY] ??= { version: 1, byFile: new Map(), byFn: new WeakMap() });
}
