/**
 * The remote executor's table of calls in flight (./src/executors/remote/remote-calls.ts)
 * over real PoolCalls, without Redis: phases, settling once, draining, and the retries
 * counted from stall reports that come late, twice or not at all. The executor's use of it
 * over Redis is covered by remote-executor.test.ts and remote-worker-death.test.ts.
 */
import { PoolCall } from '../../../src/executors/engine/pool-call';
import { RemoteCalls } from '../../../src/executors/remote/remote-calls';
import { ExecutorCounters } from '../../../src/executors/statistics';

const ref = { file: '/virtual/jobs.ts', name: 'job' };

function newCall(): PoolCall {
  const call = new PoolCall('remote', ref, [], undefined, () => undefined);
  call.submitted(() => undefined, false);
  return call;
}

describe('RemoteCalls', () => {
  it('enters each call with a job id of its own, adding, and finds it by that id', () => {
    const calls = new RemoteCalls(1);
    const a = calls.add(newCall());
    const b = calls.add(newCall());
    expect(a.jobId).not.toBe(b.jobId);
    expect([a.phase, a.stalls, a.removing, a.cancelWanted]).toEqual(['adding', 0, 0, false]);
    expect(calls.get(b.jobId)).toBe(b);
    expect(calls.get('other')).toBeUndefined();
    expect(calls.holds(a)).toBe(true);
    expect([...calls.values()]).toEqual([a, b]);
    expect(calls.size).toBe(2);
  });

  it('counts a call queued until a worker takes its job, then running, and running again when a retried job is taken', () => {
    const calls = new RemoteCalls(2);
    const a = calls.add(newCall());
    calls.add(newCall()).phase = 'waiting';
    expect(calls.counts()).toEqual({ queued: 2, running: 0 });
    calls.started(a);
    expect(a.phase).toBe('running');
    expect(a.call.state).toBe('running');
    expect(calls.counts()).toEqual({ queued: 1, running: 1 });
    // Its worker died: the job waits again, then another worker takes it.
    a.phase = 'waiting';
    expect(calls.counts()).toEqual({ queued: 2, running: 0 });
    calls.started(a);
    expect([a.phase, a.call.state]).toEqual(['running', 'running']);
    expect(calls.counts()).toEqual({ queued: 1, running: 1 });
  });

  it('settles a call once and forgets it: a second end, or a start after it, changes nothing', () => {
    const counters = new ExecutorCounters();
    const calls = new RemoteCalls(1);
    const a = calls.add(newCall());
    const settled: string[] = [];
    calls.end(a, () => {
      settled.push('first');
      a.call.settleOutcome({ type: 'result', id: 0, value: 1, startedAt: 0, endedAt: 0 }, counters);
    });
    calls.end(a, () => settled.push('second'));
    calls.started(a);
    expect(settled).toEqual(['first']);
    expect(calls.holds(a)).toBe(false);
    expect(calls.get(a.jobId)).toBeUndefined();
    expect(a.phase).toBe('adding');
    expect(counters.snapshot('remote', 'open', { workers: 0, queued: 0, running: 0 }).completed).toBe(1);
    return expect(a.call.future).resolves.toBe(1);
  });

  it('resolves drained() at once when no call is in flight, else when the last one settles', async () => {
    const calls = new RemoteCalls(1);
    await calls.drained();
    const a = calls.add(newCall());
    const b = calls.add(newCall());
    const steps: string[] = [];
    const drained = calls.drained().then(() => steps.push('drained'));
    calls.end(a, () => steps.push('a'));
    await Promise.resolve();
    calls.end(b, () => steps.push('b'));
    await drained;
    expect(steps).toEqual(['a', 'b', 'drained']);
  });

  it('counts the retries of a call as min(stalls, attempts - 1), once whichever reports the stalls', () => {
    const calls = new RemoteCalls(3);
    const a = calls.add(newCall());
    const b = calls.add(newCall());
    // A look at a's job finds one stall, then its stalled event comes late with the same count.
    expect(calls.learnStalls(a, 1)).toBe(true);
    expect(calls.learnStalls(a, 1)).toBe(false);
    expect(calls.retried).toBe(1);
    // b's answer says its job stalled 5 times: at most attempts - 1 = 2 were retries.
    expect(calls.learnStalls(b, 5)).toBe(true);
    expect(calls.retried).toBe(3);
    // A smaller count (an older report) is no news.
    expect(calls.learnStalls(b, 2)).toBe(false);
    expect(b.stalls).toBe(5);
    // a stalls again twice: one more retry before the attempts run out, then none.
    expect(calls.learnStalls(a, 3)).toBe(true);
    expect(calls.retried).toBe(4);
    expect(a.stalls).toBe(3);
  });

  it('counts no retries for a settled call', () => {
    const calls = new RemoteCalls(3);
    const a = calls.add(newCall());
    calls.end(a, () => undefined);
    expect(calls.learnStalls(a, 2)).toBe(false);
    expect(calls.retried).toBe(0);
    expect(a.stalls).toBe(0);
  });

  it('counts no retries with attempts 1 (a death is not retried)', () => {
    const calls = new RemoteCalls(1);
    const a = calls.add(newCall());
    expect(calls.learnStalls(a, 1)).toBe(true);
    expect(calls.retried).toBe(0);
  });
});
