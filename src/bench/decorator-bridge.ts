/**
 * The ONE place where the benchmark harness reaches into `decorators/`.
 *
 * Why `src/bench` may do this when the rest of `src/` may not: the harness is a tool on
 * top of every layer (it benchmarks decorated functions and compares its advice with the
 * decorator's `inspect()`), like the `src/index.ts` barrel; it lives in `src/` only
 * because the package's top-level layout has no other place for library code. Nothing in
 * `decorators/` imports it back. Keeping every use here means a change of the decorator's
 * internals touches one file.
 */
import { decoratedInfo, qualifiedName } from '../../decorators/decorated';
import { configureEvidence } from '../../decorators/evidence';
import { inspect } from '../../decorators/inspect';
import type { InspectVerdict } from './result';

/** What the harness needs to know about a function wrapped by `unsync`. */
export interface DecoratedTarget {
  /** The user's own function (what runs on the loop and in a worker). */
  readonly original: Function;
  /** The name it is registered under in its module (`Class.method` or the function name). */
  readonly qualifiedName: string;
  /** True for an instance method (its calls need an instance). */
  readonly instanceMethod: boolean;
}

/** The decorated function behind `fn`, or undefined when `unsync` did not wrap it. */
export function decoratedTarget(fn: Function): DecoratedTarget | undefined {
  const info = decoratedInfo(fn);
  if (info === undefined) return undefined;
  return {
    original: info.original,
    qualifiedName: qualifiedName(info),
    instanceMethod: info.system !== 'function' && !info.isStatic,
  };
}

/** `inspect(fn)`'s verdict, or undefined if it cannot decide (it never throws here). */
export function inspectVerdict(fn: Function): InspectVerdict | undefined {
  try {
    const i = inspect(fn);
    return Object.freeze({ kind: i.kind, executor: i.executor, reason: i.reason });
  } catch {
    return undefined;
  }
}

/** The auto-routing's thresholds: a loop call longer than `blockMs` moves a function off the loop. */
export function routingThresholds(): { readonly blockMs: number; readonly cheapMs: number } {
  const t = configureEvidence({}); // no keys: reads the current thresholds without changing them
  return { blockMs: t.blockMs, cheapMs: t.cheapMs };
}
