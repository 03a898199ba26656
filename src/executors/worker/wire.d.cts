/**
 * Types of `./wire.cjs` (see that file for the meaning of each constant), and the shapes of
 * the messages on the wire (and of an encoded error), which both sides read: the worker
 * side's JSDoc types and the parent's (re-exported by ../protocol.ts and ./error-codec.d.cts).
 * See ../protocol.ts for the protocol as a whole.
 */
export const PROTOCOL_VERSION: number;
export const PROCESS_CONTROL_FD: 4;
export const CONTROL_GATE_REQUEST: -1;
export const CONTROL_UNGATE_REQUEST: -2;
export const CONTROL_GATED: 2147483647;
export const CELL_SENT: 0;
export const CELL_STARTED: 1;
export const CELL_CANCELLED: 2;
export const CELL_STOP: 3;
export const CELL_DONE: 4;
export const CELL_ANSWERED: 5;
export const ANSWER_SLOTS: 4;
export const ANSWER_NUMBER: 0;
export const ANSWER_UNDEFINED: 1;
export const ANSWER_NULL: 2;
export const ANSWER_TRUE: 3;
export const ANSWER_FALSE: 4;
export const ANSWER_THENABLE: 8;

/** Parent -> worker: run `name` from `file` with `args`. */
export interface CallMessage {
  readonly type: 'call';
  readonly id: number;
  readonly file: string;
  readonly name: string;
  readonly args: readonly unknown[];
  /**
   * Present for a stream call: the function is a generator function, and the worker sends
   * what it yields as `items`, at most this many values ahead of the consumer (its first
   * credit; `credit` messages grant more).
   */
  readonly stream?: number;
  /**
   * Present (true) when the caller wants the call's CPU time: the worker reads its thread's
   * CPU clock around a synchronous run and adds `cpuMs` / `preemptedMs` to the answer
   * (./cpu-clock.cjs). Absent, nothing is read (the reads cost about a microsecond).
   */
  readonly cpu?: true;
}

/**
 * A thread's view of one call (what ./thread-entry.cjs rebuilds from a `ThreadCallBatch`
 * entry): a `CallMessage` plus the index of its cell in the thread's shared claim array
 * (the thread claims the cell before starting; see ../links/thread/thread-link.ts).
 */
export interface ThreadCallMessage extends CallMessage {
  readonly cell: number;
}

/**
 * Parent -> thread: entry `fn` of the thread's function table is `name` of `file`. Sent
 * once per function and session, before the first call that names it (a port keeps its
 * order), so calls carry a small number instead of two strings each.
 */
export interface ThreadFunctionMessage {
  readonly type: 'function';
  readonly fn: number;
  readonly file: string;
  readonly name: string;
}

/** The rare parts of a thread call (`ThreadCallBatch`): its function-table entry, and `cpu` / `stream` as in `CallMessage`. */
export interface ThreadCallExtras {
  readonly fn: number;
  readonly cpu?: true;
  readonly stream?: number;
}

/**
 * Parent -> thread: calls to run in order, flat, four slots per call: the function-table
 * entry (`ThreadFunctionMessage`; a `ThreadCallExtras` when the call asks for its CPU time
 * or is a stream call), the call id, its claim cell, its arguments. A flat array of numbers
 * clones several times cheaper than one object per call (no property names on the wire).
 * One message per batch: it clones whole or not at all.
 */
export type ThreadCallBatch = readonly (number | ThreadCallExtras | readonly unknown[])[];

/** Slots per call in a `ThreadCallBatch`. */
export const THREAD_CALL_STRIDE: 4;

/**
 * Thread -> parent: plain results, flat, four slots each: call id, value, `startedAt`,
 * `endedAt` (a `ResultMessage` without `thenable`, `cpuMs` or `preemptedMs`, which go as
 * `ResultMessage`s). An empty batch says "answers are waiting in the answer cells"
 * (`CELL_ANSWERED`): the thread posts one after a run of such answers, not one per answer.
 */
export type ThreadResultBatch = readonly unknown[];

/** Slots per result in a `ThreadResultBatch`. */
export const THREAD_RESULT_STRIDE: 4;

/**
 * Thread -> parent: call `id`, sent with claim cell `cell`, was cancelled before it started
 * and did not run. The cell tells a stale skip apart: a call claimed back from a session
 * and sent to the same session again is answered twice, `skipped` for the first send.
 */
export interface SkippedMessage {
  readonly type: 'skipped';
  readonly id: number;
  readonly cell: number;
}

/**
 * Parent -> worker: call `id` is cancelled. Not started yet: the worker drops it (process
 * pool; the thread pool uses the claim cell instead). Running: the worker asks it to stop
 * (its signal aborts, `checkpoint()` throws); it still answers in its place.
 */
export interface CancelMessage {
  readonly type: 'cancel';
  readonly id: number;
}

/**
 * Parent -> child (process pool): the parent is blocked in `resultSync` on call `id` and
 * cannot read this channel; write the call's outcome (`v8.serialize`d) to `file` when it
 * ends, or now if it was answered already. See src/executors/links/process/process-sync-wait.ts.
 */
export interface SyncRequestMessage {
  readonly type: 'sync';
  readonly id: number;
  readonly file: string;
}

/** Child -> parent, in a sync answer file: the child has no record of call `id` (answered too long ago). */
export interface UnknownCallMessage {
  readonly type: 'unknown';
  readonly id: number;
}

/**
 * Parent -> thread: a session's init message, the piscina task that makes a thread serve
 * calls (built by `Thread` in ../links/thread/piscina-sessions.ts, served by ./thread-entry.cjs): the
 * port calls arrive on; the thread's claim cells (one per call, then the dead, session,
 * thread and exit cells at the indexes given); the pool's wake-up signal for a caller
 * blocked in `resultSync`; the parent's TypeScript loader; its protocol version.
 */
export interface ThreadSessionInit {
  readonly port: import('node:worker_threads').MessagePort;
  readonly cells: Int32Array;
  /** The answer cells, `ANSWER_SLOTS` per claim cell (see `CELL_ANSWERED`). */
  readonly answers: Float64Array;
  readonly signal: Int32Array;
  readonly deadCell: number;
  readonly sessionCell: number;
  readonly threadCell: number;
  readonly exitCell: number;
  readonly tsLoader: string | undefined;
  readonly version: number;
}

/**
 * Parent -> thread: the running call `id` must stop (its claim cell was moved to STOP first,
 * which a synchronous `checkpoint()` reads; this message aborts its signal).
 */
export interface StopMessage {
  readonly type: 'stop';
  readonly id: number;
}

/** Parent -> worker (process pool): finish running calls, then exit. */
export interface ShutdownMessage {
  readonly type: 'shutdown';
}

/**
 * Times a worker reports, in milliseconds since the epoch with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()` on the worker side), so the parent can
 * compute wait and run time without a message when the call starts.
 */
export interface CallTimes {
  readonly startedAt: number;
  readonly endedAt: number;
  /**
   * Present (true) when the function returned a thenable, which the worker awaited: the
   * function is async in fact, whatever its source looks like (the decorator's rule 2).
   */
  readonly thenable?: true;
  /**
   * The CPU time (ms) the worker's thread spent in a synchronous run, when the call asked
   * (`CallMessage.cpu`) and the worker can measure it exactly enough (./cpu-clock.cjs).
   */
  readonly cpuMs?: number;
  /** The time (ms) the run was preempted (runnable, waiting for a core), when asked and known (Linux). */
  readonly preemptedMs?: number;
}

/** Worker -> parent: call `id` returned `value`. */
export interface ResultMessage extends CallTimes {
  readonly type: 'result';
  readonly id: number;
  readonly value: unknown;
}

/**
 * Worker -> parent: call `id` failed. `phase` says where: `'locate'` (the module could not
 * be loaded or did not register the name: a `LocateError`), `'run'` (the function threw),
 * `'result'` (the value it returned cannot be cloned: a `CloneError`).
 */
export interface ErrorMessage extends CallTimes {
  readonly type: 'error';
  readonly id: number;
  readonly phase: 'locate' | 'run' | 'result';
  readonly error: EncodedError;
}

/**
 * Worker -> parent: the running call `id` reported progress (`reportProgress(value)`),
 * before its answer. Sent at most once a millisecond per call; values in between are
 * coalesced, the last one always sent before the answer.
 */
export interface ProgressMessage {
  readonly type: 'progress';
  readonly id: number;
  readonly value: unknown;
}

/** Worker -> parent: values the stream call `id` yielded, in order (a chunk of one or more). */
export interface ItemsMessage {
  readonly type: 'items';
  readonly id: number;
  readonly values: readonly unknown[];
}

/** Parent -> worker: the consumer of the stream call `id` took `n` values; `n` more may be sent. */
export interface CreditMessage {
  readonly type: 'credit';
  readonly id: number;
  readonly n: number;
}

/** Worker -> parent (process pool): the child is up and listening. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly pid: number;
  readonly version: number;
}

/** Every message the parent sends. */
export type ParentMessage = CallMessage | CancelMessage | StopMessage | SyncRequestMessage | ShutdownMessage | CreditMessage;
/** Every message a worker sends. */
export type WorkerMessage = ResultMessage | ErrorMessage | ReadyMessage | ProgressMessage | ItemsMessage;
/** The answer to one call. */
export type CallOutcome = ResultMessage | ErrorMessage;

// Errors on the wire, made by `encodeError` and rebuilt by `decodeError` (./error-codec.cjs).

/** An error (or any thrown value) in a form that survives structured clone. */
export type EncodedError = EncodedErrorRecord | EncodedThrownValue;

/** A thrown `Error`, field by field. */
export interface EncodedErrorRecord {
  readonly kind: 'error';
  /** `error.constructor.name` in the worker. */
  readonly ctor: string;
  /** `error.name` in the worker. */
  readonly name: string;
  /** The unsync brand (`'CancelledError'`, …) when the error is one of unsync's. */
  readonly brand?: string;
  readonly message: string;
  /** The worker-side stack text. */
  readonly stack?: string;
  readonly cause?: EncodedError;
  /** `AggregateError#errors`. */
  readonly errors?: readonly EncodedError[];
  /** Own enumerable properties (`code`, `errno`, …) that clone; the others are dropped. */
  readonly props?: Readonly<Record<string, EncodedError>>;
  /** Where the caller may find the error's class (absent for built-in and unsync classes). */
  readonly origin?: EncodedErrorOrigin;
}

/**
 * Where the caller may find an error's class (see ./error-classes.cjs): plain strings, so
 * the record means the same to any caller, whatever carried it.
 */
export interface EncodedErrorOrigin {
  /** The key the class was registered under with `registerErrorClass` where it was thrown. */
  readonly registered?: string;
  /**
   * Loaded modules (real paths) that export the class, and the export path in each: `''`
   * (the module's exports are the class), `Name`, or `bag.Name`.
   */
  readonly exports?: readonly (readonly [file: string, path: string])[];
}

/** A thrown non-error value (cloned, or its `String()` when it cannot be cloned). */
export interface EncodedThrownValue {
  readonly kind: 'value';
  readonly value: unknown;
}
