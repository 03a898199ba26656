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
import { decoratedInfo, qualifiedName, registryName } from '../../decorators/decorated';
import { configureEvidence } from '../../decorators/evidence';
import { inspect } from '../../decorators/inspect';
import type { InspectVerdict } from './result';

/** What the harness needs to know about a function wrapped by `unsync`. */
export interface DecoratedTarget {
  /** The user's own function (what runs on the loop and in a worker). */
  readonly original: Function;
  /** Its name for people (`Class.method` or the function name). */
  readonly qualifiedName: string;
  /** The name its worker shim is registered under in the function registry. */
  readonly registryName: string;
  /** True for an instance method (its calls need an instance). */
  readonly instanceMethod: boolean;
}

/** What one loaded copy of unsync answers about the functions its own decorator wrapped. */
interface Bridge {
  target(fn: Function): DecoratedTarget | undefined;
  verdict(fn: Function): InspectVerdict | undefined;
}

const local: Bridge = {
  target(fn) {
    const info = decoratedInfo(fn);
    if (info === undefined) return undefined;
    return {
      original: info.original,
      qualifiedName: qualifiedName(info),
      registryName: registryName(info),
      instanceMethod: info.system !== 'function' && !info.isStatic,
    };
  },
  verdict(fn) {
    try {
      const i = inspect(fn);
      return Object.freeze({ kind: i.kind, executor: i.executor, reason: i.reason });
    } catch {
      return undefined;
    }
  },
};

// Two copies of unsync can share a process: the CLI runs from dist/ while the module it
// benchmarks imports the TypeScript sources (or the reverse). Each copy's decorator knows
// only the functions it wrapped, so every copy lists its bridge on a global (the same
// trick as the function registry) and the harness asks the copy that wrapped `fn`.
const BRIDGES = Symbol.for('unsync.bench.decorator-bridges.v1');
const bridges: Bridge[] = ((globalThis as unknown as Record<symbol, Bridge[] | undefined>)[BRIDGES] ??= []);
bridges.push(local);

function ownerOf(fn: Function): Bridge | undefined {
  return bridges.find((b) => b.target(fn) !== undefined);
}

/** The decorated function behind `fn` (wrapped by any loaded copy of unsync), or undefined. */
export function decoratedTarget(fn: Function): DecoratedTarget | undefined {
  return ownerOf(fn)?.target(fn);
}

/** `inspect(fn)`'s verdict from the copy that wrapped `fn`, or undefined if it cannot decide (never throws). */
export function inspectVerdict(fn: Function): InspectVerdict | undefined {
  return (ownerOf(fn) ?? local).verdict(fn);
}

/** The auto-routing's thresholds: a loop call longer than `blockMs` moves a function off the loop. */
export function routingThresholds(): { readonly blockMs: number; readonly cheapMs: number } {
  const t = configureEvidence({}); // no keys: reads the current thresholds without changing them
  return { blockMs: t.blockMs, cheapMs: t.cheapMs };
}
