/**
 * The process executor: a pool of child processes (`child_process.fork`, through
 * `./links/process/process-child.ts`) running registered functions by reference.
 *
 * Each child runs one call at a time, in the order it received them, and answers in that
 * order (the contract is written at the top of `./worker/process-entry.cjs`). For speed the pool
 * pipelines tiny calls: when every child is busy it sends a few more to each, so a child
 * never waits a round trip for its next call. The first unanswered call of a child's
 * pipeline (its *head*) is the one it runs; the others have not started. That gives:
 *
 * - a child that dies fails only its head (`WorkerCrashedError`); the rest go back to the
 *   front of the queue and run on another child;
 * - cancelling a call that waits in the pool removes it; cancelling a pipelined call sends a
 *   `cancel` and the child drops it unstarted; cancelling a head freezes its child to learn
 *   whether the head still runs (its answer may be unread while the child runs the next
 *   call), and only then kills the child (SIGTERM, then SIGKILL); the calls behind it go to
 *   another child. Design: docs/executors.md, "freeze, drain, decide".
 */
import * as path from 'node:path';
import { CloneError, InvalidStateError } from '../core/errors';
import type { Unfuture } from '../core/future';
import { assertOptions } from '../core/validate';
import type { CloseOptions, Executor, ExecutorState, ExecutorStatistics, SubmitOptions } from './executor';
import { afterGrace, validateSubmit, type PoolCall } from './engine/pool-call';
import { resolveProcessPoolOptions, type ProcessPoolOptions, type ResolvedProcessPoolOptions } from './engine/pool-options';
import { ProcessChild, canFreezeChildren, type ChildEvents } from './links/process/process-child';
import { CallQueue } from './engine/call-queue';
import { DrainWaiter } from './engine/drain-waiter';
import { ProcessCall, createSlot, crashError, type Slot } from './links/process/process-slot';
import type { CallOutcome, CallRef, WorkerMessage } from './protocol';
import { argumentCloneError } from './serialization';
import { ExecutorCounters } from './statistics';
import {
  createSyncFolder,
  readUngatedRecord,
  registerProcessSyncSource,
  removeUngatedRecord,
  removeSyncFolder,
  unregisterProcessSyncSource,
  waitForReadyMarker,
  type ProcessSyncPlan,
  type ProcessSyncSource,
} from './links/process/process-sync-wait';

/** Most calls sent ahead to one child (tiny calls only; see #pickSlot). */
const PIPELINE_DEPTH = 64;
/** Calls whose mean run time is above this (ms) are not pipelined: balance beats latency. */
const PIPELINE_MAX_RUN_MS = 2;
/** Children in a row that may die before they are ready, with none ready, before waiting calls fail. */
const MAX_FAILED_STARTS = 3;

/**
 * A pool of child processes running registered functions by reference.
 *
 * Created lazily by the runtime (`toProcess`, `@unsync({ executor: 'process' })`); construct
 * one yourself only for a pool with its own settings. Children start on the first call;
 * idle children never keep the parent alive, and exit by themselves if the parent dies.
 *
 * Ordering: calls start in submission order (FIFO). Cancellation: a call that has not
 * started is removed and never starts; a running call's child is killed (a `while (true)`
 * loop included) and replaced, and its Unfuture ends cancelled. Errors: what the function
 * throws comes back whole (see docs/executors.md); a child that dies mid-call fails that call
 * only, with `WorkerCrashedError` (`exitCode` or `signal`); unclonable arguments or results
 * fail with `CloneError`.
 *
 * @example
 * const pool = new ProcessExecutor({ maxWorkers: 2 });
 * console.log(await pool.submit<number>(unsyncRegister(fib), [30])); // 832040
 * await pool.close();
 */
export class ProcessExecutor implements Executor, ProcessSyncSource {
  readonly kind = 'process' as const;
  readonly #options: ResolvedProcessPoolOptions;
  // Invariant: moves only open -> closing -> closed; submit() is refused unless open.
  #state: ExecutorState = 'open';
  readonly #queue = new CallQueue<ProcessCall>();
  // Invariant: every child not yet gone; size <= maxWorkers.
  readonly #slots = new Set<Slot>();
  readonly #events: ChildEvents;
  readonly #counters = new ExecutorCounters();
  // Moving mean of run time (ms), deciding whether to pipeline.
  #meanRun = 0;
  // Children that died before they were ready, since the last one that became ready: the
  // pool gives up on the waiting calls only when starts keep failing (see #gone).
  #failedStarts = 0;
  #pumpScheduled = false;
  #closed: Promise<void> | undefined = undefined;
  readonly #drained = new DrainWaiter(() => this.#busy());
  readonly #cancelHook = (call: PoolCall): void => this.#cancel(call as ProcessCall);
  readonly #bySlot = new Map<ProcessChild, Slot>();
  // Answer files and ready markers for callers blocked in resultSync; made at the first fork.
  #syncFolder: string | undefined = undefined;

  constructor(options?: ProcessPoolOptions) {
    this.#options = resolveProcessPoolOptions(options, 'options');
    this.#events = {
      ready: (child) => this.#ready(this.#bySlot.get(child)!),
      message: (child, message) => this.#answer(this.#bySlot.get(child)!, message),
      gone: (child, code, signal) => this.#gone(this.#bySlot.get(child)!, code, signal),
    };
  }

  /**
   * Run `ref` in a child process with `args`; see the class comment for ordering,
   * cancellation and errors. Throws `TypeError` for bad arguments and `InvalidStateError`
   * once closing.
   */
  submit<T>(ref: CallRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<T> {
    validateSubmit(ref, args, options);
    if (this.#state !== 'open') throw new InvalidStateError(`the process executor is ${this.#state}; a new one is made after shutdown()`);
    const call = new ProcessCall<T>('process', ref, args, options, this.#cancelHook);
    // A call that finds nothing waiting and a child idle leaves at once, so the round trip
    // starts before the caller's stack is recorded; the others wait for the microtask pump,
    // which sends each child its share of them in one message.
    const idle = this.#queue.size === 0 ? this.#idleSlot() : undefined;
    if (idle !== undefined) this.#send(call as ProcessCall, idle);
    else {
      this.#queue.push(call as ProcessCall);
      this.#spawnAsNeeded();
      this.#schedulePump();
    }
    call.submitted(this.submit, this.#options.callerStacks);
    return call.future;
  }

  /**
   * Stop accepting calls, let the submitted ones finish (or cancel the ones not started
   * with `cancelPending`, every one with `force`), then let the children exit. Idempotent;
   * a later call with `force` still cancels what is left.
   */
  close(options?: CloseOptions): Promise<void> {
    assertOptions('options', options, ['force', 'cancelPending']);
    const message = 'the process executor was closed';
    if (options?.force || options?.cancelPending) {
      for (const call of [...this.#queue.waiting()]) call.future.cancel(message);
      for (const slot of this.#slots) for (const call of slot.pipeline.slice(1)) call.future.cancel(message);
    }
    if (options?.force) for (const slot of [...this.#slots]) slot.pipeline[0]?.future.cancel(message);
    if (this.#closed === undefined) {
      if (this.#state === 'open') this.#state = 'closing';
      this.#closed = this.#drained.wait().then(async () => {
        const slots = [...this.#slots];
        for (const slot of slots) this.#stop(slot, slot.child.state === 'ready' ? 'retire' : 'kill');
        await Promise.all(slots.map((s) => s.gone));
        unregisterProcessSyncSource(this);
        if (this.#syncFolder !== undefined) removeSyncFolder(this.#syncFolder);
        this.#state = 'closed';
      });
    }
    return this.#closed;
  }

  /** A plain frozen snapshot of the pool (see `ExecutorStatistics`). */
  statistics(): ExecutorStatistics {
    let running = 0;
    let pipelined = 0;
    for (const slot of this.#slots) {
      for (let i = 0; i < slot.pipeline.length; i++) {
        if (slot.pipeline[i]!.state === 'done') continue;
        if (i === 0) running++;
        else pipelined++;
      }
    }
    return this.#counters.snapshot('process', this.#state, { workers: this.#slots.size, queued: this.#queue.size + pipelined, running });
  }

  // ---- dispatching ---------------------------------------------------------------

  /**
   * Dispatch on a microtask: calls submitted in one synchronous run (past those idle children
   * took at once), and refills after a burst of answers, leave in one IPC message per child
   * instead of one each.
   */
  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    const touched: Slot[] = [];
    while (this.#queue.size > 0) {
      const slot = this.#pickSlot();
      if (slot === undefined) break;
      const call = this.#queue.take();
      if (call === undefined) break;
      // Counted in the pipeline at once so #pickSlot sees it; sent by #flush below.
      call.slot = slot;
      slot.pipeline.push(call);
      if (slot.outbox.push(call) === 1) touched.push(slot);
    }
    for (const slot of touched) this.#flush(slot);
    this.#spawnAsNeeded();
  }

  /** A ready child to send the next call to: an idle one, else (all busy, none starting) pipeline. */
  #pickSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (!this.#canTake(slot)) continue;
      if (slot.pipeline.length === 0) return slot;
      if (best === undefined || slot.pipeline.length < best.pipeline.length) best = slot;
    }
    const canGrow = this.#slots.size < this.#options.maxWorkers;
    if (best === undefined || canGrow || this.#starting() > 0) return undefined;
    // Without a freeze (no /proc) cancelling a head kills its child at once: then nothing may
    // wait behind the head, or it could be a call that had started (docs/executors.md).
    const depth = this.#meanRun > PIPELINE_MAX_RUN_MS || !canFreezeChildren() ? 1 : PIPELINE_DEPTH;
    return best.pipeline.length < depth ? best : undefined;
  }

  /** A ready child with nothing sent to it and nothing unanswered. */
  #idleSlot(): Slot | undefined {
    for (const slot of this.#slots) if (slot.pipeline.length === 0 && this.#canTake(slot)) return slot;
    return undefined;
  }

  /** `slot`'s child can be sent a call: ready, not frozen, and under `maxTasksPerWorker`. */
  #canTake(slot: Slot): boolean {
    return slot.child.state === 'ready' && !slot.child.frozen && slot.sent + slot.outbox.length < this.#options.maxTasksPerWorker;
  }

  /** Children forked and not ready yet. */
  #starting(): number {
    let n = 0;
    for (const slot of this.#slots) if (slot.child.state === 'starting') n++;
    return n;
  }

  #spawnAsNeeded(): void {
    const o = this.#options;
    if (this.#slots.size >= o.maxWorkers) return;
    let starting = this.#starting();
    while (this.#slots.size < o.maxWorkers && (this.#queue.size > starting || (this.#state === 'open' && this.#slots.size < o.minWorkers))) {
      this.#spawn();
      starting++;
    }
  }

  #spawn(): Slot {
    const o = this.#options;
    if (this.#syncFolder === undefined) {
      this.#syncFolder = createSyncFolder();
      registerProcessSyncSource(this);
    }
    const child = new ProcessChild({ execArgv: o.execArgv, env: o.env, syncFolder: this.#syncFolder }, this.#events);
    const slot = createSlot(child);
    this.#bySlot.set(child, slot);
    this.#slots.add(slot);
    return slot;
  }

  /** Send the calls #pump picked for `slot`: one message, or one by one if a value will not clone. */
  #flush(slot: Slot): void {
    const calls = slot.outbox;
    slot.outbox = [];
    slot.pipeline.length -= calls.length;
    if (calls.length === 1) return this.#send(calls[0]!, slot);
    const wasIdle = slot.pipeline.length === 0;
    let sent: boolean;
    try {
      sent = slot.child.send(calls.map((call) => call.message()));
    } catch {
      for (const call of calls) this.#send(call, slot); // finds and fails the call that cannot clone
      return;
    }
    if (!sent) {
      for (const call of calls) (call.slot = undefined), this.#queue.giveBack(call);
      return;
    }
    slot.pipeline.push(...calls);
    slot.sent += calls.length;
    if (wasIdle) {
      slot.child.setReferenced(true);
      this.#becameHead(calls[0]!, slot);
    }
  }

  #send(call: ProcessCall, slot: Slot): void {
    call.slot = undefined;
    try {
      if (!slot.child.send(call.message())) {
        this.#queue.giveBack(call); // the channel just closed: 'gone' follows
        return;
      }
    } catch (error) {
      const name = call.ref.name;
      const reason = error instanceof Error ? error.message : String(error);
      call.fail(argumentCloneError(name, call.args) ?? new CloneError(`a value of \`${name}\` cannot be sent to a child process: ${reason}`, 'argument', { cause: error }), this.#counters);
      this.#drained.check();
      return;
    }
    call.slot = slot;
    slot.sent++;
    slot.pipeline.push(call);
    if (slot.pipeline.length === 1) {
      slot.child.setReferenced(true);
      this.#becameHead(call, slot);
    }
  }

  /** `call` is now the first unanswered call of its child: the child runs it. */
  #becameHead(call: ProcessCall, slot: Slot): void {
    // Cancelled while pipelined, and the child did not drop it in time: it has started, and
    // the child asked it to stop. Stop it the hard way if it still runs after cancelGrace.
    if (call.stopRequested) {
      const grace = this.#options.cancelGrace;
      if (grace <= 0) this.#stopHead(slot);
      else {
        afterGrace(grace, () => {
          if (slot.pipeline[0] === call) this.#stopHead(slot);
        });
      }
    }
    if (call.state !== 'done') call.markRunning(slot);
  }

  // ---- a caller blocked in resultSync (./links/process/process-sync-wait.ts) -------------------------

  /** @internal ProcessSyncSource: put the call with a child and ask it for a sync answer. */
  prepareSyncWait(future: Unfuture<unknown>, deadline: number): ProcessSyncPlan | null | undefined {
    let call: ProcessCall | undefined;
    for (const slot of this.#slots) call ??= slot.pipeline.find((c) => c.future === future && c.state !== 'done');
    if (call?.slot?.child.frozen) {
      throw new InvalidStateError(`the child process holding ${future.getName()} is stopped while another of its calls is cancelled: await it instead`);
    }
    if (call === undefined) {
      for (const waiting of this.#queue.waiting()) if (waiting.future === future) call = waiting;
      if (call === undefined) return undefined;
      // Nothing sends it while the caller blocks: hand it to a child now, past the pipeline depth.
      const slot = this.#syncSlot(deadline);
      this.#queue.withdraw(call);
      this.#send(call, slot);
      if (call.state === 'done') return null; // it could not be sent (CloneError): nothing to wait for
    }
    const slot = call.slot!;
    const file = path.join(this.#syncFolder!, `answer-${call.id}`);
    if (!slot.child.send({ type: 'sync', id: call.id, file })) {
      throw new InvalidStateError(`the child process holding ${future.getName()} is exiting: await it instead`);
    }
    const settled = call;
    return { file, pid: slot.child.pid!, settle: (outcome) => settled.settleOutcome(outcome, this.#counters) };
  }

  /** A child that listens now: the least busy ready one, else a starting one once its ready marker shows. */
  #syncSlot(deadline: number): Slot {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (slot.child.state !== 'ready' || slot.child.frozen) continue;
      if (best === undefined || slot.pipeline.length < best.pipeline.length) best = slot;
    }
    if (best !== undefined) return best;
    if (this.#starting() === 0) this.#spawn();
    const starting = [...this.#slots].filter((slot) => slot.child.state === 'starting');
    return waitForReadyMarker(this.#syncFolder!, starting, (slot) => slot.child.pid, deadline);
  }

  // ---- what children say -----------------------------------------------------------

  #ready(slot: Slot): void {
    slot.everReady = true;
    this.#failedStarts = 0;
    // A blocked resultSync may have sent a call before 'ready' was read.
    slot.child.setReferenced(slot.pipeline.length > 0);
    this.#pump();
    if (slot.pipeline.length === 0) this.#idle(slot);
  }

  #answer(slot: Slot, message: WorkerMessage): void {
    if (message.type === 'ready') return;
    const pipeline = slot.pipeline;
    const index = pipeline[0]?.id === message.id ? 0 : pipeline.findIndex((c) => c.id === message.id);
    if (index < 0) return;
    const [call] = pipeline.splice(index, 1) as [ProcessCall];
    call.slot = undefined;
    if (index > 0) {
      // Out of order: a call dropped unstarted after a cancel.
      call.settleStopped(this.#counters);
    } else {
      // A head asked to stop ends cancelled whatever it answered (settleOutcome).
      if (!call.stopRequested) this.#meanRun += (message.endedAt - message.startedAt - this.#meanRun) / 8;
      call.settleOutcome(message as CallOutcome, this.#counters);
      const next = pipeline[0];
      if (next !== undefined) this.#becameHead(next, slot);
    }
    if (pipeline.length === 0) this.#idle(slot);
    this.#schedulePump();
    this.#drained.check();
  }

  /** The child exited and its channel closed: settle or re-send what it had. */
  #gone(slot: Slot, exitCode: number | null, signal: NodeJS.Signals | null): void {
    this.#slots.delete(slot);
    this.#bySlot.delete(slot.child);
    if (slot.idleTimer !== undefined) clearTimeout(slot.idleTimer);
    const mismatch = slot.child.mismatch;
    const neverReady = !slot.everReady && (!slot.child.stoppedOnPurpose || mismatch !== undefined);
    const calls = slot.pipeline.splice(0);
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]!;
      call.slot = undefined;
      if (call.stopRequested) call.settleStopped(this.#counters); // no-op for a placeholder already settled
      else if (i > 0 || slot.child.stoppedOnPurpose) this.#queue.giveBack(call); // never started, or stopped for another call's sake
      else call.fail(crashError(call, exitCode, signal), this.#counters);
    }
    slot.markGone();
    if (this.#syncFolder !== undefined && slot.child.pid !== undefined) removeUngatedRecord(this.#syncFolder, slot.child.pid);
    // One child killed while it started (the OOM killer, an operator) costs nothing: the pump
    // starts another. Only when starts keep failing and no child is ready (a bad execArgv, a
    // protocol mismatch) are the waiting calls failed, instead of forking forever.
    if (neverReady) this.#failedStarts++;
    if (mismatch !== undefined || (neverReady && this.#failedStarts >= MAX_FAILED_STARTS && !this.#anyReady())) {
      this.#failWaiting(exitCode, signal, mismatch);
    }
    this.#pump();
    this.#drained.check();
  }

  // ---- cancellation and stopping ----------------------------------------------------

  #cancel(call: ProcessCall): void {
    if (call.state === 'done') return;
    const slot = call.slot;
    if (slot === undefined) {
      this.#queue.forget();
      call.settleStopped(this.#counters);
      this.#drained.check();
      return;
    }
    if (slot.pipeline[0] === call) {
      // Running: ask it to stop; after cancelGrace, stop the head the hard way.
      call.askToStop(
        this.#options.cancelGrace,
        () => {
          slot.child.requestStop(call.id);
          return true;
        },
        () => this.#stopHead(slot),
      );
    } else {
      // Not started: the child drops it when the `cancel` arrives. The call ends cancelled now
      // and stays in the pipeline as a settled placeholder until the child's "dropped"
      // answer, so the pipeline still mirrors the child's order (see #becameHead).
      call.stopRequested = true;
      slot.child.send({ type: 'cancel', id: call.id });
      call.settleStopped(this.#counters);
    }
  }

  /**
   * A stop was requested for `slot`'s head. Its answer may be unread in the channel while the
   * child already runs the next call, so freeze the child first and kill it only if the head
   * is still unanswered then (docs/executors.md, "freeze, drain, decide"). Without a way to
   * see the child stop, kill at once.
   */
  #stopHead(slot: Slot): void {
    if (slot.child.frozen) return; // the freeze under way looks at the head again when it ends
    if (!slot.child.freeze(() => this.#frozen(slot))) {
      this.#counters.terminatedForCancel++;
      slot.child.kill();
    }
  }

  /** `slot`'s child is stopped and everything it wrote is read: kill it or let it go on. */
  #frozen(slot: Slot): void {
    if (slot.pipeline[0]?.stopRequested && !this.#startedUngated(slot)) {
      this.#counters.terminatedForCancel++;
      slot.child.kill(); // the head still runs; nothing behind it has started
      return;
    }
    slot.child.thaw(); // the head had finished: its answer (read, or on its way) ends it cancelled
    this.#schedulePump();
  }

  /**
   * Whether the child started a call behind its head without waiting for the head's answer
   * to be written (it does while a blocked parent waits; it records the call's id in
   * `ungated-<pid>`, see worker/process-entry.cjs rule 2): then the head has finished.
   */
  #startedUngated(slot: Slot): boolean {
    const id = readUngatedRecord(this.#syncFolder!, slot.child.pid!);
    return id !== undefined && slot.pipeline.findIndex((call) => call.id === id) > 0;
  }

  #idle(slot: Slot): void {
    slot.child.setReferenced(false);
    if (slot.sent >= this.#options.maxTasksPerWorker || this.#state !== 'open') {
      if (slot.sent >= this.#options.maxTasksPerWorker) this.#stop(slot, 'retire');
      return;
    }
    if (this.#slots.size <= this.#options.minWorkers) return;
    slot.idleSince = performance.now();
    if (slot.idleTimer === undefined) {
      slot.idleTimer = setTimeout(() => this.#idleCheck(slot), this.#options.idleTimeout);
      slot.idleTimer.unref();
    } else {
      slot.idleTimer.refresh();
    }
  }

  #idleCheck(slot: Slot): void {
    if (slot.pipeline.length > 0 || this.#slots.size <= this.#options.minWorkers) return; // re-armed when idle again
    const left = slot.idleSince + this.#options.idleTimeout - performance.now();
    if (left > 1) {
      slot.idleTimer = setTimeout(() => this.#idleCheck(slot), left);
      slot.idleTimer.unref();
    } else {
      this.#stop(slot, 'retire');
    }
  }

  #stop(slot: Slot, how: 'retire' | 'kill'): void {
    if (slot.child.state === 'stopping' || slot.child.state === 'gone') return;
    if (how === 'retire') slot.child.retire();
    else slot.child.kill();
  }

  /** No child could start: fail the waiting calls instead of forking forever. */
  #failWaiting(exitCode: number | null, signal: NodeJS.Signals | null, mismatch: string | undefined): void {
    const starts = this.#failedStarts;
    this.#failedStarts = 0;
    for (const call of [...this.#queue.waiting()]) {
      this.#queue.forget();
      const error = crashError(call, exitCode, signal);
      error.message =
        mismatch !== undefined
          ? `no child process could run \`${call.ref.name}\`: ${mismatch}`
          : `${error.message} before it was ready; ${starts} children in a row died while starting (check configure({ process: { execArgv, env } }))`;
      call.fail(error, this.#counters);
    }
  }

  #anyReady(): boolean {
    for (const slot of this.#slots) if (slot.child.state === 'ready') return true;
    return false;
  }

  #busy(): boolean {
    if (this.#queue.size > 0) return true;
    for (const slot of this.#slots) if (slot.pipeline.length > 0) return true;
    return false;
  }

  /**
   * The process ids of the pool's live child processes (read-only; a fresh array). The
   * benchmark harness reads their CPU time and memory from `/proc` with them.
   */
  childPids(): number[] {
    const pids: number[] = [];
    for (const slot of this.#slots) if (slot.child.pid !== undefined) pids.push(slot.child.pid);
    return pids;
  }
}
