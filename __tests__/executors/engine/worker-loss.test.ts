/**
 * What a lost worker's calls become (./src/executors/engine/worker-loss.ts), over calls and
 * slots the test arranges: started calls end, unstarted ones go back to the queue first, and
 * workers that keep dying before they are ready fail the waiting calls. The engine's use of
 * it is covered by pool-engine.test.ts and the contract suite (real workers killed).
 */
import { CancelledError } from '../../../src/core/errors';
import { WorkerCrashedError } from '../../../src/core/executor-errors';
import { CallQueue } from '../../../src/executors/engine/call-queue';
import { Slot, type Link, type LinkExit } from '../../../src/executors/engine/link';
import { PoolCall } from '../../../src/executors/engine/pool-call';
import { WorkerLoss } from '../../../src/executors/engine/worker-loss';
import { ExecutorCounters } from '../../../src/executors/statistics';

const ref = { file: '/virtual/jobs.ts', name: 'job' };

function setup(options: { anyReady?: boolean; claimable?: (call: PoolCall) => boolean } = {}) {
  const queue = new CallQueue<PoolCall>();
  const counters = new ExecutorCounters();
  const link = { reclaim: (_slot: Slot<object>, call: PoolCall) => options.claimable?.(call) ?? false } as Pick<Link<object>, 'reclaim'> as Link<object>;
  const loss = new WorkerLoss<object>({ queue, counters, link, anyReady: () => options.anyReady ?? false });
  const call = (): PoolCall => {
    const c = new PoolCall('thread', ref, [], undefined, () => undefined);
    c.submitted(() => undefined, false);
    return c;
  };
  /** A slot whose worker holds `calls`, in order (as the engine sends them). */
  const slotWith = (calls: PoolCall[]): Slot<object> => {
    const slot = new Slot<object>();
    for (const c of calls) {
      c.markSent(slot);
      slot.sent.push(c);
    }
    calls[0]?.markRunning();
    return slot;
  };
  return { queue, counters, loss, call, slotWith };
}

/** A link's report of a worker that ran the first `started` calls of its line. */
function exitAfter(started: number, more: Partial<LinkExit> = {}): LinkExit {
  return {
    started: (_call, index) => index < started,
    crashError: (c) => new WorkerCrashedError(`\`${c.ref.name}\` crashed`),
    neverReady: false,
    ...more,
  };
}

async function outcome(c: PoolCall): Promise<unknown> {
  return c.future.then(
    (value) => ({ value }),
    (error: unknown) => error,
  );
}

describe('WorkerLoss.gone', () => {
  it('fails the call the worker started and queues the others again, ahead of newer calls', async () => {
    const { queue, counters, loss, call, slotWith } = setup();
    const [ran, next, last] = [call(), call(), call()];
    const newer = call();
    queue.push(newer);
    const slot = slotWith([ran, next, last]);
    loss.gone(slot, exitAfter(1));
    expect(slot.sent).toHaveLength(0);
    expect(await outcome(ran)).toBeInstanceOf(WorkerCrashedError);
    expect(counters.snapshot('thread', 'open', { workers: 0, queued: 0, running: 0 }).failed).toBe(1);
    expect([queue.take(), queue.take(), queue.take()]).toEqual([next, last, newer]);
    expect(next.state).toBe('queued');
    expect(next.place).toBeUndefined();
  });

  it('ends a started call that was asked to stop as cancelled, not crashed', async () => {
    const { loss, call, slotWith } = setup();
    const stopping = call();
    const slot = slotWith([stopping]);
    stopping.stopRequested = true;
    loss.gone(slot, exitAfter(1));
    expect(await outcome(stopping)).toBeInstanceOf(CancelledError);
  });

  it('gives the calls the engine had picked but not sent back to the queue, first', () => {
    const { queue, loss, call, slotWith } = setup();
    const [picked, newer] = [call(), call()];
    queue.push(newer);
    const slot = slotWith([]);
    slot.outbox.push(picked);
    loss.gone(slot, exitAfter(0));
    expect(slot.outbox).toHaveLength(0);
    expect([queue.take(), queue.take()]).toEqual([picked, newer]);
  });

  it('fails every call, waiting ones too, when the worker refused the protocol', async () => {
    const { queue, loss, call, slotWith } = setup({ anyReady: true });
    const [sent, waiting] = [call(), call()];
    queue.push(waiting);
    const mismatch = (c: PoolCall): WorkerCrashedError => new WorkerCrashedError(`no worker could run \`${c.ref.name}\`: protocol 5, expected 6`);
    loss.gone(slotWith([sent]), exitAfter(0, { mismatch }));
    for (const c of [sent, waiting]) expect(String(await outcome(c))).toContain('protocol 5, expected 6');
    expect(queue.size).toBe(0);
  });

  it('fails the waiting calls only after three workers in a row died before they were ready, none ready', async () => {
    const { queue, loss, call, slotWith } = setup();
    const waiting = call();
    queue.push(waiting);
    const diedStarting = exitAfter(0, { neverReady: true, startFailed: (c, starts) => new WorkerCrashedError(`${starts} workers died starting; \`${c.ref.name}\` cannot run`) });
    loss.gone(slotWith([]), diedStarting);
    loss.gone(slotWith([]), diedStarting);
    expect(loss.lastStartFailed).toBe(true);
    expect(queue.size).toBe(1);
    loss.gone(slotWith([]), diedStarting);
    expect(queue.size).toBe(0);
    expect(String(await outcome(waiting))).toContain('3 workers died starting; `job` cannot run');
    expect(loss.lastStartFailed).toBe(false);
  });

  it('keeps the waiting calls while a worker is ready, and counts again after one becomes ready', () => {
    const ready = { anyReady: true };
    const { queue, loss, call, slotWith } = setup(ready);
    queue.push(call());
    const diedStarting = exitAfter(0, { neverReady: true });
    for (let i = 0; i < 3; i++) loss.gone(slotWith([]), diedStarting);
    expect(queue.size).toBe(1);
    ready.anyReady = false;
    loss.ready();
    expect(loss.lastStartFailed).toBe(false);
    loss.gone(slotWith([]), diedStarting);
    loss.gone(slotWith([]), diedStarting);
    expect(queue.size).toBe(1);
  });
});

describe('WorkerLoss.reclaim', () => {
  it('takes back the calls its link can claim, in order, ahead of newer calls, and leaves the rest', () => {
    const { queue, loss, call, slotWith } = setup({ claimable: (c) => c !== running });
    const running = call();
    const [second, third] = [call(), call()];
    const newer = call();
    queue.push(newer);
    const slot = slotWith([running, second, third]);
    expect(loss.reclaim(slot)).toBe(true);
    expect(slot.sent).toEqual([running]);
    expect([queue.take(), queue.take(), queue.take()]).toEqual([second, third, newer]);
  });

  it('drops a claimed call that had already settled, and says when nothing went back', () => {
    const { queue, loss, call, slotWith } = setup({ claimable: () => true });
    const cancelled = call();
    const slot = slotWith([cancelled]);
    cancelled.settleStopped(new ExecutorCounters());
    expect(loss.reclaim(slot)).toBe(false);
    expect(slot.sent).toHaveLength(0);
    expect(queue.size).toBe(0);
  });
});
