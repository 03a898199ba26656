/**
 * The process pool's bookkeeping types: a call that knows which child has it, and a child's
 * slot (its pipeline of sent calls). Logic lives in `../../process-executor.ts`.
 */
import { WorkerCrashedError } from '../../../core/errors';
import { PoolCall } from '../../engine/pool-call';
import type { ProcessChild } from './process-child';

/** A pool call plus where it is: waiting in the pool (`slot` undefined) or sent to a child. */
export class ProcessCall<T = unknown> extends PoolCall<T> {
  slot: Slot | undefined = undefined;
}

/** One child and the calls sent to it. */
export interface Slot {
  readonly child: ProcessChild;
  // Invariant: the calls sent to `child` and not answered, in sending order; [0] is running.
  // A cancelled call that was not started stays (settled) until the child says it dropped it.
  readonly pipeline: ProcessCall[];
  /** Calls picked for this child in the current dispatch, sent together as one message. */
  outbox: ProcessCall[];
  /** Calls ever sent (for `maxTasksPerWorker`). */
  sent: number;
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
  return { child, pipeline: [], outbox: [], sent: 0, everReady: false, idleSince: 0, idleTimer: undefined, gone, markGone };
}

/** The error of a call whose child died while running it. */
export function crashError(call: PoolCall, exitCode: number | null, signal: NodeJS.Signals | null): WorkerCrashedError {
  const how = signal !== null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
  return new WorkerCrashedError(`the child process running \`${call.ref.name}\` ${how}`, {
    exitCode: exitCode ?? undefined,
    signal: signal ?? undefined,
  });
}
