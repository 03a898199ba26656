/**
 * Blocking for a process call: the `SyncWaiter` behind `future.resultSync(ms)` for
 * `executor: 'process'` futures (installed into `syncWaiters.process` when this module
 * loads). Design: docs/executors.md, "Blocking for a process call".
 *
 * Only the parent's event loop reads a child's IPC channel, and Node has no synchronous
 * read of it. Writing still works while the parent is blocked (libuv writes to a pipe at
 * once when its queue is empty), so the blocked parent sends the child a `sync` request
 * naming a file in the pool's private folder, then polls for that file; the child writes
 * the call's outcome there (whole, by rename) when the call ends, or at once if it had
 * answered already. The IPC answer still arrives later and keeps the pool's pipeline
 * bookkeeping exact; the future is settled by whichever comes first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deserialize } from 'node:v8';
import { InvalidStateError, TimeoutError } from '../../../core/errors';
import type { Unfuture } from '../../../core/future';
import { syncWaiters } from '../../../core/hooks';
import type { CallOutcome, UnknownCallMessage } from '../../protocol';

/** What a blocked caller needs to wait for one call of a pool. */
export interface ProcessSyncPlan {
  /** The answer file to poll. */
  readonly file: string;
  /** The child running (or holding) the call. */
  readonly pid: number;
  /** Settle the call from the answer read from the file. */
  settle(outcome: CallOutcome): void;
}

/** What a process pool offers to a blocked caller. Implemented by `ProcessExecutor`. */
export interface ProcessSyncSource {
  /**
   * Undefined when `future` is not a pending call of this pool. Otherwise make sure the call
   * is with a child (sending it now if it waits in the pool, blocking at most until
   * `deadline` for a starting child), send the `sync` request, and say where to look; null
   * when the call ended on the way (it could not be sent), so there is nothing to wait for.
   */
  prepareSyncWait(future: Unfuture<unknown>, deadline: number): ProcessSyncPlan | null | undefined;
}

const sources = new Set<ProcessSyncSource>();

/** A pool with children joins (called when it forks its first child). */
export function registerProcessSyncSource(source: ProcessSyncSource): void {
  sources.add(source);
}

/** A pool leaves (closed). */
export function unregisterProcessSyncSource(source: ProcessSyncSource): void {
  sources.delete(source);
}

/** Name prefix of every pool folder (followed by the owning process's pid). */
export const FOLDER_PREFIX = 'unsync-sync-';

/**
 * A private folder for one pool's answer files and ready markers, named after this
 * process (`unsync-sync-<pid>-…`); removed by {@link removeSyncFolder} or at exit. A parent
 * killed by SIGKILL cannot remove its folders, so the first folder a process makes also
 * sweeps away the ones whose owner no longer runs.
 */
export function createSyncFolder(): string {
  if (!swept) {
    swept = true;
    sweepStaleFolders();
  }
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
  folders.add(folder);
  return folder;
}

let swept = false;

/** Remove the sync folders of processes that are gone (best effort: errors are ignored). */
export function sweepStaleFolders(dir = os.tmpdir()): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(FOLDER_PREFIX)) continue;
    const owner = Number.parseInt(name.slice(FOLDER_PREFIX.length), 10);
    if (!Number.isInteger(owner) || owner <= 0 || owner === process.pid || ownerRuns(owner)) continue;
    fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/** Whether process `pid` exists (a zombie counts: its folder goes at a later sweep). */
function ownerRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove a pool's folder (its children are gone or going). */
export function removeSyncFolder(folder: string): void {
  folders.delete(folder);
  fs.rmSync(folder, { recursive: true, force: true });
}

// Folders of pools that were never closed go when the process exits.
const folders = new Set<string>();
process.on('exit', () => {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * Sleep between polls without the event loop: 50 µs at first, backing off to 2 ms, so a
 * tiny call costs about one file round trip and a long one a poll every 2 ms.
 */
function napFor(attempt: number): void {
  Atomics.wait(nap, 0, 0, attempt < 20 ? 0.05 : attempt < 100 ? 0.5 : 2);
}

const hasProc = fs.existsSync('/proc/self/stat');

/**
 * Whether process `pid` still runs. A dead child stays a zombie until the parent's event
 * loop reaps it, so on Linux its state is read from /proc (Z or X: dead); elsewhere a
 * signal-0 probe (a zombie then looks alive until the wait's timeout).
 */
export function processAlive(pid: number): boolean {
  if (hasProc) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    } catch {
      return false;
    }
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Block until one of the `starting` children wrote its ready marker (it listens for calls
 * now), and return it. `TimeoutError` at `deadline`; `InvalidStateError` when every one
 * of them died first (a fork that fails: the pool reports why through the event loop).
 */
export function waitForReadyMarker<S>(folder: string, starting: readonly S[], pidOf: (slot: S) => number | undefined, deadline: number): S {
  for (let attempt = 0; ; attempt++) {
    let alive = 0;
    for (const slot of starting) {
      const pid = pidOf(slot);
      if (pid === undefined) continue;
      if (fs.existsSync(path.join(folder, `ready-${pid}`))) return slot;
      if (processAlive(pid)) alive++;
    }
    if (alive === 0) throw new InvalidStateError('no child process of the pool could start while this thread was blocked: await the call to see why');
    if (performance.now() >= deadline) throw new TimeoutError('no child process of the pool was ready in time (the call stays queued)');
    napFor(attempt);
  }
}

/** The answer file's content, or undefined while it is not there. */
function readAnswer(file: string): CallOutcome | UnknownCallMessage | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  fs.rmSync(file, { force: true });
  return deserialize(bytes) as CallOutcome | UnknownCallMessage;
}

/**
 * Block until the process call `future` settled, or throw `TimeoutError` after `timeoutMs`
 * (the call goes on; the future settles later as usual). `InvalidStateError` when no live
 * process pool owns the future, when its child dies while the caller is blocked (the pool
 * learns how the call ended only through the event loop: await the future), or when the
 * child no longer remembers the call.
 */
export function waitForProcessCall(future: Unfuture<unknown>, timeoutMs: number | null): void {
  const started = performance.now();
  const deadline = timeoutMs === null || timeoutMs === Infinity ? Infinity : started + timeoutMs;
  let plan: ProcessSyncPlan | null | undefined;
  for (const source of sources) {
    plan = source.prepareSyncWait(future, deadline);
    if (plan !== undefined) break;
  }
  if (plan === null) return;
  if (plan === undefined) {
    throw new InvalidStateError(`${future.getName()} is not a pending call of a live process pool: await it instead`);
  }
  const name = future.getName();
  for (let attempt = 0; ; attempt++) {
    const answer = readAnswer(plan.file);
    if (answer !== undefined) {
      if (answer.type === 'unknown') {
        throw new InvalidStateError(`the child process no longer remembers ${name} (its answer is on the way): await it instead`);
      }
      plan.settle(answer);
      return;
    }
    if (future.done()) return;
    if (!processAlive(plan.pid)) {
      throw new InvalidStateError(`the child process running ${name} exited while this thread was blocked; await ${name} to see how it ended`);
    }
    if (performance.now() >= deadline) {
      throw new TimeoutError(`${name} did not finish within ${timeoutMs} ms (it goes on; await it or block again)`);
    }
    napFor(attempt);
  }
}

syncWaiters.process = waitForProcessCall;
