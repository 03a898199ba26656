/**
 * The adapter between the decorator and the executors: the ONE place that knows how
 * `src/executors` registers functions, detects a worker and submits pool calls (through
 * the runtime's lazily created pools). A pool kind without a registered factory (a build
 * without that executor) is reported unavailable, and the caller decides.
 */
import type { Unfuture } from '../src/core/future';
import { inWorker } from '../src/executors';
import { declareRegistration, type Declaration, type LocalRoute, type RunObserver } from '../src/executors/registry';
import type { CallRef } from '../src/executors';
import type { PoolRun } from '../src/executors/executor';
import type { UnsyncStream } from '../src/executors/unsync-stream';
import { InvalidStateError } from '../src/core/errors';
import { getExecutor } from '../src/runtime/pools';
import { findUncloneable } from '../src/executors/worker/error-codec.cjs';
import type { ConcreteExecutor } from './options';

export type { CallRef, Declaration, PoolRun, RunObserver };

/** True inside an unsync worker thread or child process: decorated calls run inline there. */
export function runningInWorker(): boolean {
  return inWorker();
}

/** True when calls can be sent to the `kind` pool in this build. */
export function poolAvailable(kind: ConcreteExecutor): boolean {
  if (kind === 'loop') return true;
  try {
    getExecutor(kind); // created lazily: no worker starts before the first call
    return true;
  } catch {
    return false; // no factory registered for this kind in this build
  }
}

/**
 * Declare `shim` (the function a worker will call) for workers under `name` (anonymous
 * functions: `undefined`, found through their module's exports), and let `toThread`/
 * `toProcess` locate each of `aliases` (the wrapper, the original) as it. With `numbered`
 * (TC39 members, whose class a decorator never sees: `<class>.method`), a duplicate name in
 * one module gets `#2`, `#3`, … in definition order, which is the same in every worker.
 * Nothing here throws for where the function was defined: `locate()` on the result does,
 * when a call first needs a worker. `route` says where a call of it runs on this machine
 * (a remote worker asks it for each job naming the function), and `observe` learns from
 * the runs of those jobs.
 */
export function declareForWorkers(
  shim: (...args: any[]) => unknown,
  name: string | undefined,
  numbered: boolean,
  aliases: readonly Function[],
  label: string,
  route: () => LocalRoute | undefined,
  observe: RunObserver | undefined,
): Declaration {
  return declareRegistration(shim, { name, numbered, aliases, label, route, ...(observe === undefined ? {} : { observe }) });
}

/** Send one call to the runtime's `kind` pool, or to the remote executor (created on first use). */
export function submitToPool<T>(
  kind: 'thread' | 'process' | 'remote',
  ref: CallRef,
  args: readonly unknown[],
  options: { timeout: number | null; name: string | undefined; onRun?: (run: PoolRun) => void; cpuTime?: boolean },
): Unfuture<T> {
  return getExecutor(kind).submit<T>(ref, args, options);
}

/**
 * The remote executor (`configure({ remote })`), created on first use: throws
 * `InvalidStateError` saying what to set when no connection is configured.
 */
export function remoteExecutor(): void {
  getExecutor('remote');
}

/** Open the stream of a generator function's call on the runtime's `kind` pool (created on first use). */
export function streamFromPool<T>(
  kind: 'thread' | 'process',
  ref: CallRef,
  args: readonly unknown[],
  options: { timeout: number | null; name: string | undefined; highWaterMark: number | undefined },
): UnsyncStream<T> {
  const executor = getExecutor(kind);
  if (executor.stream === undefined) throw new InvalidStateError(`the ${kind} executor cannot run generator functions`);
  return executor.stream<T>(ref, args, options);
}

/**
 * True when a call sent to a pool now would run alone: no call running or waiting on the
 * thread pool or on the process pool (a pool not created yet counts as idle). The decorator
 * measures what a pool adds to a call only on such calls, and a thread/process comparison
 * sends its calls to the other pool only then: with other calls in flight, a call's overhead
 * mostly says how busy the cores and the event loop were, and an idle pool would look cheaper
 * than a busy one whatever their merits (docs/decorator.md, "Thread or process").
 */
export function runsAlone(): boolean {
  for (const kind of ['thread', 'process'] as const) {
    let s: { queued: number; running: number };
    try {
      s = getExecutor(kind).statistics();
    } catch {
      continue; // not in this build
    }
    if (s.queued > 0 || s.running > 0) return false;
  }
  return true;
}

/**
 * True when a call sent to `pool` now would run alone ({@link runsAlone}) and start at once
 * on a worker already running there. When no worker of `pool` is ready, one is started
 * (the pool's `warmUp()`) and this says false until it is: a thread/process comparison
 * sends its calls to the other pool only when this says true, so a call never waits for a
 * child process (or its TypeScript loader) to start, which a script awaiting its calls one
 * at a time would feel (docs/decorator.md, "Thread or process").
 */
export function startsAtOnce(pool: 'thread' | 'process'): boolean {
  if (!runsAlone()) return false;
  let executor: { warmUp?: () => boolean };
  try {
    executor = getExecutor(pool) as { warmUp?: () => boolean };
  } catch {
    return false; // not in this build
  }
  return typeof executor.warmUp === 'function' ? executor.warmUp() : true;
}

/** The module exports of `file` as loaded in this thread (a worker resolves classes with it). */
export function loadedExports(file: string): Record<string, unknown> | undefined {
  const cache = typeof require === 'function' ? require.cache : undefined;
  const exports = cache?.[file]?.exports as unknown;
  return typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>) : undefined;
}

/**
 * Why `value` cannot be structured-cloned, with where in it (`.socket`, `.cache.get("k")`),
 * or undefined when it clones. Costs one clone of `value`.
 */
export function cloneProblem(value: unknown): { readonly path: string; readonly reason: string } | undefined {
  if (findUncloneable([value]) === undefined) return undefined;
  // Walk own properties of a class instance too (the codec's walk stops at plain objects).
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      const inner = findUncloneable([(value as Record<string, unknown>)[key]]);
      if (inner !== undefined) return { path: `.${key}${inner.path}`, reason: reasonText(inner.reason) };
    }
  }
  return { path: '', reason: reasonText(findUncloneable([value])?.reason) };
}

function reasonText(reason: unknown): string {
  return reason instanceof Error || typeof (reason as { message?: unknown })?.message === 'string' ? (reason as Error).message : String(reason);
}
