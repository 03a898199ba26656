/**
 * Introspection of the decorator's decisions, as data.
 */
import { decoratedInfo, qualifiedName } from './decorated';
import { flipsOf, timesOf } from './evidence';
import { decide, type Inspection } from './inspect';

/** One decorated function's decision and measurements (a plain frozen object). */
export interface DecoratedStatistics extends Inspection {
  /** `Class.method` or the function's name. */
  readonly name: string;
  /** How many times measured evidence changed its placement (bounded: no flip-flopping). */
  readonly flips: number;
}

/**
 * The current decision and measured times of each decorated function given. (Decorated
 * functions are held weakly, so pass the ones you care about.)
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
