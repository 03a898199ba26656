/**
 * The pool engine: the life of a pool call, written once for every kind of worker. It owns
 * the queue, the call states, answers, close() and statistics(). Each kind of worker is a
 * {@link Link} beneath it (`../links/thread/`, `../links/process/`), which reaches back only
 * through its events and an {@link EngineAccess} (`./engine-access.ts`: what a caller
 * blocked in `resultSync` needs). Beside it, each a concept of its own: dispatching (the
 * pump, picking a worker, batches, starting workers, pipelining) `./dispatcher.ts`;
 * cancellation (ask, grace, force)
 * `./call-stopping.ts`; what a lost worker's calls become (and when workers that cannot
 * start fail the queue) `./worker-loss.ts`; stream calls `./stream-calls.ts`; idle workers'
 * timers `./idle-workers.ts`; the questions asked of the set of workers when dispatching
 * (which one takes a call, places, starting) `./worker-set.ts`. Design: docs/engine.md.
 *
 * The promises it keeps, for every link:
 * - calls start in submission order (FIFO); a call a worker gave back unstarted goes first;
 * - a call runs at most once: a call goes to another worker only when its link says the
 *   first one never started it ({@link LinkExit.started}, {@link Link.reclaim});
 * - a call that only shared a worker with a cancelled or crashed one never fails;
 * - cancelling a call that has finished changes nothing;
 * - the Unfuture of a running call that is cancelled settles once the call has stopped.
 */
import { InvalidStateError } from '../../core/errors';
import { QueueFull } from '../../core/primitive-errors';
import type { ExecutorKind, Unfuture } from '../../core/future';
import { assertOptions } from '../../core/validate';
import type { CloseOptions, ExecutorState, ExecutorStatistics, StreamOptions, SubmitOptions } from '../executor';
import type { UnsyncStream } from '../unsync-stream';
import type { CallRef } from '../protocol';
import { ExecutorCounters } from '../statistics';
import { CallQueue } from './call-queue';
import { CallStopping } from './call-stopping';
import { Dispatcher } from './dispatcher';
import { DrainWaiter } from './drain-waiter';
import { EngineAccess } from './engine-access';
import { IdleWorkers } from './idle-workers';
import type { Link, LinkAnswer, LinkEvents, LinkExit, Slot } from './link';
import { PoolCall, callerSite, validateSubmit } from './pool-call';
import { recordsCallerStack } from './pool-options';
import { deliverItems, openStream } from './stream-calls';
import { WorkerLoss } from './worker-loss';
import { WorkerSet } from './worker-set';

/** What the engine needs to know of the pool's options. */
export interface EngineSettings {
  readonly kind: Exclude<ExecutorKind, 'loop'>;
  readonly maxWorkers: number;
  /** Workers kept started even without calls (0: the link keeps its own warm workers). */
  readonly minWorkers: number;
  /** Calls a worker runs before it is retired (Infinity: no limit). */
  readonly maxTasksPerWorker: number;
  readonly cancelGrace: number;
  readonly callerStacks: boolean | 'auto';
  /** Most calls waiting for a worker (Infinity: unbounded); see `ThreadPoolOptions.maxQueue`. */
  readonly maxQueue: number;
}

/**
 * One pool: calls, queue and workers. The executors (`../thread-executor.ts`,
 * `../process-executor.ts`) are an engine and a link; the link reaches back through its
 * events and the {@link EngineAccess} it is made with.
 */
export class PoolEngine<H> {
  readonly kind: Exclude<ExecutorKind, 'loop'>;
  readonly settings: EngineSettings;
  readonly counters = new ExecutorCounters();
  // Invariant: moves only open -> closing -> closed; submit() is refused unless open.
  #state: ExecutorState = 'open';
  readonly #queue = new CallQueue<PoolCall>();
  // Invariant: every worker not reported gone (leaving ones included), in start order. An
  // array, not a Set: the dispatcher walks it for every call, and a Set's iterator is an
  // allocation each time.
  readonly #slots: Slot<H>[] = [];
  // Reads #slots for the dispatcher (./worker-set.ts).
  readonly #workers: WorkerSet<H>;
  readonly #link: Link<H>;
  readonly #idleWorkers: IdleWorkers<H>;
  readonly #loss: WorkerLoss<H>;
  readonly #stopping: CallStopping<H>;
  // The pump, starting workers, sending calls (./dispatcher.ts).
  readonly #dispatch: Dispatcher<H>;
  #closed: Promise<void> | undefined = undefined;
  readonly #drained = new DrainWaiter(() => this.#queue.size > 0 || this.#workers.anyBusy());
  readonly #allGone = new DrainWaiter(() => this.#slots.length > 0);
  readonly #cancelHook = (call: PoolCall): void => this.#stopping.cancel(call);

  /** `makeLink` makes the link beneath, given how it reports here and what it may do here. */
  constructor(settings: EngineSettings, makeLink: (events: LinkEvents<H>, engine: EngineAccess<H>) => Link<H>) {
    this.kind = settings.kind;
    this.settings = settings;
    const events: LinkEvents<H> = {
      ready: (slot) => this.#ready(slot),
      answer: (slot, message) => this.answer(slot, message),
      progress: (slot, id, value) => slot.sent[slot.lineIndex(id)]?.progress(value),
      items: deliverItems,
      gone: (slot, exit) => this.#gone(slot, exit),
      killedForCancel: () => this.counters.terminatedForCancel++,
    };
    const access = new EngineAccess<H>({
      slots: this.#slots,
      queue: this.#queue,
      counters: this.counters,
      spawn: () => this.#dispatch.spawn(),
      sendNow: (call, slot) => this.#dispatch.sendNow(call, slot),
      retire: (slot) => this.#leave(slot, 'retire'),
      schedulePump: () => this.#dispatch.schedulePump(),
      lineChanged: (slot, index) => this.#lineChanged(slot, index),
    });
    this.#link = makeLink(events, access);
    this.#workers = new WorkerSet<H>(this.#slots, this.#link, settings);
    this.#loss = new WorkerLoss<H>({ queue: this.#queue, counters: this.counters, link: this.#link, anyReady: () => this.#workers.anyReady() });
    this.#stopping = new CallStopping<H>({
      queue: this.#queue,
      counters: this.counters,
      link: this.#link,
      slots: this.#slots,
      cancelGrace: settings.cancelGrace,
      settled: () => this.#drained.check(),
      forced: (slot) => {
        slot.leaving = true;
        this.#idleWorkers.stop(slot);
        this.#reclaim(slot);
      },
    });
    this.#idleWorkers = new IdleWorkers<H>(this.#link, settings.maxTasksPerWorker, () => this.#workers.places(), (slot) => this.#leave(slot, 'retire'));
    this.#dispatch = new Dispatcher<H>({
      queue: this.#queue,
      slots: this.#slots,
      workers: this.#workers,
      link: this.#link,
      limits: settings,
      counters: this.counters,
      stopping: this.#stopping,
      open: () => this.#state === 'open',
      settled: () => this.#drained.check(),
    });
  }

  get state(): ExecutorState {
    return this.#state;
  }

  /** Run `ref` with `args` on a worker; `submit` is the executor's method (for caller stacks). */
  submit<T>(ref: CallRef, args: readonly unknown[], options: SubmitOptions | undefined, submit: Function, prepare?: (call: PoolCall) => void): Unfuture<T> {
    // A call that will wait (calls are queued already) records the caller's stack before
    // anything else: the same frames, for about a third less (see callerSite). A call that
    // may leave at once records it after it left, overlapping the worker's run. Under 'auto'
    // a call that joins a long queue records none (CALLER_STACKS_BACKLOG).
    const waiting = this.#queue.size;
    const stacks = recordsCallerStack(this.settings.callerStacks, waiting);
    const site = stacks && waiting > 0 ? callerSite(submit) : undefined;
    validateSubmit(ref, args, options);
    if (this.#state !== 'open') throw new InvalidStateError(`the ${this.kind} executor is ${this.#state}; a new one is made after shutdown()`);
    const call = new PoolCall<T>(this.kind, ref, args, options, this.#cancelHook);
    prepare?.(call as PoolCall);
    // A call that finds nothing waiting and a worker idle leaves at once, so the round trip
    // starts before the caller's stack is recorded; the others wait for the microtask pump,
    // which sends each worker its share of them as one batch.
    const idle = this.#queue.size === 0 ? (this.#workers.idle() ?? this.#dispatch.spawnForNow()) : undefined;
    if (idle !== undefined) this.#dispatch.sendNow(call as PoolCall, idle);
    else if (this.settings.maxQueue !== Infinity && this.#waiting() >= this.settings.maxQueue) {
      const max = this.settings.maxQueue;
      call.fail(new QueueFull(`the ${this.kind} pool refused a call to \`${ref.name}\`: ${max} call${max === 1 ? '' : 's'} already wait for a worker (maxQueue: ${max})`), this.counters);
    } else {
      this.#queue.push(call as PoolCall);
      this.#dispatch.spawnAsNeeded();
      this.#dispatch.schedulePump();
    }
    call.submitted(submit, stacks, site);
    return call.future;
  }

  /**
   * Run the generator function `ref` names on a worker, as a stream: its values arrive as
   * it yields them, at most `highWaterMark` ahead of the consumer (docs/engine.md, "Streams
   * from generator functions"). Everything else is an ordinary call.
   */
  stream<T>(ref: CallRef, args: readonly unknown[], options: StreamOptions | undefined, submit: Function): UnsyncStream<T> {
    return openStream<T, H>(this.kind, this.#link, options, (rest, prepare) => this.submit<unknown>(ref, args, rest, submit, prepare));
  }

  /**
   * Stop accepting calls, let the submitted ones finish (or cancel the ones not started
   * with `cancelPending`, every one with `force`), then let the workers go. Idempotent; a
   * later call with `force` still cancels what is left.
   */
  close(options?: CloseOptions): Promise<void> {
    assertOptions('options', options, ['force', 'cancelPending']);
    const message = `the ${this.kind} executor was closed`;
    if (options?.force || options?.cancelPending) this.#stopping.cancelPending(message);
    if (options?.force) {
      for (const slot of [...this.#slots]) for (const call of [...slot.sent]) call.future.cancel(message);
    }
    if (this.#closed === undefined) {
      if (this.#state === 'open') this.#state = 'closing';
      this.#closed = this.#drained.wait().then(async () => {
        for (const slot of [...this.#slots]) this.#leave(slot, this.#link.accepting(slot) ? 'retire' : 'kill');
        await this.#allGone.wait();
        await this.#link.close();
        this.#state = 'closed';
      });
    }
    return this.#closed;
  }

  /**
   * Have a worker ready for a call: true when one is idle and ready now, so that a call
   * submitted now starts at once. Otherwise false, after starting one (when the pool is open,
   * nothing is queued, no worker is starting and maxWorkers leaves room) for a later call to
   * find ready; not while the last worker started died before it was ready.
   * A thread session takes calls as soon as it exists (piscina starts a thread for it), so on
   * the thread pool "ready" means taking calls, not necessarily warm.
   */
  warmUp(): boolean {
    if (this.#state !== 'open' || this.#queue.size > 0) return false;
    if (this.#workers.idle() !== undefined) return true;
    if (this.#workers.starting() > 0 || this.#workers.places() >= this.settings.maxWorkers) return false;
    // The last worker died before it was ready (a bad execArgv, a protocol mismatch, or it was
    // killed): a call starts one when it must; a warm-up does not try again until one is ready.
    if (this.#loss.lastStartFailed) return false;
    const slot = this.#dispatch.spawn();
    return this.#workers.canTake(slot);
  }

  /**
   * A plain frozen snapshot. `running` counts the call at the head of each worker (running
   * or about to); calls behind it in the worker's line count as queued.
   */
  statistics(): ExecutorStatistics {
    let running = 0;
    for (const slot of this.#slots) if (slot.sent.some((call) => call.state !== 'done')) running++;
    return this.counters.snapshot(this.kind, this.#state, { workers: this.#workers.places(), queued: this.#waiting(), running });
  }

  /** Calls waiting for a worker: queued here, or sent behind the call a worker runs. */
  #waiting(): number {
    let waiting = this.#queue.size;
    for (const slot of this.#slots) {
      let live = 0;
      for (const call of slot.sent) if (call.state !== 'done') live++;
      if (live > 1) waiting += live - 1;
    }
    return waiting;
  }

  /** Deliver a worker's answer (the link's `answer` event, also from a blocked caller's poll). */
  answer(slot: Slot<H>, message: LinkAnswer): void {
    const sent = slot.sent;
    // Answers come in send order; a call withdrawn or taken back is looked up.
    const index = slot.lineIndex(message.id);
    if (index < 0) return;
    const call = sent[index]!;
    if (index === 0) sent.shift(); // (no array made, unlike splice)
    else sent.splice(index, 1);
    if (message.type === 'skipped' || index > 0) {
      // Never started: withdrawn (already settled), or an answer ahead of its turn, which
      // only a call the worker dropped unstarted gets.
      call.settleStopped(this.counters);
    } else {
      // A call asked to stop ends cancelled whatever it answered (settleOutcome).
      if (!call.stopRequested) this.#dispatch.measuredRun(message.endedAt - message.startedAt);
      call.settleOutcome(message, this.counters);
    }
    this.#lineChanged(slot, index);
    this.#dispatch.pumpAfterAnswers();
    this.#drained.check();
  }

  /** The call at `index` of `slot`'s line left it (-1: it was not there). */
  #lineChanged(slot: Slot<H>, index: number): void {
    if (index === 0) this.#dispatch.becameHead(slot);
    if (slot.sent.length === 0) this.#idle(slot);
  }

  // ---- what workers say --------------------------------------------------------------------

  #ready(slot: Slot<H>): void {
    slot.everReady = true;
    this.#loss.ready();
    // A blocked resultSync may have sent a call before 'ready' was read.
    this.#link.setBusy(slot, slot.sent.length > 0);
    this.#dispatch.pump();
    if (slot.sent.length === 0) this.#idle(slot);
  }

  /** The worker is gone: settle what it started, send the rest elsewhere. */
  #gone(slot: Slot<H>, exit: LinkExit): void {
    if (slot.gone) return;
    slot.gone = true;
    slot.leaving = true;
    this.#slots.splice(this.#slots.indexOf(slot), 1);
    this.#idleWorkers.stop(slot);
    this.#loss.gone(slot, exit);
    this.#dispatch.pump();
    this.#drained.check();
    this.#allGone.check();
  }

  // ---- workers leaving ---------------------------------------------------------------------

  /** Nothing more goes to `slot`; calls its worker has not started go elsewhere, then it goes. */
  #leave(slot: Slot<H>, how: 'retire' | 'kill'): void {
    if (slot.leaving) return;
    slot.leaving = true;
    this.#idleWorkers.stop(slot);
    this.#reclaim(slot);
    if (how === 'retire') this.#link.retire(slot);
    else this.#link.kill(slot);
  }

  /** Take back from a leaving `slot` every call its link can claim unstarted, ahead of newer calls. */
  #reclaim(slot: Slot<H>): void {
    if (this.#loss.reclaim(slot)) this.#dispatch.schedulePump();
    this.#drained.check();
  }

  // ---- idle workers ------------------------------------------------------------------------

  #idle(slot: Slot<H>): void {
    this.#link.setBusy(slot, false);
    if (!slot.leaving) this.#idleWorkers.idle(slot);
  }
}

