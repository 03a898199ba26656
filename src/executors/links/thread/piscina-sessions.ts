/**
 * The thread pool's threads, as piscina runs them (docs/executors.md, "Thread pool design").
 * piscina is imported here and nowhere else.
 *
 * piscina owns the worker threads: it starts them, replaces them when they die or are
 * terminated, retires idle ones and destroys them on close. unsync needs two things its
 * task model does not give — pipelining with a per-call "started or not" fact, and answers
 * a blocked caller can read without the event loop — so each unsync *thread* is a piscina
 * *session*: one long piscina task (./worker/thread-entry.cjs) that serves unsync's own protocol
 * on a `MessagePort` transferred to it, until the executor closes that port (the session
 * resolves and the worker goes back to piscina, warm) or aborts the task (piscina
 * terminates the worker: how a running call is stopped).
 */
import * as path from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { WorkerCrashedError } from '../../../core/executor-errors';
import { executorHooks } from '../../../core/hooks';
import type { PoolCall } from '../../engine/pool-call';
import type { CallRef, ResultMessage, ThreadFunctionMessage } from '../../protocol';
import type { ResolvedThreadPoolOptions, ThreadTuning } from '../../engine/pool-options';
import { createLivenessTable, freeSlot, isMarkedDead } from '../../worker/liveness-table.cjs';
import { parentTypeScriptLoader } from '../../typescript-loader';
import { ANSWER_FALSE, ANSWER_NULL, ANSWER_NUMBER, ANSWER_SLOTS, ANSWER_THENABLE, ANSWER_TRUE, CELL_ANSWERED, CELL_CANCELLED, CELL_SENT, CELL_STARTED, CELL_STOP, PROTOCOL_VERSION } from '../../worker/wire.cjs';

/** Cells per thread: more than the most calls ever sent to one thread, so a cell is reused only after its call was answered. */
export const CELLS = 64;
/** cells[DEAD_CELL] becomes 1 when the session is over: set by the worker's exit handler, or by the executor when the session settled (seen by a blocked `resultSync`). */
export const DEAD_CELL = CELLS;
/** cells[SESSION_CELL] becomes 1 when the worker started serving the session's port. */
const SESSION_CELL = CELLS + 1;
/** cells[THREAD_CELL] is the serving worker's `threadId` (0 until the session starts). */
const THREAD_CELL = CELLS + 2;
/**
 * cells[EXIT_CELL] is the worker's exit code plus one, written by its own `process` exit
 * handler (`process.exit`, an uncaught error); 0 when that handler did not run (out of memory).
 */
const EXIT_CELL = CELLS + 3;
/** Exit codes of a pool's dead workers kept for crash errors (a crash reads its own at once). */
const EXIT_CODES_KEPT = 64;
// A call's cell moves as ./worker/wire.cjs describes (sent, started, cancelled, stop, done).
export { CELL_SENT as SENT, CELL_STARTED as STARTED, CELL_CANCELLED as CANCELLED, CELL_STOP as STOP, CELL_DONE as DONE, CELL_ANSWERED as ANSWERED } from '../../worker/wire.cjs';

/** The worker core (call runner, `runChunk`), shipped next to this file in `src/` and `dist/`. */
export const BOOTSTRAP_FILE = path.join(__dirname, '..', '..', 'worker', 'run-call.cjs');
/** The piscina worker module: serves one session. */
const SESSION_FILE = path.join(__dirname, '..', '..', 'worker', 'thread-entry.cjs');

/** One unsync thread: a piscina session serving our port, and what was sent to it. */
export class Thread {
  readonly port: MessagePort;
  /** Settles when the session ends: resolved when the executor ended it, rejected on abort or crash. */
  readonly session: Promise<unknown>;
  readonly #abort = new AbortController();
  readonly #pool: PiscinaSessions;
  readonly cells = new Int32Array(new SharedArrayBuffer(4 * (CELLS + 4)));
  /** The answer cells: a primitive result, written by the thread before it moves the call's cell to ANSWERED. */
  readonly answers = new Float64Array(new SharedArrayBuffer(8 * ANSWER_SLOTS * CELLS));
  /** piscina posted the session to a worker inside `run()`: it is served without the parent's event loop. */
  readonly #postedAtOnce: boolean;
  /** The threadId of the worker piscina posted the session to inside `run()`, if it did. */
  readonly #postedTo: number | undefined;
  #nextCell = 0;
  // The session's function table (ThreadFunctionMessage): file -> name -> entry. A session
  // is one worker's port, so a new session (a replaced worker) starts with an empty table.
  readonly #functions = new Map<string, Map<string, number>>();
  #functionCount = 0;
  /** Its end was handled (session settled, or a blocked resultSync saw the dead cell). */
  gone = false;

  constructor(pool: PiscinaSessions, signal: Int32Array) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.#pool = pool;
    const init = {
      port: port2,
      cells: this.cells,
      answers: this.answers,
      signal,
      deadCell: DEAD_CELL,
      sessionCell: SESSION_CELL,
      threadCell: THREAD_CELL,
      exitCell: EXIT_CELL,
      // The worker registers the parent's TypeScript loader when it needs one.
      tsLoader: parentTypeScriptLoader(),
      // Checked by the worker (serveThread): both sides must speak the same protocol.
      version: PROTOCOL_VERSION,
    };
    [this.session, this.#postedAtOnce, this.#postedTo] = pool.run(init, port2, this.#abort.signal);
    // The port is ref'd only while calls are in flight.
    this.port.unref();
  }

  /** The worker serves this session's port now, even while the parent's event loop is blocked. */
  serving(): boolean {
    return this.#postedAtOnce || Atomics.load(this.cells, SESSION_CELL) === 1;
  }

  /**
   * The exit code of the worker that served this session, once it died: from the worker's
   * own exit handler, else from its `Worker` 'exit' event (a worker that ran out of memory
   * runs no JavaScript on the way out). Undefined while it lives, or if never served.
   */
  exitCode(): number | undefined {
    const fromWorker = Atomics.load(this.cells, EXIT_CELL);
    if (fromWorker !== 0) return fromWorker - 1;
    const threadId = Atomics.load(this.cells, THREAD_CELL);
    return threadId === 0 ? undefined : this.#pool.exitCodeOf(threadId);
  }

  /**
   * The entry of `ref`'s function in this session's function table. The first time, the
   * entry is made and posted (a `ThreadFunctionMessage`), ahead of the call that names it.
   */
  functionEntry(ref: CallRef): number {
    let names = this.#functions.get(ref.file);
    if (names === undefined) this.#functions.set(ref.file, (names = new Map()));
    let fn = names.get(ref.name);
    if (fn === undefined) {
      fn = this.#functionCount++;
      names.set(ref.name, fn);
      const message: ThreadFunctionMessage = { type: 'function', fn, file: ref.file, name: ref.name };
      this.port.postMessage(message);
    }
    return fn;
  }

  /** A fresh cell for the next call sent here, marked sent. */
  nextCell(): number {
    const cell = this.#nextCell;
    this.#nextCell = (cell + 1) % CELLS;
    Atomics.store(this.cells, cell, CELL_SENT);
    return cell;
  }

  // The one answer object `answered` fills (see there).
  readonly #answer: { type: 'result'; id: number; value: unknown; startedAt: number; endedAt: number; thenable: true | undefined; cpuMs: undefined; preemptedMs: undefined } = {
    type: 'result',
    id: 0,
    value: undefined,
    startedAt: 0,
    endedAt: 0,
    thenable: undefined,
    cpuMs: undefined,
    preemptedMs: undefined,
  };

  /**
   * The answer of `call` if the thread left it in the answer cells (its cell is ANSWERED),
   * else undefined. Read once per call: the engine takes the call off the line. The object
   * is this thread's one answer object, filled anew by every call: read it before the
   * next (the engine settles the call from it at once). With 100k tiny calls in flight, an
   * object per answer was a tenth of what they allocated.
   */
  answered(call: PoolCall): ResultMessage | undefined {
    const cell = call.cell;
    if (cell < 0 || Atomics.load(this.cells, cell) !== CELL_ANSWERED) return undefined;
    const at = cell * ANSWER_SLOTS;
    const answers = this.answers;
    const tag = answers[at]!;
    const kind = tag >= ANSWER_THENABLE ? tag - ANSWER_THENABLE : tag;
    const value = kind === ANSWER_NUMBER ? answers[at + 1] : kind === ANSWER_NULL ? null : kind === ANSWER_TRUE ? true : kind === ANSWER_FALSE ? false : undefined;
    const startedAt = answers[at + 2]!;
    const endedAt = answers[at + 3]!;
    const answer = this.#answer;
    answer.id = call.id;
    answer.value = value;
    answer.startedAt = startedAt;
    answer.endedAt = endedAt;
    answer.thenable = tag >= ANSWER_THENABLE ? true : undefined;
    return answer as ResultMessage;
  }

  /**
   * Claim `call`'s cell for the parent (sent -> cancelled) so the worker never starts it;
   * returns what the cell held before: SENT (claimed now), STARTED or STOP (the worker won:
   * the call runs), DONE (the call has ended; its answer is posted or on its way),
   * ANSWERED (the call has ended; its answer is in the answer cells) or CANCELLED (claimed
   * before).
   */
  claim(call: PoolCall): number {
    return Atomics.compareExchange(this.cells, call.cell, CELL_SENT, CELL_CANCELLED);
  }

  /**
   * Ask the running `call` to stop: its cell moves started -> stop (its `checkpoint()`
   * throws from now on, without the worker's event loop) and a `stop` message aborts its
   * signal. Returns what the cell held before: STARTED (asked now), STOP (asked before),
   * DONE or ANSWERED (it had ended: nothing asked), SENT/CANCELLED (not started).
   */
  requestStop(call: PoolCall): number {
    const before = Atomics.compareExchange(this.cells, call.cell, CELL_STARTED, CELL_STOP);
    if (before === CELL_STARTED) this.port.postMessage({ type: 'stop', id: call.id });
    return before;
  }

  /**
   * The session answers no more: its worker's exit handler or the executor marked it, or
   * the worker it was posted to had died before it could start it.
   */
  dead(): boolean {
    if (Atomics.load(this.cells, DEAD_CELL) === 1) return true;
    return this.#postedTo !== undefined && Atomics.load(this.cells, SESSION_CELL) === 0 && this.#pool.workerDied(this.#postedTo);
  }

  /** Mark the session dead, for a caller that blocks in resultSync later. */
  markDead(): void {
    Atomics.store(this.cells, DEAD_CELL, 1);
  }

  /** End the session: the worker stops serving and returns to piscina's pool. */
  end(): void {
    this.port.close();
  }

  /** Abort the session: piscina terminates the worker (a running call included) and replaces it. */
  terminate(): void {
    this.#abort.abort();
  }
}

/**
 * The piscina pool behind one thread executor, created on its first session.
 *
 * Two choices make a blocked `resultSync` caller safe on a fresh pool. piscina marks the
 * workers it starts in its constructor (`minThreads`) ready at once, and posts a task to a
 * ready, free worker synchronously inside `run()`; a worker started later becomes ready only
 * through the event loop. So the pool starts at least one worker up front, and a custom
 * load balancer records whether `run()` posted the session at once: that session's worker
 * reads our port on its own, without the parent's event loop.
 */
export class PiscinaSessions {
  readonly #piscina: Piscina;
  readonly #retireAfter: number | undefined;
  #posting = false;
  #postedTo: number | undefined = undefined;
  readonly #liveness: Int32Array;
  // Sessions not settled yet: the pool retires only at 0.
  #live = 0;
  #retireTimer: NodeJS.Timeout | undefined = undefined;
  #destroying: Promise<void> | undefined = undefined;
  // Superseded by a fresh pool (see ThreadExecutor's blocking waits): destroy at 0 sessions.
  #retiring: { resolve: () => void; done: Promise<void> } | undefined = undefined;
  // threadId -> exit code of this pool's workers that exited, oldest first; at most EXIT_CODES_KEPT.
  readonly #exitCodes = new Map<number, number>();
  /** Destroyed (closed, or retired for idleness): the executor makes a new pool for its next session. */
  destroyed = false;

  /**
   * With `minWorkers: 0` the pool destroys itself once no session has run for `idleTimeout`
   * (piscina alone would keep its `minThreads`, at least 1, forever).
   */
  constructor(options: ResolvedThreadPoolOptions, atomics: Required<ThreadTuning>['atomics'], signal: Int32Array) {
    this.#retireAfter = options.minWorkers === 0 ? options.idleTimeout : undefined;
    this.#liveness = createLivenessTable(options.maxWorkers);
    this.#piscina = new Piscina({
      filename: SESSION_FILE,
      // Read by worker/thread-entry.cjs in each worker (see ./worker/liveness-table.cjs).
      workerData: { unsyncLiveness: this.#liveness, unsyncSignal: signal },
      minThreads: Math.max(1, options.minWorkers),
      maxThreads: options.maxWorkers,
      idleTimeout: options.idleTimeout,
      atomics,
      // One session per worker: a session owns its worker's event loop.
      concurrentTasksPerWorker: 1,
      loadBalancer: (_task, workers) => {
        for (const worker of workers) {
          if (worker.currentUsage === 0) {
            if (this.#posting) this.#postedTo = worker.id;
            return worker;
          }
        }
        return null;
      },
      resourceLimits: options.resourceLimits,
      execArgv: options.execArgv,
      env: options.env,
    });
    // A worker that fails with no session on it (a timer that throws after its session ended).
    this.#piscina.on('error', (error: unknown) => executorHooks.onStrayWorkerError?.('thread', error));
    // Record each worker's exit code. Node emits a worker's 'exit' right after its 'error'
    // (out of memory) in the same synchronous step, so the code is known before the session's
    // rejection reaches the executor.
    this.#piscina.on('workerCreate', (info: { id: number }) => {
      // Read the id now: a worker's threadId (which info.id reads) becomes -1 once it exited.
      const threadId = info.id;
      const worker = this.#piscina.threads.find((w) => w.threadId === threadId);
      worker?.once('exit', (code: number) => {
        this.#exitCodes.set(threadId, code);
        if (this.#exitCodes.size > EXIT_CODES_KEPT) this.#exitCodes.delete(this.#exitCodes.keys().next().value!);
        freeSlot(this.#liveness, threadId);
      });
    });
  }

  /** The exit code of this pool's worker `threadId`, once it exited (recent workers only). */
  exitCodeOf(threadId: number): number | undefined {
    return this.#exitCodes.get(threadId);
  }

  /**
   * Start a session; returns its promise, whether piscina posted it to a worker at once, and
   * that worker's threadId.
   */
  run(init: object, port: MessagePort, signal: AbortSignal): [Promise<unknown>, boolean, number | undefined] {
    this.#live++;
    if (this.#retireTimer !== undefined) {
      clearTimeout(this.#retireTimer);
      this.#retireTimer = undefined;
    }
    this.#posting = true;
    this.#postedTo = undefined;
    let session: Promise<unknown>;
    try {
      session = this.#piscina.run(init, { transferList: [port] as never, signal });
    } finally {
      this.#posting = false;
    }
    const settled = (): void => {
      if (--this.#live > 0) return;
      if (this.#retiring !== undefined) this.#finishRetiring();
      else this.#retireWhenIdle();
    };
    session.then(settled, settled);
    return [session, this.#postedTo !== undefined, this.#postedTo];
  }

  /** Whether this pool's worker `threadId` marked itself dead (see ./worker/liveness-table.cjs). */
  workerDied(threadId: number): boolean {
    return isMarkedDead(this.#liveness, threadId);
  }

  /** Terminate every worker (once; a second call returns the same promise). */
  destroy(): Promise<void> {
    if (this.#destroying === undefined) {
      this.destroyed = true;
      if (this.#retireTimer !== undefined) clearTimeout(this.#retireTimer);
      this.#destroying = this.#piscina.destroy();
    }
    return this.#destroying;
  }

  /**
   * Stop taking sessions and destroy the pool once its last session has settled (at once
   * when none is live). Resolves when the pool is destroyed.
   */
  retireWhenDone(): Promise<void> {
    if (this.#retiring === undefined) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.#retiring = { resolve, done };
      if (this.#live === 0) this.#finishRetiring();
    }
    return this.#retiring.done;
  }

  #finishRetiring(): void {
    const retiring = this.#retiring!;
    void this.destroy().then(retiring.resolve, retiring.resolve);
  }

  #retireWhenIdle(): void {
    if (this.#retireAfter === undefined || this.destroyed) return;
    this.#retireTimer = setTimeout(() => {
      this.#retireTimer = undefined;
      if (this.#live === 0) void this.destroy();
    }, this.#retireAfter);
    this.#retireTimer.unref();
  }
}

/** The exit code in piscina's "worker exited with code: N" error, if that is what `error` is. */
function exitCodeOf(error: unknown): number | undefined {
  const match = /^worker exited with code: (-?\d+)$/.exec(String((error as Error | undefined)?.message ?? ''));
  return match === null ? undefined : Number(match[1]);
}

/**
 * The error of call `name`, which was running when its session ended with `error` (how the
 * session's piscina task rejected; undefined when a blocked resultSync saw the worker's exit
 * handler mark the dead cell). `workerExitCode` is the dead worker's exit code when known
 * ({@link Thread.exitCode}); every crash kind names itself in the message: out of memory
 * (`resourceLimits`), an uncaught error, or an exit.
 */
export function sessionCrashError(name: string, error: unknown, workerExitCode?: number): WorkerCrashedError {
  const exited = exitCodeOf(error);
  const exitCode = workerExitCode ?? exited;
  const code = exitCode === undefined ? '' : `, exit code ${exitCode}`;
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (e?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new WorkerCrashedError(`the worker thread running \`${name}\` ran out of memory (resourceLimits${code}): ${String(e.message)}`, { cause: error, exitCode });
  }
  if (exited === undefined && error !== undefined) {
    return new WorkerCrashedError(`the worker thread running \`${name}\` crashed (uncaught error${code}): ${String(e?.message ?? error)}`, { cause: error, exitCode });
  }
  if (exitCode !== undefined) return new WorkerCrashedError(`the worker thread running \`${name}\` exited with code ${exitCode}`, { exitCode });
  return new WorkerCrashedError(`the worker thread running \`${name}\` exited`);
}
