/**
 * The process link: child processes (`child_process.fork`, through ./process-child.ts)
 * beneath the pool engine.
 *
 * Each child runs one call at a time, in the order it received them, and answers in that
 * order (the contract is written at the top of ../../worker/process-entry.cjs). The first
 * unanswered call of a child's line (its *head*) is the one it runs; the others have not
 * started. So, without a message per start:
 *
 * - a child that dies has started only its head: the engine fails that one
 *   (`WorkerCrashedError`) and sends the rest to another child;
 * - withdrawing a call behind the head sends a `cancel`, and the child drops it unstarted
 *   ('asked': should it have started meanwhile, the engine stops it once it heads the line);
 * - stopping a head by force first closes its child's gate: the child's control thread
 *   answers which call runs (the head's answer may be unread while the child runs the next
 *   call) and nothing starts after it; only if the head still runs is the child killed
 *   (SIGTERM, then SIGKILL), and the calls behind it go to another child. Design:
 *   docs/executors.md, "the gate".
 *
 * It also serves a caller blocked in `resultSync` (./process-sync-wait.ts).
 */
import * as path from 'node:path';
import { InvalidStateError } from '../../../core/errors';
import { CloneError, WorkerCrashedError } from '../../../core/executor-errors';
import type { Unfuture } from '../../../core/future';
import type { EngineAccess } from '../../engine/engine-access';
import type { Link, LinkEvents, Slot, WithdrawResult } from '../../engine/link';
import type { PoolCall } from '../../engine/pool-call';
import type { ResolvedProcessPoolOptions } from '../../engine/pool-options';
import type { CallOutcome } from '../../protocol';
import { argumentCloneError } from '../../serialization';
import { takeTransfers } from '../../worker/moves.cjs';
import { ProcessChild } from './process-child';
import {
  createSyncFolder,
  registerProcessSyncSource,
  removeSyncFolder,
  unregisterProcessSyncSource,
  waitForReadyMarker,
  type ProcessSyncPlan,
  type ProcessSyncSource,
} from './process-sync-wait';

/** Most calls sent ahead to one child (tiny calls only; see {@link ProcessLink.depth}). */
const PIPELINE_DEPTH = 64;
/** Calls whose mean run time is above this (ms) are not pipelined: balance beats latency. */
const PIPELINE_MAX_RUN_MS = 2;

type ChildSlot = Slot<ProcessChild>;

/** Child processes beneath a pool engine. */
export class ProcessLink implements Link<ProcessChild>, ProcessSyncSource {
  /** A stopping child is still a process: it counts against maxWorkers until it is gone. */
  readonly leavingHoldsPlace = true;
  readonly #options: ResolvedProcessPoolOptions;
  readonly #events: LinkEvents<ProcessChild>;
  readonly #engine: EngineAccess<ProcessChild>;
  // Answer files and ready markers for callers blocked in resultSync; made at the first fork.
  #syncFolder: string | undefined = undefined;

  constructor(events: LinkEvents<ProcessChild>, engine: EngineAccess<ProcessChild>, options: ResolvedProcessPoolOptions) {
    this.#events = events;
    this.#engine = engine;
    this.#options = options;
  }


  // ---- Link ------------------------------------------------------------------------------

  start(slot: ChildSlot): ProcessChild {
    if (this.#syncFolder === undefined) {
      this.#syncFolder = createSyncFolder();
      registerProcessSyncSource(this);
    }
    const o = this.#options;
    return new ProcessChild(
      { execArgv: o.execArgv, env: o.env, syncFolder: this.#syncFolder },
      {
        ready: () => this.#events.ready(slot),
        message: (_child, message) => {
          if (message.type === 'progress') this.#events.progress(slot, message.id, message.value);
          else if (message.type === 'items') this.#events.items(slot, message.id, message.values);
          else if (message.type !== 'ready') this.#events.answer(slot, message);
        },
        gone: (_child, exitCode, signal) => this.#gone(slot, exitCode, signal),
      },
    );
  }

  accepting(slot: ChildSlot): boolean {
    return slot.handle.state === 'ready' && !slot.handle.gating;
  }

  starting(slot: ChildSlot): boolean {
    return slot.handle.state === 'starting';
  }

  readonly pipelineMaxRunMs = PIPELINE_MAX_RUN_MS;

  /** Tiny calls are pipelined: a child never waits a round trip for its next call. */
  depth(): number {
    return PIPELINE_DEPTH;
  }

  send(slot: ChildSlot, calls: readonly PoolCall[]): boolean {
    // No shared memory between processes: a value marked with move() is copied, and its mark used up.
    takeTransfers(calls.length === 1 ? calls[0]!.args : calls.flatMap((call) => call.args));
    return slot.handle.send(calls.length === 1 ? calls[0]!.message() : calls.map((call) => call.message()));
  }

  withdraw(slot: ChildSlot, call: PoolCall): WithdrawResult {
    if (slot.sent[0] === call) return 'running';
    slot.handle.send({ type: 'cancel', id: call.id });
    return 'asked';
  }

  /** The line is read when the child is gone ({@link #gone}): nothing is claimed before. */
  reclaim(): boolean {
    return false;
  }

  sendError(call: PoolCall, error: unknown): Error {
    const name = call.ref.name;
    const reason = error instanceof Error ? error.message : String(error);
    return argumentCloneError(name, call.args) ?? new CloneError(`a value of \`${name}\` cannot be sent to a child process: ${reason}`, 'argument', { cause: error });
  }

  credit(slot: ChildSlot, call: PoolCall, n: number): void {
    slot.handle.send({ type: 'credit', id: call.id, n });
  }

  requestStop(slot: ChildSlot, call: PoolCall): boolean {
    slot.handle.requestStop(call.id);
    return true;
  }

  /**
   * Stop `slot`'s head. Its answer may be unread in the channel while the child already runs
   * the next call, so close the child's gate first (nothing starts after that) and learn
   * which call runs; kill only if it is the head (docs/executors.md, "the gate"). A child
   * that cannot answer is killed. The child's end reports which calls it had started.
   */
  forceStop(slot: ChildSlot): boolean {
    const child = slot.handle;
    if (child.gating) return false; // the gate under way looks at the head again when it answers
    child.gate().then(
      (running) => this.#gated(slot, running),
      () => this.#killForHead(slot),
    );
    return false;
  }

  retire(slot: ChildSlot): void {
    slot.handle.retire();
  }

  kill(slot: ChildSlot): void {
    slot.handle.kill();
  }

  setBusy(slot: ChildSlot, busy: boolean): void {
    slot.handle.setReferenced(busy);
  }

  idleDelay(_slot: ChildSlot, workers: number): number | undefined {
    return workers <= this.#options.minWorkers ? undefined : this.#options.idleTimeout;
  }

  async close(): Promise<void> {
    unregisterProcessSyncSource(this);
    if (this.#syncFolder !== undefined) removeSyncFolder(this.#syncFolder);
    this.#syncFolder = undefined;
  }

  /** The process ids of the live children (a fresh array). */
  childPids(): number[] {
    const pids: number[] = [];
    for (const slot of this.#engine.slots()) if (slot.handle.pid !== undefined) pids.push(slot.handle.pid);
    return pids;
  }

  // ---- what children say -------------------------------------------------------------------

  /**
   * `slot`'s child has closed its gate; `running` is the call it was running then (0: none).
   * The head still running and asked to stop: kill. Otherwise the head had finished (its
   * answer, read or on its way, ends it cancelled): open the gate. With nothing running, an
   * answer the child wrote may still be on its way: two turns of the loop read what the
   * channel holds before deciding.
   */
  #gated(slot: ChildSlot, running: number): void {
    const decide = (): void => {
      if (slot.gone) return;
      const head = slot.sent[0];
      const headStillRuns = head !== undefined && head.stopRequested && (running === 0 || running === head.id);
      if (headStillRuns) this.#killForHead(slot);
      else {
        slot.handle.ungate();
        this.#engine.kick();
      }
    };
    if (running === 0) setImmediate(() => setImmediate(decide));
    else decide();
  }

  #killForHead(slot: ChildSlot): void {
    if (slot.gone || slot.handle.state === 'gone') return;
    this.#events.killedForCancel();
    slot.handle.kill(); // nothing behind the head has started: the gate is closed
  }

  /** The child exited and its channel closed (every answer it wrote was delivered). */
  #gone(slot: ChildSlot, exitCode: number | null, signal: NodeJS.Signals | null): void {
    const child = slot.handle;
    const mismatch = child.mismatch;
    this.#events.gone(slot, {
      // Only the head ran; a head stopped for another call's sake (a stopping child) did not.
      started: (call, index) => index === 0 && (call.stopRequested || !child.stoppedOnPurpose),
      crashError: (call) => crashError(call, exitCode, signal),
      neverReady: !slot.everReady && (!child.stoppedOnPurpose || mismatch !== undefined),
      startFailed: (call, starts) => {
        const error = crashError(call, exitCode, signal);
        error.message = `${error.message} before it was ready; ${starts} children in a row died while starting (check configure({ process: { execArgv, env } }))`;
        return error;
      },
      mismatch:
        mismatch === undefined
          ? undefined
          : (call) => {
              const error = crashError(call, exitCode, signal);
              error.message = `no child process could run \`${call.ref.name}\`: ${mismatch}`;
              return error;
            },
    });
  }

  // ---- a caller blocked in resultSync (./process-sync-wait.ts) ------------------------------

  /** @internal ProcessSyncSource: put the call with a child and ask it for a sync answer. */
  prepareSyncWait(future: Unfuture<unknown>, deadline: number): ProcessSyncPlan | null | undefined {
    const engine = this.#engine;
    const found = engine.find(future);
    if (found === undefined) return undefined;
    const call = found.call;
    let slot = found.slot;
    if (slot?.handle.gating) {
      throw new InvalidStateError(`the child process holding ${future.getName()} is gated while another of its calls is cancelled: await it instead`);
    }
    if (slot === undefined) {
      // Nothing sends it while the caller blocks: hand it to a child now, past the pipeline depth.
      const target = this.#syncSlot(deadline);
      engine.unqueue(call);
      if (!engine.sendNow(call, target)) {
        if (call.state === 'done') return null; // it could not be sent (CloneError): nothing to wait for
        throw new InvalidStateError(`the child process chosen for ${future.getName()} is exiting: await it instead`);
      }
      slot = target;
    }
    const child = slot.handle;
    const file = path.join(this.#syncFolder!, `answer-${call.id}`);
    if (!child.send({ type: 'sync', id: call.id, file })) {
      throw new InvalidStateError(`the child process holding ${future.getName()} is exiting: await it instead`);
    }
    return { file, pid: child.pid!, settle: (outcome: CallOutcome) => call.settleOutcome(outcome, engine.counters) };
  }

  /** A child that listens now: the least busy ready one, else a starting one once its ready marker shows. */
  #syncSlot(deadline: number): ChildSlot {
    const engine = this.#engine;
    let best: ChildSlot | undefined;
    for (const slot of engine.slots()) {
      if (slot.leaving || !this.accepting(slot)) continue;
      if (best === undefined || slot.sent.length < best.sent.length) best = slot;
    }
    if (best !== undefined) return best;
    const starting = (): ChildSlot[] => [...engine.slots()].filter((slot) => !slot.leaving && slot.handle.state === 'starting');
    if (starting().length === 0) engine.spawn();
    return waitForReadyMarker(this.#syncFolder!, starting(), (slot) => slot.handle.pid, deadline);
  }
}

/** The error of a call whose child died while running it. */
export function crashError(call: PoolCall, exitCode: number | null, signal: NodeJS.Signals | null): WorkerCrashedError {
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
  return new WorkerCrashedError(`the child process running \`${call.ref.name}\` ${how}`, {
    exitCode: exitCode ?? undefined,
    signal: signal ?? undefined,
  });
}
