/**
 * The adapter between the decorator and the executors: the ONE place that knows how
 * `src/executors` registers functions, detects a worker and submits pool calls (through
 * the runtime's lazily created pools). A pool kind without a registered factory (a build
 * without that executor) is reported unavailable, and the caller decides.
 */
import type { Unfuture } from '../src/core/future';
import { inWorker, unsyncRegister } from '../src/executors';
import { aliasRegistration } from '../src/executors/registry';
import type { CallRef } from '../src/executors';
import { watchRun, type PoolRun } from '../src/executors/pool-call';
import { getExecutor } from '../src/runtime/pools';
import type { ConcreteExecutor } from './options';

export type { CallRef, PoolRun };

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
 * The outcome of registering a function for workers: its reference, why a worker cannot find
 * it, or that another function of the module already holds the name.
 */
export type Registration = { readonly ref: CallRef } | { readonly unlocatable: string } | { readonly duplicate: string };

/**
 * Register `shim` (the function a worker will call) under `name`, and let `toThread`/
 * `toProcess` locate each of `aliases` (the wrapper, the original) as it. With `numbered`
 * (TC39 members, whose class a decorator never sees: `<class>.method`), a duplicate name in
 * one module gets `#2`, `#3`, … in definition order, which is the same in every worker; any
 * other duplicate is reported. Returns why the function cannot be located instead of
 * throwing, so that `'auto'` can keep it on the loop.
 */
export function registerForWorkers(shim: (...args: any[]) => unknown, name: string, numbered: boolean, aliases: readonly Function[]): Registration {
  for (let n = 1; ; n++) {
    try {
      const ref = unsyncRegister(shim, { name: n === 1 ? name : `${name}#${n}` });
      for (const alias of aliases) aliasRegistration(alias, ref);
      return { ref: { file: ref.file, name: ref.name } };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/two functions are registered as/.test(message)) return { unlocatable: message };
      if (!numbered || n >= 50) return { duplicate: message };
    }
  }
}

/** Send one call to the runtime's `kind` pool (created on first use). */
export function submitToPool<T>(
  kind: 'thread' | 'process',
  ref: CallRef,
  args: readonly unknown[],
  options: { timeout: number | null; name: string | undefined },
): Unfuture<T> {
  return getExecutor(kind).submit<T>(ref, args, options);
}

/**
 * Call `watcher` with the worker's own measure of a pool call (`runMs`, and `cold` when it
 * included loading the module in a fresh worker) once the worker answers; not for calls
 * cancelled, timed out or lost with their worker.
 */
export function whenPoolRan(future: Unfuture<unknown>, watcher: (run: PoolRun) => void): void {
  watchRun(future, watcher);
}

/** The module exports of `file` as loaded in this thread (a worker resolves classes with it). */
export function loadedExports(file: string): Record<string, unknown> | undefined {
  const cache = typeof require === 'function' ? require.cache : undefined;
  const exports = cache?.[file]?.exports as unknown;
  return typeof exports === 'object' && exports !== null ? (exports as Record<string, unknown>) : undefined;
}
