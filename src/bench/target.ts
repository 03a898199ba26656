/**
 * What the harness runs: a function turned into call references the executors accept.
 *
 * The loop executor runs the user's own function in this thread (wrapped to time how long
 * each call holds the loop). The pools run it by reference (`{ file, name }`, see
 * docs/executors.md): a function wrapped by `unsync` is found under the name its wrapper
 * registered; a plain function must be registered (`unsyncRegister`) or exported by a
 * loaded CommonJS module.
 */
import { performance } from 'node:perf_hooks';
import { isLocateError } from '../core/executor-errors';
import { locateFunction, type RegisteredRef } from '../executors/registry';
import type { CallRef } from '../executors/protocol';
import { decoratedTarget } from './decorator-bridge';

/** A function ready to be benchmarked. */
export interface BenchTarget {
  readonly name: string;
  /** The function as the user passed it (what `inspect()` looks at). */
  readonly given: Function;
  /** For the loop executor: the user's function, timed. */
  readonly loopRef: RegisteredRef;
  /** For the pools, or undefined when a worker cannot find the function. */
  readonly poolRef: CallRef | undefined;
  /** Why the pools cannot run it, in words. */
  readonly unlocatable: string | undefined;
  /** How long the loop executor's calls held the loop (sync part); the timed wrapper adds to it. */
  readonly loopTiming: LoopTiming;
}

/** Running figures of the loop executor's calls, kept by the wrapper that times them. */
export interface LoopTiming {
  /** Milliseconds every call held the loop, summed since the target was made (a round takes the difference). */
  busyMs: number;
  /** The longest single call since a round last set it to 0. */
  longestMs: number;
}

const REGISTRY_KEY = Symbol.for('unsync.registry.v1');

/** Build the target for `fn`. Throws `TypeError` for what the harness cannot benchmark. */
export function resolveTarget(fn: Function, name: string | undefined): BenchTarget {
  const decorated = decoratedTarget(fn);
  if (decorated?.instanceMethod === true) {
    throw new TypeError(
      `benchmark() cannot call the instance method ${decorated.qualifiedName} without an instance; benchmark a static method or a function`,
    );
  }
  const original = (decorated?.original ?? fn) as (...args: unknown[]) => unknown;
  const qualified = decorated?.qualifiedName ?? (fn.name || 'anonymous');
  let poolRef: CallRef | undefined;
  let unlocatable: string | undefined;
  let exported: CallRef | undefined;
  try {
    const ref = locateFunction(fn);
    exported = { file: ref.file, name: ref.name };
  } catch (error) {
    if (!isLocateError(error)) throw error;
    unlocatable = error.message;
  }
  // A wrapper is run in workers through the shim its decorator registered (the wrapper
  // itself would dispatch again); its module is the one exporting it, when that is known.
  if (decorated !== undefined) poolRef = registeredByName(decorated.registryName, exported?.file);
  poolRef ??= exported;
  if (poolRef !== undefined) unlocatable = undefined;
  const target: BenchTarget = {
    name: name ?? qualified,
    given: fn,
    poolRef,
    unlocatable,
    loopTiming: { busyMs: 0, longestMs: 0 },
    loopRef: Object.freeze({
      file: poolRef?.file ?? '<this thread>',
      name: qualified,
      fn: function timedOnLoop(...args: unknown[]): unknown {
        const start = performance.now();
        try {
          return original(...args);
        } finally {
          const ms = performance.now() - start;
          target.loopTiming.busyMs += ms;
          if (ms > target.loopTiming.longestMs) target.loopTiming.longestMs = ms;
        }
      },
    }),
  };
  return target;
}

/**
 * The reference of the function registered as `name` in `inFile` (or, without a file, in
 * the one module that has that name), else undefined. Reads the registry table shared with the workers (its shape
 * is fixed: see src/executors/registry.ts).
 */
function registeredByName(name: string, inFile: string | undefined): CallRef | undefined {
  const table = (globalThis as unknown as Record<symbol, { byFile: Map<string, Map<string, unknown>> } | undefined>)[REGISTRY_KEY];
  if (table === undefined) return undefined;
  if (inFile !== undefined) return table.byFile.get(inFile)?.has(name) ? { file: inFile, name } : undefined;
  const files = [...table.byFile].filter(([, names]) => names.has(name)).map(([file]) => file);
  return files.length === 1 ? { file: files[0]!, name } : undefined;
}
