/**
 * Every error class unsync throws, in one module.
 *
 * Each class has a stable `name`, keeps `cause` where there is one, and carries a
 * brand (a property under a `Symbol.for` key) so that `isCancelledError(e)` and its
 * siblings hold across jest realms and after an error has been rebuilt on the far
 * side of a thread or process boundary, where `instanceof` cannot be trusted.
 *
 * Argument errors are the built-in `TypeError` / `RangeError`; see `./validate.ts`.
 */

/** The registry key of the brand property. Shared by every realm of the process. */
export const ERROR_BRAND: unique symbol = Symbol.for('unsync.error.brand') as never;

/** Names of every branded unsync error class (the brand values). */
export type UnsyncErrorName =
  | 'CancelledError'
  | 'TimeoutError'
  | 'InvalidStateError'
  | 'TaskGroupError'
  | 'QueueEmpty'
  | 'QueueFull'
  | 'QueueShutDown'
  | 'BrokenBarrierError'
  | 'WorkerCrashedError'
  | 'RemoteError'
  | 'RemoteJobError'
  | 'LocateError'
  | 'ModuleLoadError'
  | 'CloneError'
  | 'IncompleteReadError'
  | 'LimitOverrunError'
  | 'ConnectionResetError'
  | 'ClosedResourceError'
  | 'BrokenResourceError';

function brand(target: Error, name: UnsyncErrorName): void {
  Object.defineProperty(target, ERROR_BRAND, { value: name, enumerable: false });
  Object.defineProperty(target, 'name', {
    value: name,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

/** True when `e` carries the unsync brand `name` (works across realms and threads). */
export function hasErrorBrand(e: unknown, name: UnsyncErrorName): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[ERROR_BRAND] === name;
}

/** The unsync brand of `e`, or `undefined` when it is not an unsync error. */
export function errorBrandOf(e: unknown): UnsyncErrorName | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const value = (e as Record<symbol, unknown>)[ERROR_BRAND];
  return typeof value === 'string' ? (value as UnsyncErrorName) : undefined;
}

/**
 * The operation was cancelled: thrown into a task at the await where it is suspended
 * after `task.cancel(msg)`, and by `result()` / `await` on a cancelled Unfuture.
 *
 * Unlike {@link TimeoutError}, which is what a *caller* sees when a deadline it set
 * expired, `CancelledError` is what the *cancelled code itself* sees. Catching it and
 * returning normally un-cancels a task (asyncio's rule); re-throw it unless you mean that.
 */
export class CancelledError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message ?? '', options);
    brand(this, 'CancelledError');
  }
}

/**
 * A deadline expired: thrown by `waitFor`, `timeout` and `asCompleted` to the caller that
 * set it. When the timed-out work was cancelled, `cause` is the `CancelledError` it saw.
 */
export class TimeoutError extends Error {
  constructor(message = 'the operation timed out', options?: ErrorOptions) {
    super(message, options);
    brand(this, 'TimeoutError');
  }
}

/**
 * An object was used in a state that does not allow the call: `result()` on a pending
 * Unfuture, settling an Unfuture twice, entering a TaskGroup twice, `run()` inside `run()`.
 */
export class InvalidStateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    brand(this, 'InvalidStateError');
  }
}

/**
 * One or more children of a `TaskGroup` / nursery failed. `errors` holds every failure
 * (never a `CancelledError`: the siblings cancelled because of the failure are not errors).
 * Compare {@link CancelledError}, which is what the group throws when it was cancelled from
 * outside without any child failing.
 */
export class TaskGroupError extends AggregateError {
  constructor(errors: Iterable<unknown>, message?: string) {
    const list = [...errors];
    super(list, message ?? `${list.length} task${list.length === 1 ? '' : 's'} in the group failed`);
    brand(this, 'TaskGroupError');
  }
}

/** Create a branded subclass constructor for the families other modules add (queues, pools, streams). */
export function defineBrand(target: Error, name: UnsyncErrorName): void {
  brand(target, name);
}

/** True for a {@link CancelledError} from any realm or thread. */
export const isCancelledError = (e: unknown): e is CancelledError => hasErrorBrand(e, 'CancelledError');
/** True for a {@link TimeoutError} from any realm or thread. */
export const isTimeoutError = (e: unknown): e is TimeoutError => hasErrorBrand(e, 'TimeoutError');
/** True for an {@link InvalidStateError} from any realm or thread. */
export const isInvalidStateError = (e: unknown): e is InvalidStateError =>
  hasErrorBrand(e, 'InvalidStateError');
/** True for a {@link TaskGroupError} from any realm or thread. */
export const isTaskGroupError = (e: unknown): e is TaskGroupError => hasErrorBrand(e, 'TaskGroupError');

// ---- streams (src/streams) ------------------------------------------------------------

/**
 * The stream ended before a read got what it asked for: thrown by `readexactly(n)` when
 * EOF comes first, and by `readuntil(sep)` when EOF comes before the separator (asyncio's
 * `IncompleteReadError`). `partial` holds the bytes that were read (and consumed);
 * `expected` is the byte count asked for, or `null` for `readuntil`.
 *
 * Compare {@link LimitOverrunError}: there the data is still coming but is too long, and
 * nothing was consumed.
 */
export class IncompleteReadError extends Error {
  /** The bytes read before EOF (already removed from the reader's buffer). */
  readonly partial: Buffer;
  /** How many bytes were expected, or `null` when reading up to a separator. */
  readonly expected: number | null;
  constructor(partial: Buffer, expected: number | null, options?: ErrorOptions) {
    const wanted = expected === null ? 'undefined' : String(expected);
    super(`${partial.length} bytes read on a total of ${wanted} expected bytes`, options);
    this.partial = partial;
    this.expected = expected;
    defineBrand(this, 'IncompleteReadError');
  }
}

/**
 * `readuntil(sep)` / `readline()` hit the reader's buffer `limit` before finding the
 * separator, or found it beyond the limit (asyncio's `LimitOverrunError`). `consumed` is
 * how many bytes to skip to get past the data that was looked at. `readuntil` leaves the
 * data in the buffer; `readline` discards it before throwing, so the next line can be read.
 *
 * Compare {@link IncompleteReadError}: there the stream ended; here it did not.
 */
export class LimitOverrunError extends Error {
  /** Number of bytes to consume to skip the overrun data. */
  readonly consumed: number;
  constructor(message: string, consumed: number, options?: ErrorOptions) {
    super(message, options);
    this.consumed = consumed;
    defineBrand(this, 'LimitOverrunError');
  }
}

/**
 * The peer reset or aborted the connection (`ECONNRESET`, `EPIPE`, `ECONNABORTED`):
 * thrown by the next read, write or drain on an asyncio-style `StreamReader` /
 * `StreamWriter`. `code` is Node's error code and `cause` the original Node error.
 *
 * Compare {@link ClosedResourceError} (your own code closed the stream) and
 * {@link BrokenResourceError} (what the Trio-style `SocketStream` throws for the same event).
 */
export class ConnectionResetError extends Error {
  /** Node's error code, e.g. `'ECONNRESET'`. */
  readonly code: string | undefined;
  constructor(message = 'connection reset by peer', options?: ErrorOptions & { code?: string }) {
    super(message, options);
    this.code = options?.code;
    defineBrand(this, 'ConnectionResetError');
  }
}

/**
 * Trio's `ClosedResourceError`: *your* code closed the resource and then tried to use it
 * (a write after `close()` / `writeEof()`, a `sendAll` after `aclose()`, or a receive that
 * was pending while another task closed the stream).
 *
 * Compare {@link BrokenResourceError}: something *outside* your code broke the resource.
 */
export class ClosedResourceError extends Error {
  constructor(message = 'the resource was closed', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'ClosedResourceError');
  }
}

/**
 * Trio's `BrokenResourceError`: the resource was broken by something outside your code,
 * typically the peer resetting a connection under a `SocketStream`. `cause` is the
 * underlying error (usually a {@link ConnectionResetError}). The stream cannot be used
 * again; close it.
 *
 * Compare {@link ClosedResourceError}: there your own code closed it.
 */
export class BrokenResourceError extends Error {
  constructor(message = 'the resource is broken', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'BrokenResourceError');
  }
}

/** True for an {@link IncompleteReadError} from any realm or thread. */
export const isIncompleteReadError = (e: unknown): e is IncompleteReadError =>
  hasErrorBrand(e, 'IncompleteReadError');
/** True for a {@link LimitOverrunError} from any realm or thread. */
export const isLimitOverrunError = (e: unknown): e is LimitOverrunError => hasErrorBrand(e, 'LimitOverrunError');
/** True for a {@link ConnectionResetError} from any realm or thread. */
export const isConnectionResetError = (e: unknown): e is ConnectionResetError =>
  hasErrorBrand(e, 'ConnectionResetError');
/** True for a {@link ClosedResourceError} from any realm or thread. */
export const isClosedResourceError = (e: unknown): e is ClosedResourceError =>
  hasErrorBrand(e, 'ClosedResourceError');
/** True for a {@link BrokenResourceError} from any realm or thread. */
export const isBrokenResourceError = (e: unknown): e is BrokenResourceError =>
  hasErrorBrand(e, 'BrokenResourceError');

// ---- executors (src/executors) ---------------------------------------------------------

/**
 * The worker thread or child process running a call died before answering: it called
 * `process.exit`, threw an uncaught error from a callback or timer, ran out of its
 * `resourceLimits`, or was killed. Only the call that was running in it fails; the pool
 * replaces the worker. `exitCode` / `signal` say how it ended when known, `cause` is the
 * error the worker reported, if any.
 *
 * Compare {@link RemoteError}: there the worker survived and your function *threw*; and
 * {@link CancelledError}: a worker stopped on purpose (cancel, timeout) is not a crash.
 */
export class WorkerCrashedError extends Error {
  /** The worker's exit code, when it exited. */
  readonly exitCode: number | undefined;
  /** The signal that killed a child process (`'SIGKILL'`, …), when one did. */
  readonly signal: string | undefined;
  constructor(message: string, options?: ErrorOptions & { exitCode?: number; signal?: string }) {
    super(message, options);
    this.exitCode = options?.exitCode;
    this.signal = options?.signal;
    defineBrand(this, 'WorkerCrashedError');
  }
}

/**
 * A function running in a worker threw an error whose class the caller cannot find: not
 * built-in, not unsync's, not registered with `registerErrorClass`, and not exported by a
 * CommonJS module the caller has loaded (those come back as themselves; docs/errors.md).
 * `remoteName` is the original class name; `message`, `cause` (decoded by the same rules),
 * own properties that clone, such as `code`, and the worker's stack are kept.
 *
 * Compare {@link WorkerCrashedError}: there the worker itself died.
 */
export class RemoteError extends Error {
  /** The `name` of the error thrown in the worker (e.g. `'ValidationError'`). */
  readonly remoteName: string;
  constructor(message: string, remoteName: string, options?: ErrorOptions) {
    super(message, options);
    this.remoteName = remoteName;
    defineBrand(this, 'RemoteError');
  }
}

/**
 * A function cannot be found again inside a worker: it was defined inside another
 * function or created dynamically (registration throws this at once), it was never
 * registered and is not exported, or its module did not register it when the worker loaded
 * the module, or the module failed to load there (`cause`). `file` and `qualifiedName` say
 * what was looked for.
 *
 * Compare {@link CloneError}: there the function was found but its arguments or result
 * could not cross the boundary.
 */
export class LocateError extends Error {
  /** The defining module that was (or would be) loaded, when known. */
  readonly file: string | undefined;
  /** The qualified name looked for (`Class.method`, `fn`), when known. */
  readonly qualifiedName: string | undefined;
  constructor(message: string, options?: ErrorOptions & { file?: string; qualifiedName?: string }) {
    super(message, options);
    this.file = options?.file;
    this.qualifiedName = options?.qualifiedName;
    // A subclass brands itself (a brand is defined once per object).
    if (new.target === LocateError) defineBrand(this, 'LocateError');
  }
}

/**
 * The module that defines a function could not be loaded in a worker, so the function was
 * never looked for: no TypeScript loader was available for a `.ts` module, the module uses
 * TypeScript syntax that Node's type stripping cannot run (decorators, enums, parameter
 * properties, namespaces), or its top-level code threw there. The message is one line that
 * says which and names the fix; `cause` is the loader's own error, with its stack;
 * `loader` names the TypeScript loader the worker used (docs/executors.md, "Running
 * TypeScript in workers").
 *
 * A kind of {@link LocateError} (`instanceof LocateError` and `isLocateError` hold): a plain
 * `LocateError` is the other case, where the module loaded but did not register or export
 * the function.
 */
export class ModuleLoadError extends LocateError {
  /**
   * The TypeScript loader the worker used: `'tsx'`, `'ts-node'`, `'typescript'` (unsync's
   * fallback), `'native'` (Node's type stripping), `'inherited'` (a require hook the
   * parent's flags brought), or `'none'` (a JavaScript module, or no loader was found).
   */
  readonly loader: string;
  constructor(message: string, options?: ErrorOptions & { file?: string; qualifiedName?: string; loader?: string }) {
    super(message, options);
    this.loader = options?.loader ?? 'none';
    defineBrand(this, 'ModuleLoadError');
  }
}

/**
 * An argument or a result cannot be copied to or from a worker with the structured clone
 * algorithm (a function, a symbol, a class instance holding a socket, …). `what` names
 * which one (`'argument 2'`, `'result'`); `cause` is V8's `DataCloneError`. The call never
 * ran (for arguments) or its result was lost (for results); the pool stays usable.
 *
 * Compare {@link LocateError}: there the function itself could not be found.
 */
export class CloneError extends TypeError {
  /** Which value failed: `'argument N'` (1-based) or `'result'`. */
  readonly what: string;
  constructor(message: string, what: string, options?: ErrorOptions) {
    super(message, options);
    this.what = what;
    defineBrand(this, 'CloneError');
  }
}

/**
 * A remote call's job (see `toRemote`) failed outside the function: its arguments are over
 * the `maxPayload` limit, Redis refused or lost the job, or a worker refused it (it names a
 * function the worker has not registered, is malformed, or speaks another protocol
 * version). `jobId` is the BullMQ job's id when the job reached Redis; the worker's reason
 * is in the message (and stored on the job as its `failedReason`).
 *
 * Compare {@link RemoteError}: there the function ran and threw an error of a class the
 * caller cannot find.
 */
export class RemoteJobError extends Error {
  /** The BullMQ job's id, when the job was added. */
  readonly jobId: string | undefined;
  constructor(message: string, options?: ErrorOptions & { jobId?: string }) {
    super(message, options);
    this.jobId = options?.jobId;
    defineBrand(this, 'RemoteJobError');
  }
}

/** True for a {@link WorkerCrashedError} from any realm or thread. */
export const isWorkerCrashedError = (e: unknown): e is WorkerCrashedError => hasErrorBrand(e, 'WorkerCrashedError');
/** True for a {@link RemoteJobError} from any realm or thread. */
export const isRemoteJobError = (e: unknown): e is RemoteJobError => hasErrorBrand(e, 'RemoteJobError');
/** True for a {@link RemoteError} from any realm or thread. */
export const isRemoteError = (e: unknown): e is RemoteError => hasErrorBrand(e, 'RemoteError');
/** True for a {@link LocateError} from any realm or thread. */
export const isLocateError = (e: unknown): e is LocateError => hasErrorBrand(e, 'LocateError') || hasErrorBrand(e, 'ModuleLoadError');
/** True for a {@link ModuleLoadError} from any realm or thread. */
export const isModuleLoadError = (e: unknown): e is ModuleLoadError => hasErrorBrand(e, 'ModuleLoadError');
/** True for a {@link CloneError} from any realm or thread. */
export const isCloneError = (e: unknown): e is CloneError => hasErrorBrand(e, 'CloneError');

// ---- queues and synchronization primitives (src/primitives) ----------------------------

/**
 * `getNowait()` found the queue empty (asyncio's `QueueEmpty`). Only the non-blocking call
 * throws it: `get()` waits instead.
 *
 * Compare {@link QueueShutDown}: an empty queue that was shut down throws that instead,
 * because no item will ever come; and {@link QueueFull}, its mirror for `putNowait()`.
 */
export class QueueEmpty extends Error {
  constructor(message = 'the queue is empty', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'QueueEmpty');
  }
}

/**
 * `putNowait()` found a bounded queue at its `maxsize` (asyncio's `QueueFull`). Only the
 * non-blocking call throws it: `put()` waits for a free slot instead.
 *
 * Compare {@link QueueEmpty} (its mirror for `getNowait()`) and {@link QueueShutDown} (the
 * queue no longer accepts items at all).
 */
export class QueueFull extends Error {
  constructor(message = 'the queue is full', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'QueueFull');
  }
}

/**
 * The queue was shut down with `shutdown()` (Python 3.13's `QueueShutDown`): thrown by every
 * later `put`/`putNowait`, by blocked putters, and by `get`/`getNowait` once the queue is
 * drained (at once after `shutdown(true)`, which drops the remaining items). Async iteration
 * over the queue ends quietly on it.
 *
 * Compare {@link QueueEmpty}/{@link QueueFull}: those are momentary; this one is final. And
 * {@link CancelledError}: a getter cancelled by its caller sees that, not this.
 */
export class QueueShutDown extends Error {
  constructor(message = 'the queue was shut down', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'QueueShutDown');
  }
}

/**
 * A `Barrier` was aborted (`abort()`) or reset (`reset()`) while parties were waiting, or
 * `wait()` was called on a broken barrier (Python 3.11's `BrokenBarrierError`). A broken
 * barrier stays broken until `reset()`.
 *
 * Compare {@link CancelledError}: a single waiting party that is cancelled just leaves the
 * barrier, which stays usable for the others.
 */
export class BrokenBarrierError extends Error {
  constructor(message = 'the barrier is broken', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'BrokenBarrierError');
  }
}

/** True for a {@link QueueEmpty} from any realm or thread. */
export const isQueueEmpty = (e: unknown): e is QueueEmpty => hasErrorBrand(e, 'QueueEmpty');
/** True for a {@link QueueFull} from any realm or thread. */
export const isQueueFull = (e: unknown): e is QueueFull => hasErrorBrand(e, 'QueueFull');
/** True for a {@link QueueShutDown} from any realm or thread. */
export const isQueueShutDown = (e: unknown): e is QueueShutDown => hasErrorBrand(e, 'QueueShutDown');
/** True for a {@link BrokenBarrierError} from any realm or thread. */
export const isBrokenBarrierError = (e: unknown): e is BrokenBarrierError => hasErrorBrand(e, 'BrokenBarrierError');
