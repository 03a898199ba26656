/**
 * What a remote call looks like in Redis: the job's data (which function, its arguments)
 * and the job's return value (the call's outcome). Arguments and outcomes are encoded with
 * the process pool's wire rules (`../worker/process-wire.cjs`: JSON when JSON is exact,
 * else a V8 structured clone in base64), so they travel with structured-clone semantics.
 * The encoded arguments are a text inside the job, so a worker can check their size before
 * it decodes anything; the outcome is the packed object itself. Design: docs/remote.md.
 */
import * as path from 'node:path';
import type { CallOutcome } from '../protocol';
import { packMessage, unpackMessage } from '../worker/process-wire.cjs';

/**
 * The version of the job format; a worker refuses a job of another version (2: the packed
 * value is wrapped, `{ v }`, and the answer is an object; 1 packed arrays as V8 clones).
 */
export const REMOTE_PROTOCOL = 2;

/**
 * How a failed job's reason starts when its worker died (the job stalled) and it has no
 * attempts left: the caller turns such a failure into `WorkerCrashedError`, any other into
 * `RemoteJobError`. BullMQ's own reason for the same end (from a worker whose
 * `maxStalledCount` ran out) is {@link BULLMQ_STALLED_REASON}.
 */
export const CRASHED_REASON = 'unsync: the worker running this job died';
export const BULLMQ_STALLED_REASON = 'job stalled more than allowable limit';

/** Whether a failed job's reason says its worker died (see {@link CRASHED_REASON}). */
export function isCrashReason(reason: string): boolean {
  return reason.startsWith(CRASHED_REASON) || reason === BULLMQ_STALLED_REASON;
}

/**
 * The key of a job's progress object (`job.updateProgress({ [PROGRESS_KEY]: text })`)
 * whose text is a value the running call reported (`reportProgress`), encoded like the
 * arguments. Other progress a job may carry is not unsync's and is ignored.
 */
export const PROGRESS_KEY = 'unsync';

/** The data of one remote call's job. */
export interface RemoteJobData {
  readonly protocol: number;
  /** The defining module, relative to the `root` option, with `/` separators. */
  readonly module: string;
  /** The function's registered (qualified) name. */
  readonly name: string;
  /** The arguments, encoded (see {@link encodePayload}). */
  readonly payload: string;
  /**
   * The caller's answer channel id (see `answerChannel`), when it wants the answer published
   * there too, ahead of BullMQ's `completed` event: a caller with few calls in flight. A
   * worker ignores one that is not a {@link REPLY_ID}.
   */
  readonly reply?: string;
}

/** What a job's `reply` is: an id of 1 to 64 letters, digits, `_` or `-` (a channel name's last part). */
export const REPLY_ID = /^[\w-]{1,64}$/;

/** A message on a caller's answer channel: `[jobId, answer]` as JSON (the answer as the job's return value carries it). */
export function encodeAnswerMessage(jobId: string | undefined, answer: unknown): string {
  return JSON.stringify([jobId, answer]);
}

/** The job id and answer of an answer-channel message, or undefined for anything else. */
export function decodeAnswerMessage(message: string): { readonly jobId: string; readonly answer: unknown } | undefined {
  try {
    const [jobId, answer] = JSON.parse(message) as [unknown, unknown];
    return typeof jobId === 'string' ? { jobId, answer } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The return value of a remote call's job: the call's outcome as the process wire packs it
 * (itself when JSON is exact, else its clone envelope), an object inside the job's JSON
 * rather than a JSON text in it (BullMQ stores and streams the return value as JSON: one
 * encoding, not two).
 */
export interface RemoteJobAnswer {
  readonly protocol: number;
  readonly outcome: unknown;
  /**
   * How many times the job's workers had died under it before the run that answers (BullMQ's
   * `stalledCounter` when this worker took the job): each was followed by a retry. The caller
   * counts its retries from it, since it may never see the stalls as events (a stall and the
   * retried run's answer can both be done before it reads them). Absent from workers before
   * it was added (read as 0).
   */
  readonly stalls?: number;
  /**
   * `'redis'` when the outcome's `startedAt` and `endedAt` are on Redis's clock (the worker
   * measured its offset from it: docs/remote.md, "Wait and run times"); absent, they are on
   * the worker's own clock (a worker that could not measure it, or one from before).
   */
  readonly clock?: 'redis';
}

/**
 * `value` as text by the process wire's rules. Throws V8's `DataCloneError` when it cannot
 * be cloned. The value travels as the one field of an object: the wire reads a top-level
 * array as a batch of protocol messages, so an argument list would always take the V8
 * clone path (serialized, base64) even when JSON is exact.
 */
export function encodePayload(value: unknown): string {
  return JSON.stringify(packMessage({ v: value }));
}

/**
 * The value {@link encodePayload} was given. Only an inline envelope is accepted: the process
 * wire's file envelope (a path to read and delete) never comes from Redis.
 */
export function decodePayload(text: string): unknown {
  const received = JSON.parse(text) as unknown;
  if (typeof received === 'object' && received !== null && (received as { file?: unknown }).file !== undefined) {
    throw new TypeError('the payload names a file; remote payloads must be inline');
  }
  const wrapped = unpackMessage(received) as { v?: unknown } | null;
  if (typeof wrapped !== 'object' || wrapped === null || Array.isArray(wrapped)) throw new TypeError('the payload is not an unsync value');
  return wrapped.v;
}

const moduleKeys = new Map<string, string>();
/** `file` relative to `root`, with `/` separators (how a job names its module; remembered per pair). */
export function moduleKey(file: string, root: string): string {
  const pair = `${root}\0${file}`;
  let key = moduleKeys.get(pair);
  if (key === undefined) {
    key = path.relative(root, file).split(path.sep).join('/');
    if (moduleKeys.size < 10_000) moduleKeys.set(pair, key);
  }
  return key;
}

const moduleFiles = new Map<string, Map<string, string>>();
/**
 * The file a job's `module` names under `root` (the inverse of {@link moduleKey}; remembered
 * per pair, up to 10,000 modules a root: a worker resolves the same few for every job).
 * Only a path: what runs is what the registry holds under it.
 */
export function moduleFile(module: string, root: string): string {
  let files = moduleFiles.get(root);
  if (files === undefined) moduleFiles.set(root, (files = new Map()));
  let file = files.get(module);
  if (file === undefined) {
    file = path.resolve(root, module);
    if (files.size < 10_000) files.set(module, file);
  }
  return file;
}

/**
 * The job's answer for `outcome` (the `id` is the caller's; the worker sends 0), after
 * `stalls` deaths of the job's earlier workers; `onRedisClock` when the outcome's times are
 * on Redis's clock. Throws V8's `DataCloneError` when the outcome's value cannot be cloned.
 */
export function encodeAnswer(outcome: CallOutcome, stalls = 0, onRedisClock = false): RemoteJobAnswer {
  const packed = packMessage(outcome);
  return onRedisClock ? { protocol: REMOTE_PROTOCOL, outcome: packed, stalls, clock: 'redis' } : { protocol: REMOTE_PROTOCOL, outcome: packed, stalls };
}

/** Whether a job's answer says its outcome's times are on Redis's clock (see {@link RemoteJobAnswer}). */
export function answerOnRedisClock(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && (answer as { clock?: unknown }).clock === 'redis';
}

/** The `stalls` of a job's answer (see {@link RemoteJobAnswer}); 0 when absent or not a count. */
export function answerStalls(answer: unknown): number {
  const stalls = typeof answer === 'object' && answer !== null ? (answer as { stalls?: unknown }).stalls : undefined;
  return typeof stalls === 'number' && Number.isSafeInteger(stalls) && stalls > 0 ? stalls : 0;
}

/** The outcome inside a job's return value, or a reason why it is not one. */
export function decodeAnswer(answer: unknown): CallOutcome | string {
  const a = answer as Partial<RemoteJobAnswer> | null;
  if (typeof a !== 'object' || a === null || typeof a.outcome !== 'object' || a.outcome === null) return 'the job returned no unsync answer';
  if (a.protocol !== REMOTE_PROTOCOL) return `the worker answered with protocol ${String(a.protocol)}, this caller speaks ${REMOTE_PROTOCOL}`;
  const packed = a.outcome as { file?: unknown };
  // As for arguments: the process wire's file envelope never comes from Redis.
  if (packed.file !== undefined) return 'the job returned a malformed answer';
  const outcome = unpackMessage(packed) as CallOutcome | null;
  if (typeof outcome !== 'object' || outcome === null || (outcome.type !== 'result' && outcome.type !== 'error')) {
    return 'the job returned a malformed answer';
  }
  return outcome;
}
