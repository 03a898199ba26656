/**
 * The thread executor: worker threads (`node:worker_threads`), each with its own
 * `MessagePort`, managed here (see docs/executors.md, "Thread pool design").
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
 * - the thread is replaced lazily by the next call (this executor spawns its own threads).
 *
 * Owning the ports is also what makes `resultSync` possible: a blocked caller reads the
 * answers with `receiveMessageOnPort` (./sync-wait.ts).
 */
import * as path from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { CloneError, InvalidStateError, WorkerCrashedError } from '../core/errors';
import type { Unfuture } from '../core/future';
import { executorHooks } from '../core/hooks';
import { assertOptions } from '../core/validate';
import type { CloseOptions, Executor, ExecutorState, ExecutorStatistics, SubmitOptions } from './executor';
import { resolveThreadPoolOptions, type ResolvedThreadPoolOptions, type ThreadPoolOptions } from './pool-options';
import { PoolCall, validateSubmit } from './pool-call';
import type { CallOutcome, CallRef, SkippedMessage } from './protocol';
import { argumentCloneError } from './serialization';
import { ExecutorCounters } from './statistics';
import { registerSyncSource, unregisterSyncSource, type SyncSource } from './sync-wait';

/**
 * Calls sent to one thread at a time (running + waiting in its port). 2 removes the idle
 * round trip between calls; deeper adds head-of-line waiting behind a long call for no
 * measured gain (benchmarks/executors-threads.ts).
 */
export const PIPELINE_DEPTH = 2;
/** Cells per thread: more than the most calls ever sent to one thread, so a cell is reused only after its call was answered. */
const CELLS = 16;
/** cells[DEAD_CELL] becomes 1 when the thread's exit handler ran (seen by a blocked `resultSync`). */
const DEAD_CELL = CELLS;
const SENT = 0;
const STARTED = 1;
const CANCELLED = 2;

/** The worker entry, shipped next to this file in `src/` and `dist/`. */
export const BOOTSTRAP_FILE = path.join(__dirname, 'bootstrap.cjs');

/** One thread and what was sent to it. */
class Thread {
  readonly port: MessagePort;
  readonly worker: Worker;
  readonly cells = new Int32Array(new SharedArrayBuffer(4 * (CELLS + 1)));
  // Invariant: the calls sent and not answered, in send order (the thread answers in order);
  // length < CELLS.
  readonly sent: PoolCall[] = [];
  #nextCell = 0;
  /** terminate() was called: nothing more is sent here. */
  stopping = false;
  /** Its death was handled (by the 'exit' event or a blocked resultSync). */
  gone = false;
  lastError: unknown = undefined;
  idleTimer: NodeJS.Timeout | undefined = undefined;

  constructor(options: ResolvedThreadPoolOptions, signal: Int32Array) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(BOOTSTRAP_FILE, {
      workerData: { unsyncThread: 1, port: port2, cells: this.cells, signal, deadCell: DEAD_CELL },
      transferList: [port2],
      resourceLimits: options.resourceLimits,
      execArgv: options.execArgv,
      env: options.env,
    });
    // Neither an idle thread nor its port keeps the process alive; the port is ref'd while
    // calls are in flight.
    this.worker.unref();
    this.port.unref();
  }

  nextCell(): number {
    const cell = this.#nextCell;
    this.#nextCell = (cell + 1) % CELLS;
    Atomics.store(this.cells, cell, SENT);
    return cell;
  }
}

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
  // Invariant: moves only open -> closing -> closed; submit() is refused unless open.
  #state: ExecutorState = 'open';
  // FIFO of calls not sent to a thread. Cancelled entries stay (state 'done') and are
  // skipped when reached; #queued counts the live ones.
  #queue: (PoolCall | undefined)[] = [];
  #head = 0;
  #queued = 0;
  #inFlight = 0;
  // Invariant: #threads are the live threads calls may be sent to (length <= maxWorkers);
  // #dying were stopped and have not exited yet (their started call ends at exit).
  readonly #threads: Thread[] = [];
  readonly #dying = new Set<Thread>();
  readonly #counters = new ExecutorCounters();
  #closed: Promise<void> | undefined = undefined;
  #onIdle: (() => void) | undefined = undefined;
  readonly #cancelHook = (call: PoolCall): void => this.#cancel(call);

  constructor(options?: ThreadPoolOptions) {
    this.#options = resolveThreadPoolOptions(options, 'options');
  }

  /**
   * Run `ref` on a thread with `args`; see the class comment for ordering, cancellation
   * and errors. Throws `TypeError` for bad arguments and `InvalidStateError` once closing.
   */
  submit<T>(ref: CallRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<T> {
    validateSubmit(ref, args, options);
    if (this.#state !== 'open') throw new InvalidStateError(`the thread executor is ${this.#state}; a new one is made after shutdown()`);
    const call = new PoolCall<T>('thread', ref, args, options, this.#cancelHook, this.submit);
    this.#queue.push(call as PoolCall);
    this.#queued++;
    this.#pump();
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
      this.#closed = this.#drain().then(async () => {
        unregisterSyncSource(this);
        const threads = [...this.#threads.splice(0), ...this.#dying];
        await Promise.all(threads.map((t) => ((t.stopping = true), t.worker.terminate())));
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
    let queued = this.#queued;
    for (const thread of [...this.#threads, ...this.#dying]) {
      const live = thread.sent.filter((c) => c.state === 'running').length;
      if (live > 0) running++;
      queued += Math.max(0, live - 1);
    }
    return this.#counters.snapshot('thread', this.#state, { workers: this.#threads.length, queued, running });
  }

  /** @internal SyncSource: true when `future` is a pending call of this pool, which is then sent to a thread. */
  prepareSyncWait(future: Unfuture<unknown>): boolean {
    for (const thread of [...this.#threads, ...this.#dying]) if (thread.sent.some((c) => c.future === future)) return true;
    for (let i = this.#head; i < this.#queue.length; i++) {
      const call = this.#queue[i];
      if (call === undefined || call.future !== future || call.state !== 'queued') continue;
      // The caller is about to block: nothing else will send this call, so send it now,
      // past the pipeline depth if need be (the threads run without this thread's help).
      const thread = this.#pick(CELLS - 1);
      if (thread === undefined) return false;
      this.#queue[i] = undefined;
      this.#queued--;
      this.#send(thread, call);
      return true;
    }
    return false;
  }

  /** @internal SyncSource: handle every answer already posted, and threads that died, without the event loop. */
  pollSync(): void {
    for (const thread of [...this.#threads, ...this.#dying]) {
      const dead = Atomics.load(thread.cells, DEAD_CELL) === 1;
      for (let m = receiveMessageOnPort(thread.port); m !== undefined; m = receiveMessageOnPort(thread.port)) {
        this.#answer(thread, m.message as CallOutcome | SkippedMessage);
      }
      if (dead) this.#died(thread, undefined);
    }
  }

  // ---- private steps -------------------------------------------------------------

  #pump(): void {
    while (this.#queued > 0) {
      const thread = this.#pick(PIPELINE_DEPTH);
      if (thread === undefined) return;
      const call = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (call === undefined || call.state !== 'queued') continue;
      this.#queued--;
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

  #spawn(): Thread {
    if (this.#threads.length === 0) registerSyncSource(this);
    const thread = new Thread(this.#options, this.signal);
    thread.port.on('message', (message: CallOutcome | SkippedMessage) => this.#answer(thread, message));
    thread.worker.on('error', (error) => {
      thread.lastError = error;
      if (thread.sent.length === 0 && !thread.stopping) executorHooks.onStrayWorkerError?.('thread', error);
    });
    thread.worker.on('exit', (code) => this.#died(thread, code));
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
    call.markRunning();
    try {
      thread.port.postMessage(call.threadMessage(cell));
    } catch (error) {
      call.fail(argumentCloneError(call.ref.name, call.args) ?? new CloneError(`an argument of \`${call.ref.name}\` cannot be cloned: ${(error as Error)?.message}`, 'argument', { cause: error }), this.#counters);
      this.#checkIdle();
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
    sent.splice(index, 1);
    this.#inFlight--;
    if (message.type !== 'skipped') call.settleOutcome(message, this.#counters);
    if (sent.length === 0) this.#idle(thread);
    this.#pump();
    this.#checkIdle();
  }

  #idle(thread: Thread): void {
    thread.port.unref();
    if (thread.stopping || this.#threads.length <= this.#options.minWorkers) return;
    thread.idleTimer = setTimeout(() => {
      if (thread.sent.length === 0 && !thread.stopping && this.#threads.length > this.#options.minWorkers) this.#stop(thread);
    }, this.#options.idleTimeout);
    thread.idleTimer.unref();
  }

  #cancel(call: PoolCall): void {
    if (call.state === 'queued') {
      this.#queued--;
      call.settleStopped(this.#counters);
      this.#checkIdle();
      return;
    }
    if (call.state !== 'running') return;
    const thread = call.place as Thread;
    const was = Atomics.compareExchange(thread.cells, call.cell, SENT, CANCELLED);
    if (was === SENT || was === CANCELLED) {
      // Not started and now never will: it ends cancelled; the thread answers `skipped`.
      call.settleStopped(this.#counters);
      this.#checkIdle();
    } else if (was === STARTED) {
      call.stopRequested = true;
      this.#stop(thread);
    }
  }

  /** Terminate `thread`; the calls it had not started are claimed back and re-sent now. */
  #stop(thread: Thread): void {
    if (thread.stopping) return;
    thread.stopping = true;
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    this.#removeThread(thread);
    this.#dying.add(thread);
    this.#takeBack(thread);
    void thread.worker.terminate();
  }

  /** Claim every sent-but-not-started call of `thread` and queue it again, ahead of newer calls. */
  #takeBack(thread: Thread): void {
    const back: PoolCall[] = [];
    for (const call of [...thread.sent]) {
      const cell = Atomics.compareExchange(thread.cells, call.cell, SENT, CANCELLED);
      if (cell === STARTED) continue;
      thread.sent.splice(thread.sent.indexOf(call), 1);
      this.#inFlight--;
      if (call.state === 'running') back.push(call);
    }
    if (back.length > 0) {
      for (const call of back) call.requeue();
      this.#queue.splice(this.#head, 0, ...back);
      this.#queued += back.length;
    }
    this.#pump();
  }

  /** The thread exited (or its exit handler ran while the caller was blocked). */
  #died(thread: Thread, exitCode: number | undefined): void {
    if (thread.gone) return;
    thread.gone = true;
    if (thread.idleTimer !== undefined) clearTimeout(thread.idleTimer);
    this.#removeThread(thread);
    this.#dying.delete(thread);
    thread.port.unref();
    for (const call of thread.sent.splice(0)) {
      if (Atomics.load(thread.cells, call.cell) !== STARTED) {
        call.requeue();
        this.#queue.splice(this.#head, 0, call);
        this.#queued++;
      } else if (call.stopRequested) call.settleStopped(this.#counters);
      else call.fail(crashError(call.ref.name, exitCode, thread.lastError), this.#counters);
      this.#inFlight--;
    }
    this.#pump();
    this.#checkIdle();
  }

  #removeThread(thread: Thread): void {
    const i = this.#threads.indexOf(thread);
    if (i >= 0) this.#threads.splice(i, 1);
  }

  /** Cancel every call that has not started: queued here, or sent to a thread that has not claimed it. */
  #cancelQueued(message: string): void {
    for (let i = this.#head; i < this.#queue.length; i++) {
      const call = this.#queue[i];
      if (call !== undefined && call.state === 'queued') call.future.cancel(message);
    }
    for (const thread of this.#threads) {
      // The head of each thread's pipeline counts as running (statistics()); the calls
      // behind it are pending. Claim first: a call the thread started meanwhile finishes.
      const live = thread.sent.filter((c) => c.state === 'running');
      for (const call of live.slice(1)) {
        if (Atomics.compareExchange(thread.cells, call.cell, SENT, CANCELLED) === SENT) call.future.cancel(message);
      }
    }
  }

  #drain(): Promise<void> {
    if (this.#queued === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onIdle = resolve;
    });
  }

  #checkIdle(): void {
    if (this.#onIdle !== undefined && this.#queued === 0 && this.#inFlight === 0) {
      const resolve = this.#onIdle;
      this.#onIdle = undefined;
      resolve();
    }
  }
}

/** The error of a call whose thread died under it. */
function crashError(name: string, exitCode: number | undefined, error: unknown): WorkerCrashedError {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new WorkerCrashedError(`the worker thread running \`${name}\` ran out of memory (resourceLimits): ${String(e.message)}`, { cause: error, exitCode });
  }
  if (error !== undefined) {
    return new WorkerCrashedError(`the worker thread running \`${name}\` crashed: ${String(e?.message ?? error)}`, { cause: error, exitCode });
  }
  if (exitCode === undefined) return new WorkerCrashedError(`the worker thread running \`${name}\` exited`);
  return new WorkerCrashedError(`the worker thread running \`${name}\` exited with code ${exitCode}`, { exitCode });
}
