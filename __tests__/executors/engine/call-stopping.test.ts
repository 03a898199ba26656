/**
 * The engine's cancellation (./src/executors/engine/call-stopping.ts) over calls, slots and a
 * link the test arranges: where a call is decides what a cancel does. The engine's use of it
 * is covered by pool-engine.test.ts and the contract suite (real workers).
 */
import { CancelledError } from '../../../src/core/errors';
import { CallQueue } from '../../../src/executors/engine/call-queue';
import { CallStopping } from '../../../src/executors/engine/call-stopping';
import { Slot, type Link } from '../../../src/executors/engine/link';
import { PoolCall, type WithdrawResult } from '../../../src/executors/engine/pool-call';
import { ExecutorCounters } from '../../../src/executors/statistics';

const ref = { file: '/virtual/jobs.ts', name: 'job' };

/** What the arranged link answers, and what it was asked. */
interface Script {
  withdraw: WithdrawResult;
  /** requestStop: true when the call still ran (asked now), false when it had ended. */
  stillRuns: boolean;
  asked: string[];
}

function setup(cancelGrace: number, script: Partial<Script> = {}) {
  const s: Script = { withdraw: 'never', stillRuns: true, asked: [], ...script };
  const queue = new CallQueue<PoolCall>();
  const counters = new ExecutorCounters();
  const slots: Slot<object>[] = [];
  const forced: Slot<object>[] = [];
  let settled = 0;
  const link = {
    withdraw: (_slot, call) => (s.asked.push(`withdraw ${call.id}`), s.withdraw),
    requestStop: (_slot, call) => (s.asked.push(`ask ${call.id}`), s.stillRuns),
    forceStop: (_slot, call) => (s.asked.push(`force ${call.id}`), true),
  } as Pick<Link<object>, 'withdraw' | 'requestStop' | 'forceStop'> as Link<object>;
  const stopping: CallStopping<object> = new CallStopping<object>({
    queue,
    counters,
    link,
    slots,
    cancelGrace,
    settled: () => void settled++,
    forced: (slot) => {
      slot.leaving = true;
      forced.push(slot);
    },
  });
  const call = (): PoolCall => {
    const c = new PoolCall('thread', ref, [], undefined, (c2: PoolCall) => stopping.cancel(c2));
    c.submitted(() => undefined, false);
    return c;
  };
  const slotWith = (calls: PoolCall[]): Slot<object> => {
    const slot = new Slot<object>();
    slots.push(slot);
    for (const c of calls) {
      c.markSent(slot);
      slot.sent.push(c);
    }
    calls[0]?.markRunning();
    return slot;
  };
  return { s, queue, forced, stopping, call, slotWith, settled: () => settled };
}

const cancelled = (c: PoolCall): Promise<boolean> => c.future.then(() => false, (e: unknown) => e instanceof CancelledError);

describe('CallStopping.cancel', () => {
  it('takes a queued call out of the queue and ends it cancelled, asking no worker', async () => {
    const { s, queue, call, settled } = setup(1000);
    const [first, second] = [call(), call()];
    queue.push(first);
    queue.push(second);
    first.future.cancel();
    expect(await cancelled(first)).toBe(true);
    expect(queue.size).toBe(1);
    expect(queue.take()).toBe(second);
    expect(s.asked).toEqual([]);
    expect(settled()).toBe(1);
  });

  it('ends a sent call its worker will never start at once, and leaves it in the line for its skip', async () => {
    const { s, call, slotWith } = setup(1000, { withdraw: 'never' });
    const [head, behind] = [call(), call()];
    const slot = slotWith([head, behind]);
    behind.future.cancel();
    expect(await cancelled(behind)).toBe(true);
    expect(s.asked).toEqual([`withdraw ${behind.id}`]);
    expect(slot.sent).toEqual([head, behind]);
    expect(head.future.done()).toBe(false);
  });

  it('asks a running call to stop, and stops it by force only after the grace period', async () => {
    jest.useFakeTimers();
    try {
      const { s, forced, call, slotWith } = setup(1000, { withdraw: 'running' });
      const running = call();
      const slot = slotWith([running]);
      running.future.cancel();
      expect(s.asked).toEqual([`withdraw ${running.id}`, `ask ${running.id}`]);
      expect(running.future.done()).toBe(false); // it settles when the call has stopped
      jest.advanceTimersByTime(999);
      expect(forced).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(s.asked.at(-1)).toBe(`force ${running.id}`);
      expect(forced).toEqual([slot]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('stops a running call by force at once with cancelGrace 0', () => {
    const { s, forced, call, slotWith } = setup(0, { withdraw: 'running' });
    const running = call();
    const slot = slotWith([running]);
    running.future.cancel();
    expect(s.asked).toEqual([`withdraw ${running.id}`, `force ${running.id}`]);
    expect(forced).toEqual([slot]);
  });

  it('ends a call that finished while it was being asked as cancelled, and forces nothing', async () => {
    jest.useFakeTimers();
    try {
      const { forced, call, slotWith, settled } = setup(1000, { withdraw: 'running', stillRuns: false });
      const running = call();
      slotWith([running]);
      running.future.cancel();
      jest.advanceTimersByTime(2000);
      expect(forced).toEqual([]);
      expect(settled()).toBe(1);
      jest.useRealTimers();
      expect(await cancelled(running)).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('CallStopping.cancelPending', () => {
  it('cancels the queued calls and the ones behind each head, never a head', async () => {
    const { queue, call, slotWith, stopping } = setup(1000, { withdraw: 'never' });
    const [head, behind, queued] = [call(), call(), call()];
    slotWith([head, behind]);
    queue.push(queued);
    stopping.cancelPending('closing');
    expect(await cancelled(behind)).toBe(true);
    expect(await cancelled(queued)).toBe(true);
    expect(head.future.done()).toBe(false);
    expect(queue.size).toBe(0);
  });

  it('leaves a call behind the head that its worker started meanwhile', () => {
    const { call, slotWith, stopping } = setup(1000, { withdraw: 'running' });
    const [head, behind] = [call(), call()];
    slotWith([head, behind]);
    stopping.cancelPending('closing');
    expect(behind.future.done()).toBe(false);
  });
});

describe('CallStopping.lateHead', () => {
  it('forces a call withdrawn too late (asked) if it heads the line after the grace period', () => {
    jest.useFakeTimers();
    try {
      const { s, forced, call, slotWith, stopping } = setup(1000, { withdraw: 'asked' });
      const [head, late] = [call(), call()];
      const slot = slotWith([head, late]);
      late.future.cancel();
      expect(late.future.done()).toBe(true);
      slot.sent.shift(); // the head answered: the withdrawn call heads the line
      stopping.lateHead(slot, late);
      jest.advanceTimersByTime(1000);
      expect(s.asked.at(-1)).toBe(`force ${late.id}`);
      expect(forced).toEqual([slot]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('forces nothing when the worker dropped the call in time (it left the line)', () => {
    jest.useFakeTimers();
    try {
      const { forced, call, slotWith, stopping } = setup(1000, { withdraw: 'asked' });
      const [head, late] = [call(), call()];
      const slot = slotWith([head, late]);
      late.future.cancel();
      slot.sent.shift();
      stopping.lateHead(slot, late);
      slot.sent.shift(); // its skip arrived
      jest.advanceTimersByTime(1000);
      expect(forced).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });
});
