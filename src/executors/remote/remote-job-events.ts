/**
 * What BullMQ's `QueueEvents` say about the remote executor's jobs, as calls per job: a
 * worker took a job, it completed, it failed, it reported progress (the unsync value,
 * decoded), a closing worker put it back, or its worker died. Events of jobs the executor
 * does not know (other callers', settled calls') are dropped here. Part of the remote
 * executor (./remote-executor.ts), which decides what each means for the call.
 *
 * The events are best-effort (a Redis stream read; a reconnect may skip some): the
 * executor's poll (./job-poll.ts) covers what they miss (docs/remote.md, "A call's life").
 */
import { PROGRESS_KEY, decodePayload } from './remote-wire';

/** The part of a `QueueEvents` (an `EventEmitter`) that is listened to. */
export interface JobEventSource {
  on(event: string, listener: (args: any) => void): unknown;
}

/** What is called for an event of a known job: `call` is what `find` returned for its id. */
export interface JobEventHandlers<C> {
  /** A worker took the job (BullMQ's `active`): the first time, or again after a retry. */
  active(call: C): void;
  /** The job completed; `returnvalue` is the answer as the event carries it (its JSON text, or parsed). */
  completed(call: C, returnvalue: unknown): void;
  /** The job failed (a worker refused it, or BullMQ failed it): `reason` is its `failedReason`. */
  failed(call: C, reason: string): void;
  /** The job's call reported `value` (`reportProgress` on the worker). */
  progress(call: C, value: unknown): void;
  /**
   * The job went from active back to waiting (a closing worker put it back, whole), or to
   * the delayed set (its backoff after its worker died).
   */
  requeued(call: C): void;
  /** BullMQ's stalled check moved the job back to waiting: its worker died (or lost its lock). */
  stalled(call: C): void;
}

/**
 * Listen to `events` for the jobs `find` knows (by job id) and call `handlers` with each.
 * Connection errors are swallowed: ioredis reconnects, and the poll bounds what a lost
 * event delays. A progress event that is not an unsync value (`{ [PROGRESS_KEY]: text }`)
 * or cannot be decoded is dropped: progress is best-effort.
 */
export function followJobEvents<C>(events: JobEventSource, find: (jobId: string) => C | undefined, handlers: JobEventHandlers<C>): void {
  events.on('error', () => undefined);
  events.on('active', ({ jobId }: { jobId: string }) => {
    const call = find(jobId);
    if (call !== undefined) handlers.active(call);
  });
  events.on('completed', ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
    const call = find(jobId);
    if (call !== undefined) handlers.completed(call, returnvalue);
  });
  events.on('failed', ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
    const call = find(jobId);
    if (call !== undefined) handlers.failed(call, failedReason);
  });
  events.on('progress', ({ jobId, data }: { jobId: string; data: unknown }) => {
    const call = find(jobId);
    const encoded = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[PROGRESS_KEY] : undefined;
    if (call === undefined || typeof encoded !== 'string') return;
    let value: unknown;
    try {
      value = decodePayload(encoded);
    } catch {
      return; // not ours, or damaged
    }
    handlers.progress(call, value);
  });
  events.on('waiting', ({ jobId, prev }: { jobId: string; prev?: string }) => {
    if (prev !== 'active') return;
    const call = find(jobId);
    if (call !== undefined) handlers.requeued(call);
  });
  events.on('delayed', ({ jobId }: { jobId: string }) => {
    const call = find(jobId);
    if (call !== undefined) handlers.requeued(call);
  });
  events.on('stalled', ({ jobId }: { jobId: string }) => {
    const call = find(jobId);
    if (call !== undefined) handlers.stalled(call);
  });
}
