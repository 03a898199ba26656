/**
 * The thread executor: piscina owns the worker threads; each of this executor's "threads"
 * is a piscina *session* — one long piscina task (./worker/thread-entry.cjs) that serves our
 * own protocol on a `MessagePort` we transfer to it (see docs/executors.md, "Thread pool
 * design"). Sessions are made in ./links/thread/piscina-sessions.ts, the one file that imports piscina;
 * this file keeps the queue, the pipelines and the cancellation rules.
 *
 * Calls wait in this executor's FIFO and are sent to a thread when it has room: up to
 * {@link PIPELINE_DEPTH} calls per thread (one running, the next already waiting in the
 * thread's port, so a thread never idles for a round trip). A thread runs its calls one at
 * a time, in order. Before starting a call the thread claims the call's cell in a shared
 * `Int32Array` (sent -> started); the parent cancels a call that was sent but not started
 * by claiming the same cell (sent -> cancelled), so exactly one side wins and "never
 * started" is a fact, not a guess. That keeps the pool's promises with pipelining:
 *
 * - cancelling a call that has not started removes it (the thread answers `skipped`);
 * - cancelling a running call terminates its thread; the calls queued behind it on that
 *   thread are claimed back at once and re-sent to other threads, never lost or failed;
 * - a crash fails the one started call with `WorkerCrashedError` and re-sends the rest;
 * - terminating a session aborts its piscina task: piscina terminates that worker and
 *   replaces it by its own rules; the next call starts a new session.
 *
 * Owning the session ports is also what makes `resultSync` possible: a blocked caller reads
 * the answers with `receiveMessageOnPort` (./links/thread/thread-sync-wait.ts). A session ends after
 * {@link SESSION_IDLE_MS} without work, so piscina un-refs its worker and an idle pool
 * never keeps the process alive; the worker itself stays in piscina's pool (warm) for the
 * pool's `idleTimeout`.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { CloneError, InvalidStateError, WorkerCrashedError } from '../core/errors';
import type { Unfuture } from '../core/future';
import { executorHooks } from '../core/hooks';
import { assertOptions } from '../core/validate';
import type { CloseOptions, Executor, ExecutorState, ExecutorStatistics, SubmitOptions } from './executor';
import { CallQueue } from './engine/call-queue';
import { DrainWaiter } from './engine/drain-waiter';
import { CANCELLED, CELLS, DONE, PiscinaSessions, SENT, STARTED, STOP, Thread, sessionCrashError } from './links/thread/piscina-sessions';
import { resolveThreadPoolOptions, resolveThreadTuning, type ResolvedThreadPoolOptions, type ThreadPoolOptions, type ThreadTuning } from './engine/pool-options';
import { PoolCall, validateSubmit } from './engine/pool-call';
import type { CallOutcome, CallRef, SkippedMessage } from './protocol';
import { argumentCloneError } from './serialization';
import { ExecutorCounters } from './statistics';
import { registerSyncSource, unregisterSyncSource, type SyncSource } from './links/thread/thread-sync-wait';

export { BOOTSTRAP_FILE } from './links/thread/piscina-sessions';

/**
 * Calls sent to one thread at a time (running + waiting in its port). 2 removes the idle
 * round trip between calls; deeper saves a few µs per call only with many tiny calls in
 * flight and adds head-of-line waiting behind a long call
 * (benchmarks/executors-thread-settings.ts).
 */
export const PIPELINE_DEPTH = 2;
/**
 * Milliseconds without work after which a session ends (at most the pool's idleTimeout).
 * A live session is a running piscina task, which keeps the process alive; ending it lets
 * an idle pool un-ref while piscina keeps the worker warm. A new session on a warm worker
 * costs one piscina dispatch.
 */
export const SESSION_IDLE_MS = 250;

/**
 * A pool of worker threads running registered functions by reference.
 *
 * Created lazily by the runtime (`toThread`, `@unsync({ executor: 'thread' })`); construct
 * one yourself only for a pool with its own settings. Threads start on the first call.
 *
 * Ordering: calls start in submission order (FIFO). Cancellation: a call that has not
 * started is removed and never starts; a running call's thread is terminated (a
 * `while (true)` loop included) and replaced, and its Unfuture ends cancelled. Errors: what
 * the function throws comes back whole (see docs/executors.md); a thread that dies mid-call
 * fails that call only, with `WorkerCrashedError`; unclonable arguments or results fail
 * with `CloneError`. `future.resultSync(ms)` blocks for a call of this pool.
 *
 * @example
 * const pool = new ThreadExecutor({ maxWorkers: 2 });
 * const f = pool.submit<number>(unsyncRegister(fib), [30]);
 * console.log(await f); // 832040
 * await pool.close();
 */
export class ThreadExecutor implements Executor, SyncSource {
  readonly kind = 'thread' as const;
  /** Shared with every thread: [0] callers blocked in resultSync, [1] answers posted while one was. */
  readonly signal = new Int32Array(new SharedArrayBuffer(8));
  readonly #options: ResolvedThreadPoolOptions;
  readonly #tuning: Required<ThreadTuning>;
  // Invariant: moves only open -> closing -> closed; submit() is refused unless open.
  #state: ExecutorState = 'open';
  // Calls not sent to a thread (FIFO; calls a thread gave back go first).
  readonly #queue = new CallQueue<PoolCall>();
  #inFlight = 0;
  // Invariant: #threads are the live threads calls may be sent to (length <= maxWorkers);
  // #leaving were ended or terminated and their piscina task has not settled yet (a
  // terminated one may still hold its started call, which ends when the task settles).
  readonly #threads: Thread[] = [];
  readonly #leaving = new Set<Thread>();
  readonly #counters = new ExecutorCounters();
  #piscina: PiscinaSessions | undefined = undefined;
  // Pools superseded for a blocked caller (see #sendForSyncWait), destroyed when their sessions end.
  readonly #retired = new Set<PiscinaSessions>();
  #closed: Promise<void> | undefined = undefined;
  readonly #drained = new DrainWaiter(() => this.#queue.size > 0 || this.#inFlight > 0);
  readonly #cancelHook = (call: PoolCall): void => this.#cancel(call);

  /** `tuning` is internal: it exists for benchmarks/executors-thread-settings.ts (see `ThreadTuning`). */
  constructor(options?: ThreadPoolOptions, /** @internal */ tuning?: ThreadTuning) {
    this.#options = resolveThreadPoolOptions(options, 'options');
    this.#tuning = resolveThreadTuning(tuning, PIPELINE_DEPTH, CELLS - 1);
  }

  /**
   * Run `ref` on a thread with `args`; see the class comment for ordering, cancellation
   * and errors. Throws `TypeError` for bad arguments and `InvalidStateError` once closing.
   */
  submit<T>(ref: CallRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<T> {
    validateSubmit(ref, args, options);
    if (this.#state !== 'open') throw new InvalidStateError(`the thread executor is ${this.#state}; a new one is made after shutdown()`);
    const call = new PoolCall<T>('thread', ref, args, options, this.#cancelHook);
    this.#queue.push(call as PoolCall);
    this.#pump();
    call.submitted(this.submit, this.#options.callerStacks);
    return call.future;
  }

  /**
   * Stop accepting calls, let the submitted ones finish (or cancel queued ones with
   * `cancelPending`, every one with `force`), then terminate the threads. Idempotent; a
   * later call with `force` still cancels what is left.
   */
  close(options?: CloseOptions): Promise<void> {
    assertOptions('options', options, ['force', 'cancelPending']);
    if (options?.force || options?.cancelPending) this.#cancelQueued('the thread executor was closed');
    if (options?.force) {
      for (const thread of [...this.#threads]) for (const call of [...thread.sent]) call.future.cancel('the thread executor was closed');
    }
    if (this.#closed === undefined) {
      if (this.#state === 'open') this.#state = 'closing';
      this.#closed = this.#drained.wait().then(async () => {
        unregisterSyncSource(this);
        for (const thread of [...this.#threads]) this.#endSession(thread);
        const sessions = [...this.#leaving].map((t) => t.session.catch(() => undefined));
        await Promise.all(sessions);
        await Promise.all([this.#piscina?.destroy(), ...[...this.#retired].map((pool) => pool.destroy())]);
        this.#state = 'closed';
      });
    }
    return this.#closed;
  }

  /**
   * A plain frozen snapshot of the pool (see `ExecutorStatistics`). `running` counts the
   * call at the head of each thread (running or about to); calls waiting behind it in the
   * thread's pipeline count as queued.
   */
  statistics(): ExecutorStatistics {
    let running = 0;
    let queued = this.#queue.size;
    for (const thread of [...this.#threads, ...this.#leaving]) {
      const live = thread.sent.filter((c) => c.state === 'running').length;
      if (live > 0) running++;
      queued += Math.max(0, live - 1);
    }
    return this.#counters.snapshot('thread', this.#state, { workers: this.#threads.length, queued, running });
  }

  /**
   * @internal SyncSource: true when `future` is a pending call of this pool, which is then
   * on a thread that serves it without this thread's event loop (the caller is about to
   * block it). A call still queued, or sent to a session piscina has not started yet, is
   * (re)sent to a serving thread, past the pipeline depth if need be. `InvalidStateError`
   * when no thread can serve it without the event loop (see {@link startingError}).
   */
  prepareSyncWait(future: Unfuture<unknown>): boolean {
    for (const thread of [...this.#threads, ...this.#leaving]) {
      const call = thread.sent.find((c) => c.future === future);
      if (call === undefined) continue;
      // Started means served; otherwise claim it back from a session that is not served yet.
      if (thread.serving() || thread.claim(call) !== SENT) return true;
      thread.sent.splice(thread.sent.indexOf(call), 1);
      this.#inFlight--;
      call.requeue();
      if (thread.sent.length === 0) this.#idle(thread);
      this.#sendForSyncWait(call);
      return true;
    }
    for (const call of this.#queue.waiting()) {
      if (call.future !== future) continue;
      this.#queue.withdraw(call);
      this.#sendForSyncWait(call);
      return true;
    }
    return false;
  }

  /** @internal SyncSource: handle every answer already posted, and sessions that died, without the event loop (true if one died). */
  pollSync(): boolean {
    let died = false;
    for (const thread of [...this.#threads, ...this.#leaving]) {
      const dead = thread.dead();
      for (let m = receiveMessageOnPort(thread.port); m !== undefined; m = receiveMessageOnPort(thread.port)) {
        this.#answer(thread, m.message as CallOutcome | SkippedMessage);
      }
      if (dead && !thread.gone) {
        this.#died(thread, undefined, true);
        died = true;
      }
    }
    return died;
  }

  // ---- private steps -------------------------------------------------------------

  #pump(): void {
    while (this.#queue.size > 0) {
      const thread = this.#pick(this.#tuning.pipelineDepth);
      if (thread === undefined) return;
      const call = this.#queue.take();
      if (call === undefined) return;
      this.#send(thread, call);
    }
  }

  /** An idle thread, else a new one while under maxWorkers, else the least busy with fewer than `depth` calls. */
  #pick(depth: number): Thread | undefined {
    let best: Thread | undefined;
    for (const thread of this.#threads) {
      if (thread.stopping) continue;
      if (thread.sent.length === 0) return thread;
      if (best === undefined || thread.sent.length < best.sent.length) best = thread;
    }
    if (this.#threads.length < this.#options.maxWorkers) return this.#spawn();
    return best !== undefined && best.sent.length < depth ? best : undefined;
  }

  /**
   * Send `call` (not queued, not sent) to a thread that serves its port without the event
   * loop: the least busy serving one, else a new session if piscina posts it at once, else
   * a session on a fresh piscina pool. Should even that fail, the call goes back to the
   * head of the queue and the caller is told.
   */
  #sendForSyncWait(call: PoolCall): void {
    let target: Thread | undefined;
    for (const thread of this.#threads) {
      if (thread.stopping || !thread.serving() || thread.sent.length >= CELLS - 1) continue;
      if (target === undefined || thread.sent.length < target.sent.length) target = thread;
    }
    if (target === undefined && this.#threads.length < this.#options.maxWorkers) {
      const fresh = this.#spawn();
      if (fresh.serving()) target = fresh;
      else this.#endSession(fresh);
    }
    if (target === undefined) {
      // No worker of this piscina pool is ready without the event loop (its only worker just
      // died or was terminated, and the replacement reports ready through the loop). A new
      // pool's first worker is ready from its constructor: move to one, and let the old pool
      // go once its sessions end. This session may be one thread above maxWorkers meanwhile.
      this.#supersedePool();
      const fresh = this.#spawn();
      if (fresh.serving()) target = fresh;
      else this.#endSession(fresh);
    }
    if (target === undefined) {
      this.#queue.giveBack(call);
      this.#pump();
      throw startingError(call.future);
    }
    this.#send(target, call);
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

  #spawn(): Thread {
    if (this.#threads.length === 0) registerSyncSource(this);
    if (this.#piscina === undefined || this.#piscina.destroyed) this.#piscina = this.#newPiscina();
    const thread = new Thread(this.#piscina, this.signal);
    thread.port.on('message', (message: CallOutcome | SkippedMessage) => this.#answer(thread, message));
    thread.session.then(
      () => this.#died(thread, undefined, false),
      (error: unknown) => {
        if (thread.sent.length === 0 && !thread.stopping) executorHooks.onStrayWorkerError?.('thread', error);
        this.#died(thread, error, false);
      },
    );
    this.#threads.push(thread);
    return thread;
  }

  #send(thread: Thread, call: PoolCall): void {
    if (thread.idleTimer !== undefined) {
      clearTimeout(thread.idleTimer);
      thread.idleTimer = undefined;
    }
    const cell = thread.nextCell();
    call.place = thread;
    call.cell = cell;
    call.markRunning(thread);
    try {
      thread.port.postMessage(call.threadMessage(cell));
    } catch (error) {
      call.fail(argumentCloneError(call.ref.name, call.args) ?? new CloneError(`an argument of \`${call.ref.name}\` cannot be cloned: ${(error as Error)?.message}`, 'argument', { cause: error }), this.#counters);
      this.#drained.check();
      return;
    }
    if (thread.sent.push(call) === 1) thread.port.ref();
    this.#inFlight++;
  }

  #answer(thread: Thread, message: CallOutcome | SkippedMessage): void {
    const sent = thread.sent;
    // Answers come in send order; after a stop some sent calls were taken back, so look the id up.
    const index = sent[0]?.id === message.id ? 0 : sent.findIndex((c) => c.id === message.id);
    if (index < 0) return;
    const call = sent[index]!;
    // A skip of an earlier send of this call (claimed back, then sent here again).
    if (message.type === 'skipped' && message.cell !== call.cell) return;
    sent.splice(index, 1);
    this.#inFlight--;
    if (message.type !== 'skipped') call.settleOutcome(message, this.#counters);
    if (sent.length === 0) this.#idle(thread);
    this.#pump();
    this.#drained.check();
  }

  /**
   * End an idle session after SESSION_IDLE_MS, whatever minWorkers says: a live session keeps
   * the process alive, and piscina keeps its `minThreads` workers without one.
   */
  #idle(thread: Thread): void {
    thread.port.unref();
    if (thread.stopping) return;
    thread.idleTimer = setTimeout(() => {
      if (thread.sent.length === 0 && !thread.stopping) this.#endSession(thread);
    }, Math.min(SESSION_IDLE_MS, this.#options.idleTimeout));
    thread.idleTimer.unref();
  }

  /**
   * End an idle session: closing our port resolves the piscina task and frees its worker.
   * A session no worker serves yet (still in piscina's queue) is aborted instead: it would
   * only see the closed port once a worker took it, and close() must not wait for that.
   */
  #endSession(thread: Thread): void {
    this.#leave(thread, thread.serving() ? 'end' : 'terminate');
  }

  #cancel(call: PoolCall): void {
    if (call.state === 'queued') {
      this.#queue.forget();
      call.settleStopped(this.#counters);
      this.#drained.check();
      return;
    }
    if (call.state !== 'running') return;
    const thread = call.place as Thread;
    const before = thread.claim(call);
    if (before === SENT || before === CANCELLED || before === DONE) {
      // Not started and now never will (the thread answers `skipped`), or it has ended and
      // its answer is on the way: it ends cancelled, and the thread is not touched.
      call.settleStopped(this.#counters);
      this.#drained.check();
      return;
    }
    // Running: ask it to stop, then terminate the thread if it has not within cancelGrace.
    call.askToStop(
      this.#options.cancelGrace,
      () => {
        if (thread.requestStop(call) !== DONE) return true;
        call.settleStopped(this.#counters); // it ended meanwhile: nothing to stop
        this.#drained.check();
        return false;
      },
      () => {
        if (call.state === 'done' || thread.stopping) return;
        this.#counters.terminatedForCancel++;
        this.#stop(thread);
      },
    );
  }

  /**
   * Terminate `thread`: abort its piscina task (piscina terminates the worker and replaces
   * it by its own rules); the calls it had not started are claimed back and re-sent now.
   */
  #stop(thread: Thread): void {
    this.#leave(thread, 'terminate');
  }

  /** Send nothing more to `thread`, take back what it has not started, then end or terminate its session. */
  #leave(thread: Thread, how: 'end' | 'terminate'): void {
    if (thread.stopping) return;
    thread.stopping = true;
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    this.#removeThread(thread);
    this.#leaving.add(thread);
    this.#takeBack(thread);
    if (how === 'end') thread.end();
    else thread.terminate();
  }

  /** Claim every sent-but-not-started call of `thread` and queue it again, ahead of newer calls. */
  #takeBack(thread: Thread): void {
    const back: PoolCall[] = [];
    for (const call of [...thread.sent]) {
      if (ran(thread.claim(call))) continue;
      thread.sent.splice(thread.sent.indexOf(call), 1);
      this.#inFlight--;
      if (call.state === 'running') back.push(call);
    }
    for (const call of back) {
      call.requeue();
      this.#queue.giveBack(call);
    }
    this.#pump();
  }

  /**
   * The session settled (`error`: why it rejected), or a blocked resultSync saw its dead
   * cell (`fromCell`). Started calls end; the others are queued again.
   */
  #died(thread: Thread, error: unknown, fromCell: boolean): void {
    // A blocked caller that saw the dead cell handles the calls now; close() still awaits the task.
    if (!fromCell) this.#leaving.delete(thread);
    if (thread.gone) return;
    thread.gone = true;
    // For a caller that blocks in resultSync later: this session answers no more.
    thread.markDead();
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    this.#removeThread(thread);
    thread.port.unref();
    // Answers the thread posted before it died are in the port: settle those calls first (a
    // call that only shared the thread with a stopped or crashed one must not fail).
    this.#readPosted(thread);
    if (!fromCell) thread.port.close();
    const mismatch = protocolMismatch(error);
    for (const call of thread.sent.splice(0)) {
      // Claimed, not just read: should the worker live after all, it must never start a call
      // that is sent elsewhere now.
      if (mismatch !== undefined) {
        thread.claim(call);
        call.fail(mismatchError(call, mismatch, error), this.#counters);
      } else if (!ran(thread.claim(call))) {
        call.requeue();
        this.#queue.giveBack(call);
      } else if (call.stopRequested) call.settleStopped(this.#counters);
      else call.fail(sessionCrashError(call.ref.name, error, thread.exitCode()), this.#counters);
      this.#inFlight--;
    }
    if (mismatch !== undefined) {
      // Every session would refuse the same way: fail what waits instead of retrying forever.
      for (const call of [...this.#queue.waiting()]) {
        this.#queue.forget();
        call.fail(mismatchError(call, mismatch, error), this.#counters);
      }
    }
    this.#pump();
    this.#drained.check();
  }

  /** Settle the calls of a dead `thread` whose answers it posted before it died. */
  #readPosted(thread: Thread): void {
    for (let m = receiveMessageOnPort(thread.port); m !== undefined; m = receiveMessageOnPort(thread.port)) {
      const message = m.message as CallOutcome | SkippedMessage;
      const index = thread.sent.findIndex((c) => c.id === message.id);
      if (index < 0) continue;
      const call = thread.sent[index]!;
      if (message.type === 'skipped') continue; // claimed below, and re-sent
      thread.sent.splice(index, 1);
      this.#inFlight--;
      call.settleOutcome(message, this.#counters);
    }
  }

  #removeThread(thread: Thread): void {
    const i = this.#threads.indexOf(thread);
    if (i >= 0) this.#threads.splice(i, 1);
  }

  /** Cancel every call that has not started: queued here, or sent to a thread that has not claimed it. */
  #cancelQueued(message: string): void {
    for (const call of [...this.#queue.waiting()]) call.future.cancel(message);
    for (const thread of this.#threads) {
      // The head of each thread's pipeline counts as running (statistics()); the calls
      // behind it are pending. Claim first: a call the thread started meanwhile finishes.
      const live = thread.sent.filter((c) => c.state === 'running');
      for (const call of live.slice(1)) {
        if (thread.claim(call) === SENT) call.future.cancel(message);
      }
    }
  }
}

/** The message of a session refused at its handshake (the worker speaks another protocol version), if `error` is that. */
function protocolMismatch(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message.startsWith('unsync protocol mismatch') ? message : undefined;
}

/** The error of `call` when no thread can run it: the workers speak another protocol version. */
function mismatchError(call: PoolCall, mismatch: string, cause: unknown): WorkerCrashedError {
  return new WorkerCrashedError(`no worker thread could run \`${call.ref.name}\`: ${mismatch}`, { cause });
}

/** Whether a claim cell's previous state says the thread started the call (it runs, was asked to stop, or ended). */
function ran(cellBefore: number): boolean {
  return cellBefore === STARTED || cellBefore === STOP || cellBefore === DONE;
}

/**
 * The InvalidStateError of a blocking wait that only the event loop could end: no session,
 * not even one on a fresh piscina pool, is served without it, so blocking would never end.
 * The call runs as usual; await it.
 */
function startingError(future: Unfuture<unknown>): InvalidStateError {
  return new InvalidStateError(`no thread of the pool can serve ${future.getName()} while the event loop is blocked (a worker is starting): await it instead`);
}
