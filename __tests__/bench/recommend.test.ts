/**
 * The harness's recommendation rules (src/bench/recommend.ts), on hand-made results: no
 * machine timing involved, so every rule is checked exactly.
 */
import { configureEvidence } from '../../decorators';
import { recommend } from '../../src/bench/recommend';
import type { BenchExecutor } from '../../src/bench/options';
import type { ExecutorResult, InspectVerdict } from '../../src/bench/result';

interface Fake {
  throughput: number;
  failures?: number;
  available?: boolean;
  /** Mean time one call held the loop (loop) or ran in a worker, ms. */
  holdMs?: number;
  /** The longest loop call, ms (default `holdMs`). */
  longestMs?: number;
  loopP99?: number;
  /** Median wall time of a round, ms (default 100). */
  wallMs?: number;
}

function result(executor: BenchExecutor, f: Fake): ExecutorResult {
  const calls = 10;
  return {
    executor,
    available: f.available ?? true,
    calls: f.available === false ? 0 : calls,
    failures: f.failures ?? 0,
    error: f.failures ? 'RangeError: nope' : f.available === false ? 'not here' : undefined,
    wallMs: f.wallMs ?? 100,
    throughput: f.throughput,
    latency: { p50: 1, p95: 1, p99: 1, min: 1, max: 1, mean: 1 },
    loopDelay: { p50: 1, p99: f.loopP99 ?? 1, max: f.loopP99 ?? 1 },
    cpu: { processMs: 0, userMs: 0, systemMs: 0, childrenMs: 0, workerBusyMs: (f.holdMs ?? 0.01) * calls, note: '' },
    longestLoopCallMs: executor === 'loop' ? f.longestMs ?? f.holdMs ?? 0.01 : null,
    peakRssBytes: 1,
    childrenPeakRssBytes: 0,
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
    expect(r.reason).toMatch(/^On the loop a call held the event loop for 8\.0 ms, .*\(limit 5\.0 ms: one such call moves a function off the loop under 'auto'\); thread gave the best throughput/);
  });

  it('rules out the loop after a single call longer than blockMs, as auto does, even when the mean call is short', () => {
    const r = recommend([result('loop', { throughput: 1000, holdMs: 1, longestMs: 12 }), result('thread', { throughput: 200, holdMs: 1 })], verdict('loop'));
    expect(r.executor).toBe('thread');
    expect(r.reason).toMatch(/^On the loop a call held the event loop for 12 ms, p99 loop delay 1\.0 ms \(limit 5\.0 ms/);
  });

  describe('a function whose calls take between cheapMs (0.2 ms) and blockMs (5 ms)', () => {
    const band = (loopRate: number, threadRate: number): ExecutorResult[] => [
      result('loop', { throughput: loopRate, holdMs: 0.4, longestMs: 0.9 }),
      result('thread', { throughput: threadRate, holdMs: 0.42 }),
      result('process', { throughput: 700, holdMs: 0.45 }),
    ];

    it('is kept off the loop when inspect() runs it on a pool, as auto keeps it there, even when the loop is fastest', () => {
      const r = recommend(band(2000, 1400), verdict('process'));
      expect(r.executor).toBe('thread');
      expect(r.reason).toMatch(
        /^'auto' keeps it off the loop: inspect\(\) runs it on process, and 'auto' moves a function back to the loop only after a streak of worker runs under 200 µs; on process they took 450 µs; thread gave the best throughput, 1,400 calls\/s \(process 700 calls\/s\)$/,
      );
    });

    it('stays on the loop when inspect() runs it there and the loop is fastest', () => {
      const r = recommend(band(2000, 1400), verdict('loop'));
      expect(r).toMatchObject({ executor: 'loop', agreesWithInspect: true });
    });

    it('goes to a faster pool even when auto keeps it on the loop, and the reason says auto would not', () => {
      const r = recommend(band(1000, 2000), verdict('loop'));
      expect(r).toMatchObject({ executor: 'thread', agreesWithInspect: false });
      expect(r.reason).toMatch(
        /; 'auto' would keep it on the loop \(inspect\(\) runs it there and no call held the loop over 5\.0 ms\); the measured throughput is why this differs: route it with executor: 'thread' to get it$/,
      );
    });

    it('follows the thresholds configureEvidence() sets for auto', () => {
      try {
        configureEvidence({ cheapMs: 0.5 });
        const r = recommend(band(2000, 1400), verdict('process'));
        expect(r.executor).toBe('loop');
        expect(r.reason).toMatch(/\(inspect\(\) says process for now, but its worker runs on process took 450 µs, under 500 µs, so 'auto' brings it back to the loop after a streak of them\)$/);
      } finally {
        configureEvidence({ reset: true });
      }
    });
  });

  it('recommends the loop for worker runs under cheapMs, which auto brings back to the loop', () => {
    const r = recommend([result('loop', { throughput: 5000, holdMs: 0.05 }), result('thread', { throughput: 900, holdMs: 0.05 })], verdict('thread'));
    expect(r).toMatchObject({ executor: 'loop', agreesWithInspect: false });
    expect(r.reason).toMatch(/so 'auto' brings it back to the loop after a streak of them\)$/);
  });

  it('rules out the loop when its p99 loop delay exceeded the pools\' by more than blockMs', () => {
    const r = recommend([result('loop', { throughput: 1000, loopP99: 30 }), result('thread', { throughput: 200, loopP99: 4 })], undefined);
    expect(r.executor).toBe('thread');
    expect(r.reason).toMatch(/^On the loop the p99 loop delay was 30 ms \(4\.0 ms with the pools\)/);
  });

  it('counts no more loop delay against the loop than its rounds lasted (the calls cannot have caused more)', () => {
    // A round of tiny calls lasting 0.5 ms, whose histogram caught a 30 ms stall of the machine.
    const stalled = [result('loop', { throughput: 1e5, holdMs: 0.001, loopP99: 30, wallMs: 0.5 }), result('thread', { throughput: 1e4, loopP99: 2 })];
    expect(recommend(stalled, verdict('loop'))).toMatchObject({ executor: 'loop', agreesWithInspect: true });
    // Rounds long enough to hold that delay: the rule applies.
    const held = [result('loop', { throughput: 1e5, holdMs: 0.001, loopP99: 30, wallMs: 40 }), result('thread', { throughput: 1e4, loopP99: 2 })];
    expect(recommend(held, verdict('loop'))).toMatchObject({ executor: 'thread', agreesWithInspect: false });
    expect(recommend(held, verdict('loop')).reason).toMatch(/^On the loop the p99 loop delay was 30 ms \(2\.0 ms with the pools\)/);
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
