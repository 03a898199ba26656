/**
 * The evidence epoch: a counter bumped whenever anything a routing decision depends on
 * changes (a placement, a thenable seen, the thresholds, forgotten evidence). A decision
 * cached with the current epoch is still right (the decorator's hot path caches one per
 * function, `./route.ts`); measured evidence (`./evidence.ts`) and the thresholds
 * (`./evidence-thresholds.ts`) advance it.
 */

let epoch = 0;

/** The current evidence epoch (see above). */
export function evidenceEpoch(): number {
  return epoch;
}

/** Something a routing decision depends on changed: cached decisions are stale from now on. */
export function advanceEvidenceEpoch(): void {
  epoch++;
}
