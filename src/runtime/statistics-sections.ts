/**
 * Sections of `statistics()` provided by layers above `src/`. The decorator layer
 * (`decorators/`) registers its section when it loads; `src/` never imports it (the
 * layering rule), so without the decorator the section is simply empty. Internal: not
 * exported from the package.
 */

/** Calls of one decorated function per executor (`loop` counts inline calls and async tasks). */
export type DecoratedCallCounts = Readonly<Partial<Record<'loop' | 'thread' | 'process' | 'remote', number>>>;

/** One decorated function as `statistics().decorated` lists it: a plain frozen object. */
export interface DecoratedFunctionStatistics {
  /** `Class.method`, the function's name, or the `name` option. */
  readonly name: string;
  /** The key it is registered under for workers (`<class>.method` for TC39 members, or `name`). */
  readonly key: string;
  /** What `inspect()` says now: where its next call runs, ... */
  readonly executor: 'loop' | 'thread' | 'process' | 'remote';
  /** ... what it is (awaits, blocks waiting, computes), ... */
  readonly kind: 'async' | 'io' | 'cpu';
  /** ... which rule decided ... */
  readonly rule: string;
  /** ... and why, in plain words. */
  readonly reason: string;
  /** Calls made so far, per executor they were sent to. */
  readonly calls: DecoratedCallCounts;
  /** How many times measured evidence moved it on or off the loop. */
  readonly flips: number;
}

/** The sections other layers can add, by name, with the data each one returns. */
export interface StatisticsSections {
  /** Each decorated function called so far (and still alive): `@unsync` / `unsync(fn)`. */
  readonly decorated: readonly DecoratedFunctionStatistics[];
}

const EMPTY: StatisticsSections = Object.freeze({ decorated: Object.freeze([]) });
const providers = new Map<keyof StatisticsSections, () => StatisticsSections[keyof StatisticsSections]>();

/**
 * Provide the section `name` of `statistics()`: `provide` is called on every
 * `statistics()` and must return plain frozen data, cheaply. A later registration under
 * the same name replaces the earlier one (a module loaded twice, e.g. by a test).
 *
 * @example
 * registerStatisticsSection('decorated', () => decoratedSnapshot());
 */
export function registerStatisticsSection<K extends keyof StatisticsSections>(name: K, provide: () => StatisticsSections[K]): void {
  providers.set(name, provide);
}

/** The value of section `name` now: its provider's answer, or empty when none is registered. */
export function statisticsSection<K extends keyof StatisticsSections>(name: K): StatisticsSections[K] {
  const provide = providers.get(name) as (() => StatisticsSections[K]) | undefined;
  return provide === undefined ? EMPTY[name] : provide();
}
