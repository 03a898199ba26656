/**
 * What the pool engine (`./pool-engine.ts`) needs from one kind of worker: the **link**
 * interface. A link starts workers, sends them calls, asks a running call to stop, kills,
 * and reports what its workers say (ready, an answer, gone). It never sees a queue, a
 * timeout or a statistic; the engine never sees a thread, a child process or a message
 * port. Today's links: `../links/thread/` (piscina sessions) and `../links/process/`
 * (`child_process.fork`); a remote link plugs in the same way. Design: docs/engine.md.
 */
import type { WorkerCrashedError } from '../../core/executor-errors';
import type { CallOutcome } from '../protocol';
import type { PoolCall, WithdrawResult } from './pool-call';

export type { WithdrawResult } from './pool-call';

/**
 * The engine's record of one worker. The engine owns `sent`, `outbox` and the counters; the
 * link owns `handle` (its thread, child, …) and says through {@link Link.accepting} whether
 * the worker can take calls now.
 */
export class Slot<H = unknown> {
  /** The link's worker (set by the engine right after {@link Link.start}). */
  handle!: H;
  // Invariant: the calls sent to this worker and not answered, in send order; [0] runs (or
  // is about to). A call withdrawn before it started stays, settled, until the worker
  // answers that it skipped it, so the list mirrors the worker's own order.
  readonly sent: PoolCall[] = [];
  /** Calls picked for this worker in the current dispatch, sent together as one batch. */
  outbox: PoolCall[] = [];
  /** Calls ever sent here (for `maxTasksPerWorker`). */
  total = 0;
  /** The link reported it ready at least once. */
  everReady = false;
  /** Nothing more is sent here: it is being retired or killed. */
  leaving = false;
  /**
   * A send was refused (the link could not reach the worker: its end follows). Nothing more
   * is sent here; retrying at once would spin, since the end arrives as an event the event
   * loop must first get to.
   */
  unreachable = false;
  /** Its end was handled (reported gone); final. */
  gone = false;
  /** When `sent` last became empty (`performance.now()`), for the idle timer. */
  idleSince = 0;
  /** One idle timer per worker, re-armed with `refresh()` (`./idle-workers.ts`). */
  idleTimer: NodeJS.Timeout | undefined = undefined;

  /** Where call `id` is in `sent` (-1: not there); usually the head, so looked at first. */
  lineIndex(id: number): number {
    return this.sent[0]?.id === id ? 0 : this.sent.findIndex((c) => c.id === id);
  }
}

/** What the link reports when a worker is gone, read by the engine call by call. */
export interface LinkExit {
  /**
   * Whether the worker had started `call` (`sent[index]`). A call it never started is sent
   * to another worker; one it started ends (crashed, or stopped when a stop was asked).
   */
  started(call: PoolCall, index: number): boolean;
  /** The error of a started call that the worker's end interrupted. */
  crashError(call: PoolCall): WorkerCrashedError;
  /** The worker died before it was ever ready (counts toward failed starts). */
  readonly neverReady: boolean;
  /**
   * The error of a waiting call when `starts` workers in a row died before they were
   * ready and none is: the engine stops starting workers and fails what waits.
   */
  startFailed?(call: PoolCall, starts: number): WorkerCrashedError;
  /**
   * The worker was refused at its handshake (it speaks another protocol version): every
   * worker would be, so the engine fails the waiting calls with `mismatchError`.
   */
  readonly mismatch?: (call: PoolCall) => WorkerCrashedError;
}

/** An answer a link delivers: an outcome, or `skipped` (the worker never started the call). */
export type LinkAnswer = CallOutcome | { readonly type: 'skipped'; readonly id: number };

/** How the engine hears from a link; the link calls these. */
export interface LinkEvents<H> {
  /** The worker can take calls (a link whose workers are ready at once never calls it). */
  ready(slot: Slot<H>): void;
  /** The worker answered call `message.id`: a result, an error, or `skipped` (never started). */
  answer(slot: Slot<H>, message: LinkAnswer): void;
  /** The worker reported progress for call `id` (`reportProgress`). */
  progress(slot: Slot<H>, id: number, value: unknown): void;
  /** The worker sent `values` the stream call `id` yielded, in order. */
  items(slot: Slot<H>, id: number, values: readonly unknown[]): void;
  /** The worker is gone, and every answer it sent before has been delivered through `answer`. */
  gone(slot: Slot<H>, exit: LinkExit): void;
  /** The link terminated or killed a worker because a call asked to stop did not (statistics). */
  killedForCancel(): void;
}

/** One kind of worker beneath the pool engine. */
export interface Link<H> {
  /** Start a worker for `slot`; it reports through the events given to the engine. */
  start(slot: Slot<H>): H;
  /** Whether `slot` can be sent calls now (started, not gated, not leaving). */
  accepting(slot: Slot<H>): boolean;
  /** Whether `slot` is still starting (the engine does not start another for the same demand). */
  starting(slot: Slot<H>): boolean;
  /**
   * Most calls in flight on one worker while calls are short (the engine sends calls of
   * more than {@link pipelineMaxRunMs} one at a time). `meanRunMs` is the pool's recent
   * mean run time, undefined until a few calls were measured: a link may pipeline deeper
   * when it knows its calls are tiny (more calls per message, fewer wake-ups).
   */
  depth(meanRunMs: number | undefined): number;
  /**
   * Calls whose mean run time (ms) is above this go one per worker: a call sent behind a
   * running one waits for it even when another worker frees first, which only the round
   * trip it saves on tiny calls is worth.
   */
  readonly pipelineMaxRunMs: number;
  /**
   * Send `calls` to the worker, in order, as one batch where the link can. Throws when a
   * value cannot be sent (nothing was sent then: the engine sends one by one to find the
   * call at fault). Returns false when the worker can no longer be reached (its end follows).
   */
  send(slot: Slot<H>, calls: readonly PoolCall[]): boolean;
  /** Take back `call`, sent and not answered, before it starts if the worker has not started it. */
  withdraw(slot: Slot<H>, call: PoolCall): WithdrawResult;
  /**
   * The worker of `slot` leaves: claim `call` so that it never starts there, if it has not
   * started. True when the engine may send it elsewhere now; false when it started or the
   * link cannot tell yet (the engine then waits for the worker's end, {@link LinkExit}).
   */
  reclaim(slot: Slot<H>, call: PoolCall): boolean;
  /** The error of `call` when a value of it cannot be sent (`error`: what the send threw). */
  sendError(call: PoolCall, error: unknown): Error;
  /** The consumer of the stream call `call` took `n` values: tell its worker it may send `n` more. */
  credit(slot: Slot<H>, call: PoolCall, n: number): void;
  /** Ask the running `call` to stop cooperatively; false when it had already ended. */
  requestStop(slot: Slot<H>, call: PoolCall): boolean;
  /**
   * Stop the running `call` by force (terminate or kill its worker), unless it has ended
   * meanwhile (then its answer ends it). Calls `killedForCancel` when it does. True when it
   * ended the worker now: the engine then reclaims the calls queued behind the stopped one
   * ({@link reclaim}); false when it did not, or will decide later (its end reports it).
   */
  forceStop(slot: Slot<H>, call: PoolCall): boolean;
  /** Let an idle worker go (it may stay warm with the link's own pool). */
  retire(slot: Slot<H>): void;
  /** Stop the worker now, whatever it runs. */
  kill(slot: Slot<H>): void;
  /** The worker has work (`true`: keep the process alive) or none (`false`). */
  setBusy(slot: Slot<H>, busy: boolean): void;
  /** Milliseconds an idle worker waits before it is retired, or undefined to keep it. */
  idleDelay(slot: Slot<H>, workers: number): number | undefined;
  /** A worker that leaves still holds its place against `maxWorkers` until it is gone. */
  readonly leavingHoldsPlace: boolean;
  /** Release what the link holds once every worker is gone (close()). */
  close(): Promise<void>;
}
