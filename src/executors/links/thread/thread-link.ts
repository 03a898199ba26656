/**
 * The thread link: worker threads beneath the pool engine. piscina owns the threads; each
 * of our workers is a piscina *session* — one long piscina task (../../worker/thread-entry.cjs)
 * that serves our protocol on a `MessagePort` transferred to it (docs/executors.md, "Thread
 * pool design"; sessions are made in ./piscina-sessions.ts, the one file importing piscina).
 *
 * What the link knows that the engine does not: each call sent to a thread has a claim cell
 * in shared memory. The thread claims it (sent -> started) before it starts the call; the
 * link claims it (sent -> cancelled) to withdraw the call, so exactly one side wins and
 * "never started" is a fact: withdrawing is exact ('never'), a leaving thread's unstarted
 * calls are reclaimed at once, and a dead thread's calls are sorted by their cells.
 *
 * What the threads say (answers, progress, items, their end) is read by ./thread-answers.ts.
 * It also serves a caller blocked in `resultSync` (./thread-sync-wait.ts): it owns the ports,
 * so it reads answers with `receiveMessageOnPort` without the event loop.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { InvalidStateError } from '../../../core/errors';
import { CloneError } from '../../../core/executor-errors';
import type { Unfuture } from '../../../core/future';
import { executorHooks } from '../../../core/hooks';
import type { EngineAccess } from '../../engine/engine-access';
import type { Link, LinkEvents, Slot, WithdrawResult } from '../../engine/link';
import type { PoolCall } from '../../engine/pool-call';
import type { ResolvedThreadPoolOptions, ThreadTuning } from '../../engine/pool-options';
import type { ThreadCallExtras } from '../../protocol';
import { THREAD_CALL_STRIDE } from '../../worker/wire.cjs';
import { argumentCloneError } from '../../serialization';
import { hasMoves, restoreTransfers, takeTransfers } from '../../worker/moves.cjs';
import { CANCELLED, CELLS, PiscinaSessions, SENT, Thread } from './piscina-sessions';
import { ThreadAnswers, ended, ran, type ThreadMessage } from './thread-answers';
import { registerSyncSource, unregisterSyncSource, type SyncSource } from './thread-sync-wait';

/**
 * Milliseconds without work after which a session ends (at most the pool's idleTimeout).
 * A live session is a running piscina task, which keeps the process alive; ending it lets
 * an idle pool un-ref while piscina keeps the worker warm. A new session on a warm worker
 * costs one piscina dispatch.
 */
export const SESSION_IDLE_MS = 250;

/**
 * Calls whose mean run time is above this (ms) are not pipelined. A call sent ahead waits
 * behind the running one even when another thread frees first; that costs nothing next to
 * the round trip it saves only while calls are tiny (a round trip is some tens of µs).
 */
export const PIPELINE_MAX_RUN_MS = 1;

/** Calls whose mean run time is under this (ms) are tiny: pipelined to `tinyPipelineDepth`. */
export const TINY_RUN_MS = 0.1;

type ThreadSlot = Slot<Thread>;

/** Worker threads (piscina sessions) beneath a pool engine. */
export class ThreadLink implements Link<Thread>, SyncSource {
  /** Shared with every thread: [0] callers blocked in resultSync, [1] answers posted while one was. */
  readonly signal = new Int32Array(new SharedArrayBuffer(8));
  /** A terminated session's worker is piscina's to replace: a new session may start at once. */
  readonly leavingHoldsPlace = false;
  readonly #options: ResolvedThreadPoolOptions;
  readonly #tuning: Required<ThreadTuning>;
  readonly #events: LinkEvents<Thread>;
  readonly #engine: EngineAccess<Thread>;
  // Reads what the threads say (./thread-answers.ts).
  readonly #answers: ThreadAnswers;
  #piscina: PiscinaSessions | undefined = undefined;
  // Pools superseded for a blocked caller (see #sendForSyncWait), destroyed when their sessions end.
  readonly #retired = new Set<PiscinaSessions>();
  #registered = false;

  constructor(events: LinkEvents<Thread>, engine: EngineAccess<Thread>, options: ResolvedThreadPoolOptions, tuning: Required<ThreadTuning>) {
    this.#events = events;
    this.#engine = engine;
    this.#answers = new ThreadAnswers(events);
    this.#options = options;
    this.#tuning = tuning;
  }


  // ---- Link ------------------------------------------------------------------------------

  start(slot: ThreadSlot): Thread {
    if (!this.#registered) {
      this.#registered = true;
      registerSyncSource(this);
    }
    if (this.#piscina === undefined || this.#piscina.destroyed) this.#piscina = this.#newPiscina();
    const thread = new Thread(this.#piscina, this.signal);
    const answers = this.#answers;
    thread.port.on('message', (message: ThreadMessage) => answers.deliver(slot, message));
    thread.session.then(
      () => answers.died(slot, thread, undefined, false),
      (error: unknown) => {
        if (slot.sent.length === 0 && !slot.leaving) executorHooks.onStrayWorkerError?.('thread', error);
        answers.died(slot, thread, error, false);
      },
    );
    return thread;
  }

  accepting(slot: ThreadSlot): boolean {
    return !slot.gone; // piscina queues a session until a worker takes it: calls may be sent at once
  }

  starting(): boolean {
    return false;
  }

  readonly pipelineMaxRunMs = PIPELINE_MAX_RUN_MS;

  /** Short calls are pipelined up to the tuned depth, calls known to be tiny deeper. */
  depth(meanRunMs: number | undefined): number {
    return meanRunMs !== undefined && meanRunMs < TINY_RUN_MS ? this.#tuning.tinyPipelineDepth : this.#tuning.pipelineDepth;
  }

  send(slot: ThreadSlot, calls: readonly PoolCall[]): boolean {
    const thread = slot.handle;
    // One flat message for a batch (ThreadCallBatch): it clones whole or not at all.
    const batch: (number | ThreadCallExtras | readonly unknown[])[] = new Array(calls.length * THREAD_CALL_STRIDE);
    for (let i = 0, at = 0; i < calls.length; i++, at += THREAD_CALL_STRIDE) {
      const call = calls[i]!;
      const fn = thread.functionEntry(call.ref);
      const cell = thread.nextCell();
      call.cell = cell;
      batch[at] = call.cpuTime || call.sink !== undefined ? callExtras(call, fn) : fn;
      batch[at + 1] = call.id;
      batch[at + 2] = cell;
      batch[at + 3] = call.args;
    }
    // Buffers and ports marked with move() go by transfer (the sender's copy is detached).
    const transfer = hasMoves() ? takeTransfers(calls.length === 1 ? calls[0]!.args : calls.flatMap((call) => call.args)) : undefined;
    try {
      thread.port.postMessage(batch, transfer);
    } catch (error) {
      restoreTransfers(transfer); // nothing was sent: the marks stay for the next send
      throw error;
    }
    return true;
  }

  withdraw(slot: ThreadSlot, call: PoolCall): WithdrawResult {
    const before = slot.handle.claim(call);
    if (before === SENT || before === CANCELLED) return 'never';
    return ended(before) ? 'ended' : 'running';
  }

  reclaim(slot: ThreadSlot, call: PoolCall): boolean {
    return !ran(slot.handle.claim(call));
  }

  sendError(call: PoolCall, error: unknown): Error {
    return argumentCloneError(call.ref.name, call.args) ?? new CloneError(`an argument of \`${call.ref.name}\` cannot be cloned: ${(error as Error)?.message}`, 'argument', { cause: error });
  }

  credit(slot: ThreadSlot, call: PoolCall, n: number): void {
    slot.handle.port.postMessage({ type: 'credit', id: call.id, n });
  }

  requestStop(slot: ThreadSlot, call: PoolCall): boolean {
    return !ended(slot.handle.requestStop(call));
  }

  forceStop(slot: ThreadSlot, call: PoolCall): boolean {
    if (call.state === 'done') return false;
    this.#events.killedForCancel();
    slot.handle.terminate();
    return true;
  }

  /**
   * End a session: closing our port resolves the piscina task and frees its worker. A
   * session no worker serves yet (still in piscina's queue) is aborted instead: it would
   * only see the closed port once a worker took it, and close() must not wait for that.
   */
  retire(slot: ThreadSlot): void {
    if (slot.handle.serving()) slot.handle.end();
    else slot.handle.terminate();
  }

  kill(slot: ThreadSlot): void {
    slot.handle.terminate();
  }

  setBusy(slot: ThreadSlot, busy: boolean): void {
    if (busy) slot.handle.port.ref();
    else slot.handle.port.unref();
  }

  /** A session ends after SESSION_IDLE_MS idle, whatever minWorkers says (piscina keeps its minThreads warm). */
  idleDelay(): number {
    return Math.min(SESSION_IDLE_MS, this.#options.idleTimeout);
  }

  async close(): Promise<void> {
    if (this.#registered) unregisterSyncSource(this);
    this.#registered = false;
    await Promise.all([this.#piscina?.destroy(), ...[...this.#retired].map((pool) => pool.destroy())]);
  }

  // ---- a caller blocked in resultSync (./thread-sync-wait.ts) ------------------------------

  /**
   * @internal SyncSource: true when `future` is a pending call of this pool, which is then
   * on a thread that serves it without this thread's event loop (the caller is about to
   * block it). A call still queued, or sent to a session piscina has not started yet, is
   * (re)sent to a serving thread, past the pipeline depth if need be. `InvalidStateError`
   * when no thread can serve it without the event loop (see {@link startingError}).
   */
  prepareSyncWait(future: Unfuture<unknown>): boolean {
    const engine = this.#engine;
    const found = engine.find(future);
    if (found === undefined) return false;
    const { call, slot } = found;
    if (slot !== undefined) {
      // Started means served; otherwise claim it back from a session that is not served yet.
      if (slot.handle.serving() || slot.handle.claim(call) !== SENT) return true;
      engine.takeBack(slot, call);
    } else {
      engine.unqueue(call);
    }
    this.#sendForSyncWait(call);
    return true;
  }

  /** @internal SyncSource: handle every answer already posted, and sessions that died, without the event loop (true if one died). */
  pollSync(): boolean {
    let died = false;
    const answers = this.#answers;
    for (const slot of [...this.#engine.slots()]) {
      const thread = slot.handle;
      const dead = thread.dead();
      for (let m = receiveMessageOnPort(thread.port); m !== undefined; m = receiveMessageOnPort(thread.port)) {
        answers.deliver(slot, m.message as ThreadMessage);
      }
      answers.deliverAnswered(slot);
      if (dead && !thread.gone) {
        answers.died(slot, thread, undefined, true);
        died = true;
      }
    }
    return died;
  }

  /**
   * Send `call` (not queued, not sent) to a thread that serves its port without the event
   * loop: the least busy serving one, else a new session if piscina posts it at once, else
   * a session on a fresh piscina pool. Should even that fail, the call goes back to the
   * head of the queue and the caller is told.
   */
  #sendForSyncWait(call: PoolCall): void {
    const engine = this.#engine;
    let target: ThreadSlot | undefined;
    let places = 0;
    for (const slot of engine.slots()) {
      if (slot.leaving) continue;
      places++;
      if (!slot.handle.serving() || slot.sent.length >= CELLS - 1) continue;
      if (target === undefined || slot.sent.length < target.sent.length) target = slot;
    }
    if (target === undefined && places < this.#options.maxWorkers) target = this.#servingSession();
    if (target === undefined) {
      // No worker of this piscina pool is ready without the event loop (its only worker just
      // died or was terminated, and the replacement reports ready through the loop). A new
      // pool's first worker is ready from its constructor: move to one, and let the old pool
      // go once its sessions end. This session may be one thread above maxWorkers meanwhile.
      this.#supersedePool();
      target = this.#servingSession();
    }
    if (target === undefined) {
      engine.giveBack(call);
      throw startingError(call.future);
    }
    engine.sendNow(call, target);
  }

  /** A new session, if piscina posted it to a worker at once; else it is ended again. */
  #servingSession(): ThreadSlot | undefined {
    const engine = this.#engine;
    const fresh = engine.spawn();
    if (fresh.handle.serving()) return fresh;
    engine.retireNow(fresh);
    return undefined;
  }

  #newPiscina(): PiscinaSessions {
    return new PiscinaSessions(this.#options, this.#tuning.atomics, this.signal);
  }

  #supersedePool(): void {
    const old = this.#piscina;
    this.#piscina = this.#newPiscina();
    if (old === undefined || old.destroyed) return;
    this.#retired.add(old);
    void old.retireWhenDone().then(() => this.#retired.delete(old));
  }
}

/** The first slot of `call`'s batch entry when it asks for its CPU time or is a stream call. */
function callExtras(call: PoolCall, fn: number): ThreadCallExtras {
  const stream = call.sink?.highWaterMark;
  if (stream === undefined) return { fn, cpu: true };
  return call.cpuTime ? { fn, cpu: true, stream } : { fn, stream };
}

/**
 * The InvalidStateError of a blocking wait that only the event loop could end: no session,
 * not even one on a fresh piscina pool, is served without it, so blocking would never end.
 * The call runs as usual; await it.
 */
function startingError(future: Unfuture<unknown>): InvalidStateError {
  return new InvalidStateError(`no thread of the pool can serve ${future.getName()} while the event loop is blocked (a worker is starting): await it instead`);
}
