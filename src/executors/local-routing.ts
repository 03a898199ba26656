/**
 * Where a registered function runs on this machine, and what learns from its runs there,
 * as its decorator declared them (docs/remote.md, "Where a job runs on the worker"): a
 * remote worker asks both for each job naming the function. Kept in the registry's table
 * (./registry-table.ts), so every copy of unsync in a thread sees them.
 */
import { assertFunction } from '../core/validate';
import { table, type LocalRoute, type RegisteredRef, type RunObserver } from './registry-table';

export type { LocalRoute, RunObserver };

/**
 * Record `fn`'s routing (`route`) and the observer of its runs (`observe`), when given:
 * `declareRegistration`'s options. `TypeError` for a hook that is not a function.
 */
export function declareLocalRouting(fn: Function, options: { readonly route?: () => LocalRoute | undefined; readonly observe?: RunObserver }): void {
  if (options.route !== undefined) {
    assertFunction('options.route', options.route);
    (table().routes ??= new WeakMap()).set(fn, options.route);
  }
  if (options.observe !== undefined) {
    assertFunction('options.observe.wantsCpu', options.observe.wantsCpu);
    assertFunction('options.observe.ran', options.observe.ran);
    (table().observers ??= new WeakMap()).set(fn, options.observe);
  }
}

/**
 * Where `ref`'s function runs on this machine by its own routing (the `route` it was
 * declared with), or undefined when it has none (a function registered with
 * `unsyncRegister`, or routed `'remote'`) or its routing failed to decide. A remote worker
 * asks this for each job (docs/remote.md, "Where a job runs on the worker").
 */
export function localRouteOf(ref: RegisteredRef): LocalRoute | undefined {
  const route = table().routes?.get(ref.fn);
  if (route === undefined) return undefined;
  try {
    return route();
  } catch {
    return undefined;
  }
}

/**
 * What learns from the runs of `ref`'s function on this machine (the `observe` it was
 * declared with: a decorated `'auto'` function's evidence), or undefined. A remote worker
 * tells it of each job's run.
 */
export function runObserverOf(ref: RegisteredRef): RunObserver | undefined {
  return table().observers?.get(ref.fn);
}
