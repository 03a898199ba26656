/**
 * The hot path's routing decision: one cached `decide()` result per decorated function,
 * recomputed only when the evidence epoch moved (a placement changed, a thenable was seen,
 * thresholds changed) or the decorator learnt something about the function (it cannot be
 * located, its `this` cannot travel). `inspect()` always decides afresh, with current
 * measured times; a call only needs where and how to run.
 */
import type { DecoratedInfo } from './decorated';
import { evidenceEpoch } from './evidence-epoch';
import { decide, type Inspection } from './inspect';

interface CachedRoute {
  readonly epoch: number;
  readonly decision: Inspection;
}

const routes = new WeakMap<DecoratedInfo, CachedRoute>();

/** Where the next call of `info` runs (cached; see above). */
export function routeOf(info: DecoratedInfo): Inspection {
  const cached = routes.get(info);
  const now = evidenceEpoch();
  if (cached !== undefined && cached.epoch === now) return cached.decision;
  const decision = decide(info.original, info);
  routes.set(info, { epoch: now, decision });
  return decision;
}

/** Drop the cached route of `info` (the decorator learnt something that changes it). */
export function forgetRoute(info: DecoratedInfo): void {
  routes.delete(info);
}
