/**
 * The pool engine's dispatching: handing waiting calls to workers. The pump takes calls from
 * the queue in submission order and gives each to the worker the worker set picks
 * (`./worker-set.ts`), each worker's share as one batch, starting workers as the queue
 * needs them; a call sent to a worker joins that worker's line, whose head runs while the
 * calls behind it are pipelined as deep as the calls' mean run time allows (the link's
 * {@link Link.depth}). Part of the pool engine (`./pool-engine.ts`), which owns the queue,
 * the slots and the pool's state, and calls it when a call is submitted, when answers
 * arrive and when workers come and go.
 */
import type { ExecutorCounters } from '../statistics';
import type { CallQueue } from './call-queue';
import type { CallStopping } from './call-stopping';
import { Slot, type Link } from './link';
import type { PoolCall } from './pool-call';
import type { WorkerSet } from './worker-set';

/** Answers measured before the mean run time tells the link how deep to pipeline (see Link.depth). */
const MEASURED_RUNS = 8;

/** What the dispatcher needs to know of the pool's options. */
export interface DispatchLimits {
  readonly maxWorkers: number;
  /** Workers kept started even without calls (0: the link keeps its own warm workers). */
  readonly minWorkers: number;
}

/** The parts of the engine dispatching reads and changes. */
export interface DispatcherParts<H> {
  readonly queue: CallQueue<PoolCall>;
  /** The engine's slots: the dispatcher adds the workers it starts. */
  readonly slots: Slot<H>[];
  readonly workers: WorkerSet<H>;
  readonly link: Link<H>;
  readonly limits: DispatchLimits;
  readonly counters: ExecutorCounters;
  readonly stopping: CallStopping<H>;
  /** Whether the pool is open (workers are kept up to minWorkers only then). */
  open(): boolean;
  /** A call that could not be sent was failed: the engine checks whether it has drained. */
  settled(): void;
}

/** One pool's dispatcher: the pump, starting workers, sending calls, pipeline depth. */
export class Dispatcher<H> {
  readonly #queue: CallQueue<PoolCall>;
  readonly #slots: Slot<H>[];
  readonly #workers: WorkerSet<H>;
  readonly #link: Link<H>;
  readonly #limits: DispatchLimits;
  readonly #counters: ExecutorCounters;
  readonly #stopping: CallStopping<H>;
  readonly #open: () => boolean;
  readonly #settled: () => void;
  // Moving mean of run time (ms), for the link's pipeline depth; `#measuredRuns` answers made it.
  #meanRun = 0;
  #measuredRuns = 0;
  #pumpScheduled = false;
  #pumpImmediate: NodeJS.Immediate | undefined = undefined;
  readonly #pumpTask = (): void => {
    this.#pumpScheduled = false;
    this.pump();
  };
  readonly #pumpImmediateTask = (): void => {
    this.#pumpImmediate = undefined;
    this.pump();
  };

  constructor(parts: DispatcherParts<H>) {
    this.#queue = parts.queue;
    this.#slots = parts.slots;
    this.#workers = parts.workers;
    this.#link = parts.link;
    this.#limits = parts.limits;
    this.#counters = parts.counters;
    this.#stopping = parts.stopping;
    this.#open = parts.open;
    this.#settled = parts.settled;
  }

  /** A call that was not asked to stop ran for `runMs` (its worker's clock): the mean moves. */
  measuredRun(runMs: number): void {
    this.#meanRun += (runMs - this.#meanRun) / 8;
    this.#measuredRuns++;
  }

  /** Pump on a later microtask (once, however often it is asked before then). */
  schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(this.#pumpTask);
  }

  /**
   * Pump once the answers that arrived together have all been read: workers' answers are
   * read one event each (a thread's port, a child's channel), and a pump after each would
   * send every freed place its own message. In the check phase, right after the poll phase
   * that read them, the places they freed are filled with one batch per worker.
   */
  pumpAfterAnswers(): void {
    if (this.#pumpImmediate !== undefined) return;
    this.#pumpImmediate = setImmediate(this.#pumpImmediateTask);
  }

  /** Hand waiting calls to workers, each worker's share as one batch; start workers as needed. */
  pump(): void {
    const touched: Slot<H>[] = [];
    for (;;) {
      while (this.#queue.size > 0) {
        const slot = this.#workers.pick(this.#depth);
        if (slot === undefined) break;
        const call = this.#queue.take();
        if (call === undefined) break;
        if (slot.outbox.push(call) === 1) touched.push(slot);
      }
      // Workers that take calls as soon as they start (threads) get the rest now.
      if (this.#queue.size === 0 || this.spawnAsNeeded() === 0) break;
    }
    for (const slot of touched) this.#flush(slot);
  }

  /** The link's pipeline depth for the pool's calls as measured so far (see Link.depth). */
  readonly #depth = (): number =>
    this.#meanRun > this.#link.pipelineMaxRunMs ? 1 : this.#link.depth(this.#measuredRuns >= MEASURED_RUNS ? this.#meanRun : undefined);

  /**
   * With nothing queued, nothing starting and room for a worker: start one, and return it
   * if it takes calls at once (a thread session), so the call leaves now.
   */
  spawnForNow(): Slot<H> | undefined {
    if (this.#workers.places() >= this.#limits.maxWorkers || this.#workers.starting() > 0) return undefined;
    const slot = this.spawn();
    return this.#link.accepting(slot) ? slot : undefined;
  }

  /** Start workers for the calls that wait (and up to minWorkers); returns how many can take calls at once. */
  spawnAsNeeded(): number {
    const s = this.#limits;
    let places = this.#workers.places();
    if (places >= s.maxWorkers) return 0;
    let starting = this.#workers.starting();
    let acceptingNow = 0;
    while (places < s.maxWorkers && (this.#queue.size > starting + acceptingNow || (this.#open() && places < s.minWorkers))) {
      const slot = this.spawn();
      places++;
      if (this.#link.accepting(slot)) acceptingNow++;
      else starting++;
    }
    return acceptingNow;
  }

  /** Start a worker now, whatever the queue says. */
  spawn(): Slot<H> {
    const slot = new Slot<H>();
    this.#slots.push(slot);
    slot.handle = this.#link.start(slot);
    return slot;
  }

  /**
   * Send `call` (not queued, not sent) to `slot` now. False when it did not leave: it failed
   * to clone (and is failed) or the worker is unreachable (it is queued again).
   */
  sendNow(call: PoolCall, slot: Slot<H>): boolean {
    try {
      if (!this.#link.send(slot, [call])) {
        slot.unreachable = true;
        this.#queue.giveBack(call);
        this.schedulePump();
        return false;
      }
    } catch (error) {
      call.fail(this.#link.sendError(call, error), this.#counters);
      this.#settled();
      return false;
    }
    this.#sent(slot, [call]);
    return true;
  }

  /** Send the calls #pump picked for `slot`: one batch, or one by one if a value will not clone. */
  #flush(slot: Slot<H>): void {
    const calls = slot.outbox;
    slot.outbox = [];
    if (calls.length === 1) {
      this.sendNow(calls[0]!, slot);
      return;
    }
    let sent: boolean;
    try {
      sent = this.#link.send(slot, calls);
    } catch {
      for (const call of calls) this.sendNow(call, slot); // finds and fails the call that cannot clone
      return;
    }
    if (!sent) {
      slot.unreachable = true;
      for (const call of calls) this.#queue.giveBack(call);
      this.schedulePump();
      return;
    }
    this.#sent(slot, calls);
  }

  /** `calls` left for `slot`'s worker, in order. */
  #sent(slot: Slot<H>, calls: readonly PoolCall[]): void {
    const wasIdle = slot.sent.length === 0;
    for (const call of calls) {
      call.markSent(slot);
      slot.sent.push(call);
    }
    slot.total += calls.length;
    if (wasIdle) {
      this.#link.setBusy(slot, true);
      this.becameHead(slot);
    }
  }

  /** `slot`'s first call changed: it runs now (or, withdrawn too late, must be stopped). */
  becameHead(slot: Slot<H>): void {
    const head = slot.sent[0];
    if (head === undefined) return;
    if (head.state === 'sent') {
      head.markRunning();
      return;
    }
    // Withdrawn while it waited, but the worker may not have dropped it in time.
    if (head.state === 'done') this.#stopping.lateHead(slot, head);
  }
}
