/**
 * How the benchmark harness learns about decorated functions without importing
 * `decorators/` (nothing in `src/` but the barrel may: the decorator layer sits above).
 *
 * Dependency inversion: each loaded copy of the decorator layer registers a {@link Bridge}
 * on a global list (`decorators/bench-bridge.ts`), and the harness asks the copy that
 * wrapped a function. Two copies can share a process — the CLI running from `dist/` while
 * the module it benchmarks imports the TypeScript sources — so the list is keyed by a
 * `Symbol.for` name, the same trick as the function registry.
 */
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

/** What one loaded copy of the decorator layer answers about the functions it wrapped. */
export interface Bridge {
  target(fn: Function): DecoratedTarget | undefined;
  verdict(fn: Function): InspectVerdict | undefined;
  thresholds(): { readonly blockMs: number; readonly cheapMs: number };
}

const BRIDGES = Symbol.for('unsync.bench.decorator-bridges.v1');

/** The global list every copy of the decorator layer registers its bridge on. */
export function decoratorBridges(): Bridge[] {
  return ((globalThis as unknown as Record<symbol, Bridge[] | undefined>)[BRIDGES] ??= []);
}

function ownerOf(fn: Function): Bridge | undefined {
  return decoratorBridges().find((b) => b.target(fn) !== undefined);
}

/** The decorated function behind `fn` (wrapped by any loaded copy of unsync), or undefined. */
export function decoratedTarget(fn: Function): DecoratedTarget | undefined {
  return ownerOf(fn)?.target(fn);
}

/** `inspect(fn)`'s verdict from the copy that wrapped `fn`, or undefined if it cannot decide (never throws). */
export function inspectVerdict(fn: Function): InspectVerdict | undefined {
  const bridge = ownerOf(fn) ?? decoratorBridges()[0];
  return bridge?.verdict(fn);
}

/** The auto-routing's thresholds: a loop call longer than `blockMs` moves a function off the loop. */
export function routingThresholds(): { readonly blockMs: number; readonly cheapMs: number } {
  // Without a loaded decorator layer, the decorator's documented defaults (docs/decorator.md).
  return decoratorBridges()[0]?.thresholds() ?? { blockMs: 5, cheapMs: 0.2 };
}
