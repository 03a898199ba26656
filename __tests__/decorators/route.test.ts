/**
 * The hot path's cached routing decision (decorators/route.ts): reused while nothing it
 * depends on changed, recomputed as soon as measured evidence moves the function.
 */
import { shutdown } from '../../src';
import { decoratedInfo } from '../../decorators/decorated';
import { forgetEvidence, recordCall } from '../../decorators/evidence';
import { evidenceEpoch } from '../../decorators/evidence-epoch';
import { routeOf } from '../../decorators/route';
import { where } from '../fixtures/auto-route';

afterAll(() => shutdown());

describe('routeOf', () => {
  const info = decoratedInfo(where)!;

  it('reuses one decision while the evidence epoch stays, and follows a move at once', async () => {
    const first = routeOf(info);
    expect(routeOf(info)).toBe(first); // the same object: not decided again
    expect(first.executor).toBe('loop');
    const epoch = evidenceEpoch();
    const call = where(1);
    expect([call.executor, await call]).toEqual(['loop', '1@main']);
    expect(evidenceEpoch()).toBe(epoch); // a cheap loop call changes no placement
    try {
      recordCall(info.original, 'loop', 60); // a call that blocked the loop: moved off it
      expect(evidenceEpoch()).toBeGreaterThan(epoch);
      const moved = where(2);
      expect([moved.executor, await moved]).toEqual(['thread', '2@worker']);
      expect(routeOf(info)).not.toBe(first);
    } finally {
      forgetEvidence(info.original);
    }
    expect(routeOf(info).executor).toBe('loop');
  });
});
