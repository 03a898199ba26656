/**
 * The process pool's bookkeeping types: a call that knows which child has it, and a child's
 * slot (its pipeline of sent calls). Logic lives in `./process-executor.ts`.
 */
import { WorkerCrashedError } from '../core/errors';
import { PoolCall } from './pool-call';
import type { ClaimFile } from './process-claim';
import type { ProcessChild } from './process-child';
import type { CallMessage } from './protocol';

/**
 * Parent -> child: a call sent while an earlier call of that child was unanswered carries
 * `claim`, its sequence number in the child's sending order; the child writes it to its
 * claim file before starting the call (./process-claim.ts). Absent for a call sent to an
 * idle child (sequential calls pay nothing).
 */
export interface ProcessCallMessage extends CallMessage {
  readonly claim?: number;
}

/** A pool call plus where it is: waiting in the pool (`slot` undefined) or sent to a child. */
export class ProcessCall<T = unknown> extends PoolCall<T> {
  slot: Slot | undefined = undefined;
  /** Its number in its child's sending order (1, 2, …; `slot.sent` once sent); 0 before it is sent. */
  seq = 0;

  /** The wire message; `claim` set for a call sent behind another unanswered one (see {@link ProcessCallMessage}). */
  processMessage(seq: number, behind: boolean): ProcessCallMessage {
    this.seq = seq;
    return behind ? { ...this.message(), claim: seq } : this.message();
  }
}

/** One child and the calls sent to it. */
export interface Slot {
  readonly child: ProcessChild;
  // Invariant: the calls sent to `child` and not answered, in sending order; [0] is running.
  // A cancelled call that was not started stays (settled) until the child says it dropped it.
  readonly pipeline: ProcessCall[];
  /** Calls picked for this child in the current dispatch, sent together as one message. */
  outbox: ProcessCall[];
  /** Calls ever sent (for `maxTasksPerWorker`; the last one's sequence number). */
  sent: number;
  /** The child's claim file, opened the first time a head with calls behind it is stopped. */
  claim: ClaimFile | undefined;
  /** Heard 'ready' from the child. */
  everReady: boolean;
  /** When the pipeline last became empty (`performance.now()`). */
  idleSince: number;
  /** One timer per child, re-armed with `refresh()` (no timer object per idle period). */
  idleTimer: NodeJS.Timeout | undefined;
  /** Resolves once the child is gone. */
  readonly gone: Promise<void>;
  markGone(): void;
}

/** A fresh slot for a just-forked child. */
export function createSlot(child: ProcessChild): Slot {
  let markGone!: () => void;
  const gone = new Promise<void>((resolve) => (markGone = resolve));
  return { child, pipeline: [], outbox: [], sent: 0, claim: undefined, everReady: false, idleSince: 0, idleTimer: undefined, gone, markGone };
}

/** The error of a call whose child died while running it. */
export function crashError(call: PoolCall, exitCode: number | null, signal: NodeJS.Signals | null): WorkerCrashedError {
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
  return new WorkerCrashedError(`the child process running \`${call.ref.name}\` ${how}`, {
    exitCode: exitCode ?? undefined,
    signal: signal ?? undefined,
  });
}
