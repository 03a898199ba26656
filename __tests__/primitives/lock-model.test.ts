/**
 * Model-based property tests for Lock and Semaphore: random acquire/release/cancel
 * sequences checked step by step against a counter-and-FIFO model (synchronously: a
 * waiter's future settles synchronously when woken or cancelled).
 */
import fc from 'fast-check';
import { Lock, Semaphore, type Guard, type Unfuture } from '../../src';

type Command =
  | { op: 'acquire'; signal: boolean }
  | { op: 'release'; pick: number }
  | { op: 'cancel'; pick: number; viaSignal: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('acquire' as const), signal: fc.boolean() }),
  fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(), viaSignal: fc.boolean() }),
);

interface Op {
  future: Unfuture<Guard>;
  controller: AbortController | undefined;
}

/**
 * One model for both: a Lock is a semaphore with one permit. `value` free permits, the
 * holders (fulfilled acquires not released yet) and the FIFO of parked acquires.
 */
function runModel(
  primitive: { acquire(o?: { signal?: AbortSignal }): Unfuture<Guard>; statistics(): object; locked(): boolean },
  permits: number,
  free: () => number,
  commands: Command[],
): void {
  let value = permits;
  const holders: Op[] = [];
  const waiters: Op[] = [];
  const cancelled: Op[] = [];
  for (const cmd of commands) {
    if (cmd.op === 'acquire') {
      const controller = cmd.signal ? new AbortController() : undefined;
      const op = { future: primitive.acquire(controller && { signal: controller.signal }), controller };
      if (value > 0) {
        value--;
        holders.push(op);
      } else waiters.push(op);
    } else if (cmd.op === 'release') {
      if (holders.length === 0) continue;
      const [holder] = holders.splice(cmd.pick % holders.length, 1);
      expect(holder!.future.result().release()).toBe(true);
      const next = waiters.shift();
      if (next !== undefined) holders.push(next);
      else value++;
    } else {
      if (waiters.length === 0) continue;
      const [victim] = waiters.splice(cmd.pick % waiters.length, 1);
      if (cmd.viaSignal && victim!.controller) victim!.controller.abort();
      else expect(victim!.future.cancel()).toBe(true);
      cancelled.push(victim!);
    }
    // Step invariants.
    expect(value).toBeGreaterThanOrEqual(0);
    expect(free()).toBe(value);
    expect(primitive.locked()).toBe(value === 0);
    expect(primitive.statistics()).toMatchObject({ waiters: waiters.length });
    if (value > 0) expect(waiters).toHaveLength(0); // nobody stranded while a permit is free
    expect(holders.length + value).toBe(permits);
    for (const op of holders) expect(op.future.state).toBe('fulfilled');
    for (const op of waiters) expect(op.future.state).toBe('pending');
    for (const op of cancelled) expect(op.future.state).toBe('cancelled');
  }
  // Releasing every holder drains every waiter: nobody is left parked forever.
  while (holders.length > 0) {
    holders.shift()!.future.result().release();
    const next = waiters.shift();
    if (next !== undefined) {
      expect(next.future.state).toBe('fulfilled');
      holders.push(next);
    }
  }
  // Only a zero-permit semaphore can still have waiters; cancelling them leaves no trace.
  if (permits > 0) expect(waiters).toHaveLength(0);
  for (const op of waiters) expect(op.future.cancel()).toBe(true);
  expect(primitive.statistics()).toMatchObject({ waiters: 0 });
  expect(free()).toBe(permits);
}

describe('Lock against its model', () => {
  it('keeps one holder, FIFO hand-off and no stranded waiter under random acquire/release/cancel', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const lock = new Lock();
        runModel(lock, 1, () => (lock.locked() ? 0 : 1), commands);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Semaphore against its model', () => {
  it('never lets the counter go negative or strand a waiter under random acquire/release/cancel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(command, { maxLength: 40 }), (permits, commands) => {
        const sem = new Semaphore(permits);
        runModel(sem, permits, () => sem.statistics().value, commands);
      }),
      { numRuns: 1000 },
    );
  });
});
