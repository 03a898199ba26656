/**
 * The remote executor's table of calls in flight, one entry a job (by job id), and what is
 * counted from it: where each call is (`queued` / `running` in statistics) and how many of
 * its runs were started again after their worker died (`retried`). A call leaves the table
 * when it settles, in one place ({@link RemoteCalls.end}), so it settles once. Part of the
 * remote executor (./remote-executor.ts), which learns what became of the jobs.
 */
import { randomUUID } from 'node:crypto';
import type { PoolCall } from '../engine/pool-call';

/**
 * Where a remote call is: `adding` (its job is on its way to Redis), `waiting` (in the
 * queue), `running` (a worker took it). A settled call leaves the table.
 */
export type RemotePhase = 'adding' | 'waiting' | 'running';

/** One call in flight and its job. */
export interface RemoteCall {
  readonly call: PoolCall;
  readonly jobId: string;
  phase: RemotePhase;
  /** Cancelled while its job was being added: removed as soon as the add is done. */
  cancelWanted: boolean;
  /**
   * How many times the job's worker died under it, as far as this caller knows (the job's
   * `stalledCounter`: from a `stalled` event, a look at the job, or the answer, which
   * carries the count). Invariant: only grows, and never past the job's own count; the
   * table's `retried` holds `min(stalls, attempts - 1)` for this call (see `learnStalls`).
   */
  stalls: number;
  /**
   * This caller is removing the job (a cancel, or a death out of attempts): while it is, a
   * look that finds the job gone is that removal, settled by its outcome, not a lost job;
   * `'removed'` once a removal took the job (the caller of the removal settles the call).
   */
  removing: number | 'removed';
}

/** The one `markSent` handle of the remote side (a remote call is never "cold" twice per module). */
const REMOTE_WORKER = Object.freeze({ remote: true });

/**
 * The calls in flight, by job id.
 *
 * @example
 * const calls = new RemoteCalls(attempts);
 * const entry = calls.add(call); // its job id is entry.jobId
 * calls.end(entry, () => call.settleOutcome(outcome, counters));
 */
export class RemoteCalls {
  readonly #attempts: number;
  readonly #calls = new Map<string, RemoteCall>();
  /** Runs started again after their worker died, over every call (statistics). */
  #retried = 0;
  #drained: (() => void) | undefined = undefined;
  readonly #onEmpty: () => void;

  /**
   * `attempts`: how many times a job may be started (`remote.attempts`); `onEmpty` runs
   * each time the last call in flight settles (the executor's connections may then go idle).
   */
  constructor(attempts: number, onEmpty: () => void = () => undefined) {
    this.#attempts = attempts;
    this.#onEmpty = onEmpty;
  }

  /** Enter `call`, its job (a new random id) on its way to Redis. */
  add(call: PoolCall): RemoteCall {
    const entry: RemoteCall = { call, jobId: randomUUID(), phase: 'adding', cancelWanted: false, stalls: 0, removing: 0 };
    this.#calls.set(entry.jobId, entry);
    return entry;
  }

  /** The call of job `jobId`, if it is in flight. */
  get(jobId: string): RemoteCall | undefined {
    return this.#calls.get(jobId);
  }

  /** True while `entry` is in flight (not settled). */
  holds(entry: RemoteCall): boolean {
    return this.#calls.get(entry.jobId) === entry;
  }

  /** How many calls are in flight. */
  get size(): number {
    return this.#calls.size;
  }

  /** The calls in flight, in the order they were added. */
  values(): IterableIterator<RemoteCall> {
    return this.#calls.values();
  }

  /** A worker took `entry`'s job (again, after a retry: the call started once). */
  started(entry: RemoteCall): void {
    if (entry.phase === 'running' || entry.call.state === 'done') return;
    entry.phase = 'running';
    if (entry.call.state !== 'queued') return;
    entry.call.markSent(REMOTE_WORKER);
    entry.call.markRunning();
  }

  /**
   * The job of `entry` (a call not settled yet) stalled `count` times in all: count the
   * retries this adds. Every stall but one past the attempts was followed by a run started
   * again, so the call's retries are `min(stalls, attempts - 1)`; each source of the count
   * (a `stalled` event, a look at the job, the answer) may report it, late or never, so
   * only the growth is added: once per call, whichever sources report it. False if the
   * count is not news (or the call is settled).
   */
  learnStalls(entry: RemoteCall, count: number): boolean {
    if (count <= entry.stalls || !this.holds(entry)) return false;
    const retries = (stalls: number): number => Math.min(stalls, this.#attempts - 1);
    this.#retried += retries(count) - retries(entry.stalls);
    entry.stalls = count;
    return true;
  }

  /** Runs started again after their worker died (statistics). */
  get retried(): number {
    return this.#retried;
  }

  /** Settle `entry` with `settle` and forget it; nothing if it was settled already. */
  end(entry: RemoteCall, settle: () => void): void {
    if (!this.holds(entry)) return;
    this.#calls.delete(entry.jobId);
    settle();
    if (this.#calls.size > 0) return;
    this.#onEmpty();
    if (this.#drained === undefined) return;
    const drained = this.#drained;
    this.#drained = undefined;
    drained();
  }

  /** Resolves once no call is in flight (at once if none is). */
  drained(): Promise<void> {
    if (this.#calls.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const before = this.#drained;
      this.#drained = () => {
        before?.();
        resolve();
      };
    });
  }

  /** How many calls wait (`adding` or `waiting`: not taken by a worker) and how many run. */
  counts(): { queued: number; running: number } {
    let queued = 0;
    let running = 0;
    for (const entry of this.#calls.values()) {
      if (entry.phase === 'running') running++;
      else queued++;
    }
    return { queued, running };
  }
}
