/**
 * The wire protocol between the caller and a worker (thread or child process).
 *
 * Every message is a plain object with a `type` and, for anything about a call, the call's
 * `id` (unique per executor). Values travel by structured clone (`postMessage`, or
 * `child_process` IPC, where `./worker/process-wire.cjs` sends JSON only when it is exact); a thrown error travels only as an
 * {@link EncodedError} made by `encodeError` and rebuilt by `decodeError`
 * (`./worker/error-codec.cjs`), the one crossing point for errors.
 *
 * Thread pool: each thread has its own `MessagePort`; the parent sends `ThreadCallBatch`es
 * (flat arrays of calls, several may be queued per thread; functions named by the thread's
 * function table, `ThreadFunctionMessage`) and the thread answers each call with a
 * `ThreadResultBatch` entry (a plain result, flat), a `ResultMessage` / `ErrorMessage`, or
 * `SkippedMessage` for a call cancelled before it started. Process
 * pool: the same messages go over IPC, many
 * calls may be in flight per child, and the child adds `ReadyMessage` and obeys
 * `ShutdownMessage` / `CancelMessage`.
 */
export type { EncodedError } from './worker/error-codec.cjs';

/** Bumped on any incompatible change to the messages below; checked at each worker's handshake. */
export { PROTOCOL_VERSION } from './worker/wire.cjs';

/** Where a function lives: its defining module and its qualified name in that module. */
export interface CallRef {
  /** Absolute path of the defining module (what the worker `require`s). */
  readonly file: string;
  /** `Class.method`, `Class.staticMethod`, the function's name, or an explicit name. */
  readonly name: string;
}

/**
 * The messages, one interface each (their shapes are declared once, in ./worker/wire.d.cts,
 * where the worker side's JSDoc types read them too).
 */
export type {
  CallMessage,
  ThreadCallMessage,
  ThreadFunctionMessage,
  ThreadCallExtras,
  ThreadCallBatch,
  ThreadResultBatch,
  SkippedMessage,
  CancelMessage,
  SyncRequestMessage,
  UnknownCallMessage,
  StopMessage,
  ShutdownMessage,
  CallTimes,
  ResultMessage,
  ErrorMessage,
  ReadyMessage,
  ProgressMessage,
  ItemsMessage,
  CreditMessage,
  ParentMessage,
  WorkerMessage,
  CallOutcome,
  ThreadSessionInit,
} from './worker/wire.cjs';
