/**
 * The errors of calls that run elsewhere (src/executors): a worker that died, a function
 * that threw an error of a class the caller cannot find, a function or module that cannot
 * be found or loaded in a worker, a value that cannot be cloned across, a remote job that
 * failed outside the function. Branded like every unsync error (`./errors.ts`), so each
 * survives the crossing back to the caller.
 */
import { defineBrand, hasErrorBrand } from './errors';

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
