/**
 * The worker set's dispatch questions, over slots the test arranges: which worker takes the
 * next call, and how places and starting workers are counted. The engine's use of them is
 * covered by pool-engine.test.ts and the contract suite.
 */
import { Slot, type Link } from '../../../src/executors/engine/link';
import { WorkerSet } from '../../../src/executors/engine/worker-set';
import type { PoolCall } from '../../../src/executors/engine/pool-call';

/** What a slot's worker says of itself, as a link would report it. */
interface Worker {
  accepting: boolean;
  starting: boolean;
}

/** The three things the worker set asks a link; the rest of the interface is never called. */
function linkOf(leavingHoldsPlace: boolean): Link<Worker> {
  const asked: Pick<Link<Worker>, 'accepting' | 'starting' | 'leavingHoldsPlace'> = {
    accepting: (slot) => slot.handle.accepting,
    starting: (slot) => slot.handle.starting,
    leavingHoldsPlace,
  };
  return asked as Link<Worker>;
}

/** The engine's side: the slots it owns, and the worker set that reads them. */
const owned = new WeakMap<WorkerSet<Worker>, Slot<Worker>[]>();

function setOf(options: { maxWorkers: number; maxTasksPerWorker?: number; leavingHoldsPlace?: boolean }): WorkerSet<Worker> {
  const slots: Slot<Worker>[] = [];
  const set = new WorkerSet<Worker>(slots, linkOf(options.leavingHoldsPlace ?? false), { maxWorkers: options.maxWorkers, maxTasksPerWorker: options.maxTasksPerWorker ?? Infinity });
  owned.set(set, slots);
  return set;
}

/** Add a worker holding `load` calls (as the engine does when it starts one). */
function add(set: WorkerSet<Worker>, load: number, worker: Partial<Worker> = {}): Slot<Worker> {
  const slot = new Slot<Worker>();
  slot.handle = { accepting: true, starting: false, ...worker };
  for (let i = 0; i < load; i++) slot.sent.push({ id: i } as PoolCall);
  owned.get(set)!.push(slot);
  return slot;
}

describe('WorkerSet', () => {
  it('picks an idle worker first, whatever the depth', () => {
    const set = setOf({ maxWorkers: 2 });
    add(set, 3);
    const idle = add(set, 0);
    expect(set.pick(() => 1)).toBe(idle);
    expect(set.idle()).toBe(idle);
  });

  it('picks no busy worker while a place is free or a worker is starting: the engine starts one instead', () => {
    const set = setOf({ maxWorkers: 3 });
    add(set, 1);
    add(set, 2);
    expect(set.pick(() => 8)).toBeUndefined();
    add(set, 0, { accepting: false, starting: true });
    expect(set.places()).toBe(3);
    expect(set.starting()).toBe(1);
    expect(set.pick(() => 8)).toBeUndefined();
  });

  it('once every place is taken, picks the least busy worker under the depth, and none at the depth', () => {
    const set = setOf({ maxWorkers: 2 });
    add(set, 3);
    const lighter = add(set, 1);
    expect(set.pick(() => 2)).toBe(lighter);
    lighter.outbox.push({ id: 9 } as PoolCall);
    expect(set.pick(() => 2)).toBeUndefined();
    expect(set.pick(() => 4)).toBe(lighter);
  });

  it('asks for the depth only when it must choose among busy workers', () => {
    const set = setOf({ maxWorkers: 2 });
    add(set, 1);
    const depth = jest.fn(() => 4);
    expect(set.pick(depth)).toBeUndefined(); // a place is free
    add(set, 0);
    set.pick(depth); // an idle worker
    expect(depth).not.toHaveBeenCalled();
  });

  it('takes no call on a leaving, unreachable or not accepting worker, nor past maxTasksPerWorker', () => {
    const set = setOf({ maxWorkers: 4, maxTasksPerWorker: 2 });
    const leaving = add(set, 0);
    leaving.leaving = true;
    const unreachable = add(set, 0);
    unreachable.unreachable = true;
    add(set, 0, { accepting: false });
    const spent = add(set, 0);
    spent.total = 2;
    for (const slot of set.slots) expect(set.canTake(slot)).toBe(false);
    expect(set.idle()).toBeUndefined();
    expect(set.anyReady()).toBe(true); // `spent` accepts calls, it has only run its share
    expect(set.anyBusy()).toBe(false);
  });

  it('counts a leaving worker against maxWorkers only when its link says it holds its place', () => {
    for (const holds of [false, true]) {
      const set = setOf({ maxWorkers: 2, leavingHoldsPlace: holds });
      add(set, 1).leaving = true;
      add(set, 1);
      expect(set.places()).toBe(holds ? 2 : 1);
      expect(set.anyBusy()).toBe(true);
    }
  });
});
