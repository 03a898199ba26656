/**
 * Model-based property tests: random put/get/putNowait/getNowait/cancel sequences on each
 * queue kind, checked step by step against a reference model. Everything here runs
 * synchronously: a waiter's future settles synchronously when it is woken or cancelled
 * (only its reactions are deferred), so `future.state` can be compared at every step.
 */
import fc from 'fast-check';
import { LifoQueue, PriorityQueue, Queue, isQueueEmpty, isQueueFull, type Unfuture } from '../../src';

type Item = [priority: number, id: number];
type Kind = 'fifo' | 'lifo' | 'priority';
type Command =
  | { op: 'put'; priority: number; signal: boolean }
  | { op: 'putNowait'; priority: number }
  | { op: 'get'; signal: boolean }
  | { op: 'getNowait' }
  | { op: 'cancel'; pick: number; viaSignal: boolean };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ op: fc.constant('put' as const), priority: fc.integer({ min: 0, max: 2 }), signal: fc.boolean() }),
  fc.record({ op: fc.constant('putNowait' as const), priority: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ op: fc.constant('get' as const), signal: fc.boolean() }),
  fc.record({ op: fc.constant('getNowait' as const) }),
  fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(), viaSignal: fc.boolean() }),
);

/** The reference: a plain array and the textbook order rule of each kind. */
class ModelStore {
  items: Item[] = [];
  constructor(readonly kind: Kind) {}
  take(): Item {
    if (this.kind === 'fifo') return this.items.shift()!;
    if (this.kind === 'lifo') return this.items.pop()!;
    let best = 0;
    for (let i = 1; i < this.items.length; i++) {
      const [p, id] = this.items[i]!;
      const [bp, bid] = this.items[best]!;
      if (p < bp || (p === bp && id < bid)) best = i;
    }
    return this.items.splice(best, 1)[0]!;
  }
}

interface PendingOp {
  kind: 'put' | 'get';
  future: Unfuture<unknown>;
  controller: AbortController | undefined;
  item?: Item;
}

function makeQueue(kind: Kind, maxsize: number): Queue<Item> {
  if (kind === 'fifo') return new Queue<Item>(maxsize);
  if (kind === 'lifo') return new LifoQueue<Item>(maxsize);
  return new PriorityQueue<Item>(maxsize);
}

function runModel(kind: Kind, maxsize: number, commands: Command[]): void {
  const queue = makeQueue(kind, maxsize);
  const model = new ModelStore(kind);
  const getters: PendingOp[] = [];
  const putters: PendingOp[] = [];
  const accepted = new Set<number>(); // ids of items that entered the queue
  const delivered: number[] = []; // ids handed to a getter
  const expectFulfilled = new Map<Unfuture<unknown>, Item | undefined>();
  const expectCancelled = new Set<Unfuture<unknown>>();
  let nextId = 0;
  const full = (): boolean => maxsize > 0 && model.items.length >= maxsize;

  const acceptPut = (item: Item): void => {
    accepted.add(item[1]);
    const getter = getters.shift();
    if (getter !== undefined) {
      expectFulfilled.set(getter.future, item);
      delivered.push(item[1]);
    } else model.items.push(item);
  };
  const takeForGet = (): Item => {
    const item = model.take();
    delivered.push(item[1]);
    const putter = putters.shift();
    if (putter !== undefined) {
      expectFulfilled.set(putter.future, undefined);
      accepted.add(putter.item![1]);
      model.items.push(putter.item!);
    }
    return item;
  };

  for (const cmd of commands) {
    switch (cmd.op) {
      case 'put':
      case 'putNowait': {
        const item: Item = [cmd.priority, nextId++];
        const canAccept = getters.length > 0 || !full();
        if (cmd.op === 'putNowait') {
          let threw: unknown;
          try {
            queue.putNowait(item);
          } catch (error) {
            threw = error;
          }
          expect(isQueueFull(threw)).toBe(!canAccept);
          if (canAccept) acceptPut(item);
          break;
        }
        const controller = cmd.signal ? new AbortController() : undefined;
        const future = queue.put(item, controller && { signal: controller.signal });
        if (canAccept) {
          acceptPut(item);
          expectFulfilled.set(future, undefined);
        } else putters.push({ kind: 'put', future, controller, item });
        break;
      }
      case 'get':
      case 'getNowait': {
        const available = model.items.length > 0;
        if (cmd.op === 'getNowait') {
          let got: Item | undefined;
          let threw: unknown;
          try {
            got = queue.getNowait();
          } catch (error) {
            threw = error;
          }
          expect(isQueueEmpty(threw)).toBe(!available);
          if (available) expect(got).toEqual(takeForGet());
          break;
        }
        const controller = cmd.signal ? new AbortController() : undefined;
        const future = queue.get(controller && { signal: controller.signal });
        if (available) expectFulfilled.set(future, takeForGet());
        else getters.push({ kind: 'get', future, controller });
        break;
      }
      case 'cancel': {
        const pending = [...getters, ...putters];
        if (pending.length === 0) break;
        const victim = pending[cmd.pick % pending.length]!;
        if (cmd.viaSignal && victim.controller) victim.controller.abort();
        else expect(victim.future.cancel()).toBe(true);
        const list = victim.kind === 'get' ? getters : putters;
        list.splice(list.indexOf(victim), 1);
        expectCancelled.add(victim.future);
        break;
      }
    }
    // Step invariants: sizes match, nobody is stranded, counters are sane.
    const stats = queue.statistics();
    expect(stats.size).toBe(model.items.length);
    expect(stats.getters).toBe(getters.length);
    expect(stats.putters).toBe(putters.length);
    expect(stats.unfinished).toBe(accepted.size);
    if (getters.length > 0) expect(model.items.length).toBe(0);
    if (putters.length > 0) expect(full()).toBe(true);
    for (const op of [...getters, ...putters]) expect(op.future.state).toBe('pending');
    for (const [future, value] of expectFulfilled) {
      expect(future.state).toBe('fulfilled');
      if (value !== undefined) expect(future.result()).toEqual(value);
    }
    for (const future of expectCancelled) expect(future.state).toBe('cancelled');
  }

  // Cancelling every waiter left leaves nothing behind.
  for (const op of [...putters, ...getters]) expect(op.future.cancel()).toBe(true);
  expect(queue.statistics()).toMatchObject({ getters: 0, putters: 0 });
  // Conservation: every accepted item was delivered exactly once or is still queued.
  while (!queue.empty()) delivered.push(queue.getNowait()[1]);
  expect(new Set(delivered).size).toBe(delivered.length);
  expect([...delivered].sort((a, b) => a - b)).toEqual([...accepted].sort((a, b) => a - b));
}

describe.each<Kind>(['fifo', 'lifo', 'priority'])('%s queue against its model', (kind) => {
  it('never loses or duplicates an item and never strands a waiter under random put/get/cancel', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(command, { maxLength: 40 }), (maxsize, commands) => {
        runModel(kind, maxsize, commands);
      }),
      { numRuns: 1000 },
    );
  });
});
