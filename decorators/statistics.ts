/**
 * Introspection of the decorator's decisions, as data: `decoratorStatistics(fns)` for the
 * functions given, and the `decorated` section of the runtime's `statistics()` for every
 * decorated function called so far (registered here, when this layer loads: `src/` never
 * imports `decorators/`).
 */
import { registerStatisticsSection, type DecoratedFunctionStatistics } from '../src/runtime/statistics-sections';
import { decoratedInfo, qualifiedName, registryName, type DecoratedInfo } from './decorated';
import { flipsOf, timesOf } from './evidence';
import { decide, type Inspection } from './inspect';
import type { RoutedExecutor } from './options';

/** Calls per executor of each decorated function called so far. */
const callCounts = new WeakMap<DecoratedInfo, Record<RoutedExecutor, number>>();
/** The functions in `callCounts`, held weakly (a collected wrapper drops out), in first-call order. */
const called = new Set<WeakRef<DecoratedInfo>>();

/** Count one call of `info` sent to `executor` (internal: `callDecorated` calls it). */
export function countCall(info: DecoratedInfo, executor: RoutedExecutor): void {
  let counts = callCounts.get(info);
  if (counts === undefined) {
    counts = { loop: 0, thread: 0, process: 0, remote: 0 };
    callCounts.set(info, counts);
    called.add(new WeakRef(info));
  }
  counts[executor]++;
}

/** `statistics().decorated`: each decorated function called so far and still alive. */
export function calledStatistics(): readonly DecoratedFunctionStatistics[] {
  const out: DecoratedFunctionStatistics[] = [];
  for (const ref of called) {
    const info = ref.deref();
    if (info === undefined) {
      called.delete(ref);
      continue;
    }
    const { executor, kind, rule, reason } = decide(info.original, info);
    const calls: Partial<Record<RoutedExecutor, number>> = {};
    for (const [where, n] of Object.entries(callCounts.get(info)!) as Array<[RoutedExecutor, number]>) if (n > 0) calls[where] = n;
    out.push(
      Object.freeze({
        name: qualifiedName(info),
        key: registryName(info),
        executor,
        kind,
        rule,
        reason,
        calls: Object.freeze(calls),
        flips: flipsOf(info.original),
      }),
    );
  }
  return Object.freeze(out);
}

registerStatisticsSection('decorated', calledStatistics);

/** One decorated function's decision and measurements (a plain frozen object). */
export interface DecoratedStatistics extends Inspection {
  /** `Class.method` or the function's name. */
  readonly name: string;
  /** How many times measured evidence changed its placement (bounded: no flip-flopping). */
  readonly flips: number;
}

/**
 * The current decision and measured times of each decorated function given (any function,
 * called or not). `statistics().decorated` lists every decorated function called so far.
 *
 * @example
 * decoratorStatistics([Files.prototype.read, parse]).forEach((s) => console.log(s.name, s.executor, s.reason));
 */
export function decoratorStatistics(fns: readonly Function[]): readonly DecoratedStatistics[] {
  return Object.freeze(
    fns.map((fn) => {
      const info = decoratedInfo(fn);
      const original = info?.original ?? fn;
      const decision = decide(original, info);
      return Object.freeze({ ...decision, measured: timesOf(original), name: info ? qualifiedName(info) : fn.name, flips: flipsOf(original) });
    }),
  );
}
