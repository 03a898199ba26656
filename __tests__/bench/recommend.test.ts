/**
 * The harness's recommendation rules (src/bench/recommend.ts), on hand-made results: no
 * machine timing involved, so every rule is checked exactly.
 */
import { recommend } from '../../src/bench/recommend';
import type { BenchExecutor } from '../../src/bench/options';
import type { ExecutorResult, InspectVerdict } from '../../src/bench/result';

interface Fake {
  throughput: number;
  failures?: number;
  available?: boolean;
  /** Mean time one call held the loop (loop) or ran in a worker, ms. */
  holdMs?: number;
  loopP99?: number;
}

function result(executor: BenchExecutor, f: Fake): ExecutorResult {
  const calls = 10;
  return {
    executor,
    available: f.available ?? true,
    calls: f.available === false ? 0 : calls,
    failures: f.failures ?? 0,
    error: f.failures ? 'RangeError: nope' : f.available === false ? 'not here' : undefined,
    wallMs: 100,
    throughput: f.throughput,
    latency: { p50: 1, p95: 1, p99: 1, min: 1, max: 1, mean: 1 },
    loopDelay: { p50: 1, p99: f.loopP99 ?? 1, max: f.loopP99 ?? 1 },
    cpu: { processMs: 0, userMs: 0, systemMs: 0, workerBusyMs: (f.holdMs ?? 0.01) * calls, note: '' },
    peakRssBytes: 1,
    roundThroughputs: [f.throughput],
    latencySamples: [1],
  };
}

const verdict = (executor: BenchExecutor): InspectVerdict => ({ kind: executor === 'process' ? 'cpu' : 'io', executor, reason: 'test' });

describe('recommend', () => {
  it('picks the highest throughput', () => {
    const r = recommend([result('loop', { throughput: 100 }), result('thread', { throughput: 300 })], undefined);
    expect(r.executor).toBe('thread');
    expect(r.reason).toMatch(/^Thread gave the best throughput, 300 calls\/s \(loop 100 calls\/s\)$/);
    expect(r.agreesWithInspect).toBeUndefined();
  });

  it('leaves out executors with failures or that are unavailable', () => {
    const r = recommend(
      [result('loop', { throughput: 50 }), result('thread', { throughput: 900, failures: 1 }), result('process', { throughput: 800, available: false })],
      undefined,
    );
    expect(r.executor).toBe('loop');
  });

  it('recommends nothing, saying why, when every executor failed', () => {
    const r = recommend([result('loop', { throughput: 50, failures: 2 }), result('thread', { throughput: 0, available: false })], undefined);
    expect(r.executor).toBeUndefined();
    expect(r.reason).toBe('no executor ran every call without failing (loop: RangeError: nope; thread: not here)');
  });

  it('rules out the loop when its calls held it longer than blockMs, even at the best throughput', () => {
    const r = recommend([result('loop', { throughput: 1000, holdMs: 8 }), result('thread', { throughput: 200 })], undefined);
    expect(r.executor).toBe('thread');
    expect(r.reason).toMatch(/^On the loop each call held the event loop for 8\.0 ms, .*\(limit 5\.0 ms\); thread gave the best throughput/);
  });

  it('rules out the loop when its p99 loop delay exceeded the pools\' by more than blockMs', () => {
    const r = recommend([result('loop', { throughput: 1000, loopP99: 30 }), result('thread', { throughput: 200, loopP99: 4 })], undefined);
    expect(r.executor).toBe('thread');
    expect(r.reason).toMatch(/^On the loop the p99 loop delay was 30 ms \(4\.0 ms with the pools\)/);
  });

  it('breaks a tie (within 10%) in favour of inspect(), else of the cheaper executor', () => {
    const tied = [result('loop', { throughput: 10, holdMs: 50 }), result('thread', { throughput: 100 }), result('process', { throughput: 95 })];
    const withInspect = recommend(tied, verdict('process'));
    expect(withInspect).toMatchObject({ executor: 'process', agreesWithInspect: true });
    expect(withInspect.reason).toMatch(/thread and process were within 10% of each other, and process is what inspect\(\) chooses$/);
    const without = recommend(tied, verdict('loop'));
    expect(without).toMatchObject({ executor: 'thread', agreesWithInspect: false });
    expect(without.reason).toMatch(/and thread costs less per call$/);
  });

  it('says how little a loop call held the loop, never "0 µs"', () => {
    const r = recommend([result('loop', { throughput: 1e5, holdMs: 0.0001 }), result('thread', { throughput: 1e4 })], verdict('loop'));
    expect(r.executor).toBe('loop');
    expect(r.reason).toMatch(/and it held the loop only under 1 µs per call$/);
  });
});
