/**
 * One call submitted to a worker pool, from submit to settle. Shared by the thread pool and
 * the process pool: it owns the Unfuture, the per-call timeout, the caller's stack, and the
 * one place where a worker's answer (a `CallOutcome`) becomes a value or a rebuilt error.
 */
import { performance } from 'node:perf_hooks';
import { CancelledError, TimeoutError } from '../../core/errors';
import { Unfuture } from '../../core/future';
import { cancelFuture, createdAtOf, markStarted, pendingFuture, rejectFuture, resolveFuture } from '../../core/future-internal';
import { emitProgress } from '../../core/progress';
import type { ExecutorKind } from '../../core/future';
import { assertOptions, assertTimeout, expected, timerDelay } from '../../core/validate';
import type { PoolRun, SubmitOptions } from '../executor';
import type { CallMessage, CallOutcome, CallRef } from '../protocol';
import { decodeWorkerError } from '../serialization';
import type { ExecutorCounters } from '../statistics';
import type { StreamSink } from '../unsync-stream';

let nextCallId = 1;

/** Per worker (the engine's slot for it), the modules it has answered a call from. */
const warmFiles = new WeakMap<object, Set<string>>();

/** Epoch milliseconds with sub-millisecond precision (comparable across threads and processes). */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** What a withdraw found: see `Link.withdraw` (./link.ts). */
export type WithdrawResult =
  /** The worker will never start the call (it answers `skipped` later). */
  | 'never'
  /** The worker was told not to start it; it may have started it meanwhile (the engine then stops it at its head). */
  | 'asked'
  /** The call runs: stop it instead. */
  | 'running'
  /** The call has ended; its answer is on its way. */
  | 'ended';

/**
 * The life of a pool call: `queued` (waiting in the engine) -> `sent` (a worker holds it,
 * behind another call) -> `running` (first in its worker's line: it runs, or is about to)
 * -> `done` (the Unfuture settled). A call given back by a worker that never started it
 * goes from `sent`/`running` back to `queued`; a cancelled one may go to `done` from any
 * state. A call asked to stop is `running` with {@link PoolCall.stopRequested}.
 */
export type PoolCallState = 'queued' | 'sent' | 'running' | 'done';

/**
 * Run `force` once a stop request's grace period (`cancelGrace` ms) has passed; the timer
 * does not keep the process alive (the pool's busy worker does). Returns the timer.
 */
export function afterGrace(grace: number, force: () => void): NodeJS.Timeout {
  const timer = setTimeout(force, timerDelay(grace));
  timer.unref();
  return timer;
}

/**
 * The caller's stack, from the frame that called `submit` on (`Error.captureStackTrace`; V8
 * formats it only if an error reads it). Most of the cost is V8 describing the topmost
 * frame, which is larger the more of the pool's code is inlined into it at that point: a
 * pool records it first thing in `submit` when the call is to wait anyway (pool-engine.ts).
 */
export function callerSite(submit: Function): { stack?: string } {
  const site: { stack?: string } = {};
  Error.captureStackTrace(site, submit);
  return site;
}

/** Validate `submit(ref, args, options)` arguments (shared by every executor). */
export function validateSubmit(ref: unknown, args: unknown, options: unknown): asserts ref is CallRef {
  if (typeof ref !== 'object' || ref === null || typeof (ref as CallRef).file !== 'string' || typeof (ref as CallRef).name !== 'string') {
    throw new TypeError(expected('ref', 'a call reference { file, name }', ref));
  }
  if (!Array.isArray(args)) throw new TypeError(expected('args', 'an array', args));
  assertOptions('options', options, ['timeout', 'name', 'onRun', 'cpuTime']);
  const o = options as SubmitOptions | undefined;
  assertTimeout('options.timeout', o?.timeout);
  if (o?.name !== undefined && typeof o.name !== 'string') throw new TypeError(expected('options.name', 'a string', o.name));
  if (o?.onRun !== undefined && typeof o.onRun !== 'function') throw new TypeError(expected('options.onRun', 'a function', o.onRun));
  if (o?.cpuTime !== undefined && typeof o.cpuTime !== 'boolean') throw new TypeError(expected('options.cpuTime', 'a boolean', o.cpuTime));
}

/**
 * A call on its way through a pool. The pool decides when it starts and how to stop it;
 * this object turns what happened into the outcome of its Unfuture.
 */
export class PoolCall<T = unknown> {
  // Every pool call in flight holds one of these (100k calls in flight hold 100k): the fields
  // are kept few, the rare ones (stop, timeout, options) small, and nothing else is
  // allocated per call unless asked for (a caller's stack, a timeout timer).
  readonly id = nextCallId++;
  readonly future: Unfuture<T>;
  // Invariant: changes forward (queued -> sent -> running -> done), except back to queued
  // by `requeue()` for a call whose worker died or left before it started it; `done`
  // exactly when the future settled.
  state: PoolCallState = 'queued';
  /** The engine's slot of the worker holding the call (undefined while queued). */
  place: object | undefined = undefined;
  /** The link's tag for the call on its worker (the thread link: its claim cell). */
  cell = -1;
  // ASKED | TIMED_OUT | CPU_TIME | SUBMITTING | STOP_REQUESTED (see the constants below the class).
  #flags: number;
  readonly #onRun: ((run: PoolRun) => void) | undefined;
  // What few calls need (a timeout, a stop, a stream, a withdraw), made by the first of them.
  #rare: RareCallState | undefined = undefined;
  // The caller's stack, captured at submit when the pool records caller stacks (V8 formats
  // it lazily, only if an error needs it); undefined otherwise.
  #site: { stack?: string } | undefined = undefined;
  // The engine's cancel handler (typed for any call: the class's T is the caller's).
  readonly #onCancel: (call: never, message: string | undefined) => void;

  constructor(
    kind: ExecutorKind,
    readonly ref: CallRef,
    readonly args: readonly unknown[],
    options: SubmitOptions | undefined,
    onCancel: (call: PoolCall<T>, message: string | undefined) => void,
  ) {
    this.#onRun = options?.onRun;
    this.#flags = options?.cpuTime === true ? SUBMITTING | CPU_TIME : SUBMITTING;
    this.#onCancel = onCancel;
    // A bound method, not an arrow: an arrow here would keep the constructor's whole
    // context (and cost a closure and a context per call).
    this.future = pendingFuture<T>({ executor: kind, name: options?.name, onCancel: this.#cancelRequested.bind(this) });
    const timeout = options?.timeout;
    if (timeout != null && timeout !== Infinity) this.#startTimeout(timeout);
  }

  /** A stream call's consumer side: where yielded values go (undefined for a plain call). */
  get sink(): StreamSink | undefined {
    return this.#rare?.sink;
  }
  set sink(sink: StreamSink | undefined) {
    this.#rareState().sink = sink;
  }

  /** What a withdraw found before the engine cancelled the call (close({ cancelPending })). */
  get withdrawn(): WithdrawResult | undefined {
    return this.#rare?.withdrawn;
  }
  set withdrawn(found: WithdrawResult | undefined) {
    if (found !== undefined || this.#rare !== undefined) this.#rareState().withdrawn = found;
  }

  /** Set when the pool was asked to stop the running call (cancel, timeout, forced close). */
  get stopRequested(): boolean {
    return (this.#flags & STOP_REQUESTED) !== 0;
  }
  set stopRequested(requested: true) {
    this.#flags |= STOP_REQUESTED;
  }

  /** When the call was submitted, in epoch milliseconds (see {@link epochNow}). */
  get submittedAt(): number {
    return performance.timeOrigin + createdAtOf(this.future)!;
  }

  #rareState(): RareCallState {
    return (this.#rare ??= { timer: undefined, cancelMessage: undefined, sink: undefined, withdrawn: undefined, failedEarly: undefined });
  }

  #clearTimer(): void {
    const rare = this.#rare;
    if (rare?.timer === undefined) return;
    clearTimeout(rare.timer);
    rare.timer = undefined;
  }

  /** The future's cancel hook: the first request wins (see the constructor). */
  #cancelRequested(message: string | undefined): void {
    // A timeout that fires while a caller's cancel is stopping the call changes nothing (the
    // call ends cancelled, not timed out).
    this.#clearTimer();
    if (message !== undefined) this.#rareState().cancelMessage = message;
    this.#onCancel(this as never, message);
  }

  #startTimeout(timeout: number): void {
    const rare = this.#rareState();
    rare.timer = setTimeout(() => {
      rare.timer = undefined;
      this.#flags |= TIMED_OUT;
      this.future.cancel(`\`${this.ref.name}\` timed out after ${timeout} ms`);
    }, timerDelay(timeout));
    // The pool keeps the process alive while the call runs; the timer need not.
    rare.timer.unref();
  }

  /**
   * The pool's `submit` is done with this call (the last thing it does). With `callerStack`
   * (the pool's `callerStacks` option) record the caller's stack, which a rebuilt error shows
   * above the worker's; it starts at `submit`'s caller. Recording it here, after the call
   * was handed to a worker, lets the capture (a few microseconds, a large share of a tiny
   * call) overlap the worker's run instead of delaying it. `site` is the stack when the
   * pool recorded it already ({@link callerSite}). A call that failed while being handed
   * over (a `CloneError`) gets its error's stack pointed at the caller here.
   */
  submitted(submit: Function, callerStack: boolean, site?: { stack?: string }): void {
    this.#flags &= ~SUBMITTING;
    const early = this.#rare?.failedEarly;
    if (early !== undefined) this.#rare!.failedEarly = undefined;
    if (!callerStack) return;
    this.#site = site ?? callerSite(submit);
    if (early !== undefined) this.#pointAtCaller(early);
  }

  /** The caller asked for the run's CPU time (SubmitOptions.cpuTime). */
  get cpuTime(): boolean {
    return (this.#flags & CPU_TIME) !== 0;
  }

  /** The wire message that asks a worker to run this call. */
  message(): CallMessage {
    const m: CallMessage = this.cpuTime
      ? { type: 'call', id: this.id, file: this.ref.file, name: this.ref.name, args: this.args, cpu: true }
      : { type: 'call', id: this.id, file: this.ref.file, name: this.ref.name, args: this.args };
    return this.sink === undefined ? m : { ...m, stream: this.sink.highWaterMark };
  }

  /** The call was sent to a worker that never started it (it died or was stopped): queue it again. */
  requeue(): void {
    if (this.state === 'sent' || this.state === 'running') this.state = 'queued';
    this.place = undefined;
    this.withdrawn = undefined;
  }

  /** The engine sent the call to the worker of `slot` (which {@link PoolRun.cold} is tracked by). */
  markSent(slot: object): void {
    this.state = 'sent';
    this.place = slot;
  }

  /** The call is first in its worker's line: it runs (or is about to). */
  markRunning(): void {
    this.state = 'running';
    markStarted(this.future);
  }

  /**
   * The running call must stop: with `grace` > 0, `ask()` asks the worker to stop it (its
   * `checkpoint()` throws, its signal aborts) and `force()` runs if the call has not ended
   * `grace` ms later; with `grace` 0, `force()` runs now. `ask()` returns false when it
   * found the call already ended (and settled it): nothing more to do. The Unfuture settles
   * when the call ends either way (an answer after the request ends it cancelled, see
   * settleOutcome). Does nothing when a stop was requested already.
   */
  askToStop(grace: number, ask: () => boolean, force: () => void): void {
    if (this.stopRequested || this.state === 'done') return;
    this.#flags |= STOP_REQUESTED;
    if (grace <= 0) {
      force();
      return;
    }
    if (!ask()) return;
    this.#flags |= ASKED;
    this.#clearTimer(); // a pending timeout has nothing left to do
    const rare = this.#rareState();
    rare.timer = afterGrace(grace, () => {
      rare.timer = undefined;
      if (this.state !== 'done') force();
    });
  }

  /**
   * The worker answered: fulfil with the value or reject with the rebuilt error. A call
   * asked to stop ends cancelled (or `TimeoutError`) whatever it answered: its value is
   * discarded, and the stop counts as cooperative when the worker was asked.
   */
  settleOutcome(outcome: CallOutcome, counters: ExecutorCounters): void {
    if (this.stopRequested) {
      if ((this.#flags & ASKED) !== 0 && this.state !== 'done') counters.stoppedCooperatively++;
      this.settleStopped(counters);
      return;
    }
    if (!this.#end()) return;
    counters.waitTime.record(outcome.startedAt - this.submittedAt);
    counters.runTime.record(outcome.endedAt - outcome.startedAt);
    // Before the future settles, so whoever awaits it sees the evidence already recorded.
    const cold = this.#firstFromModule();
    if (this.#onRun !== undefined) {
      try {
        const { cpuMs, preemptedMs } = outcome;
        this.#onRun({ runMs: outcome.endedAt - outcome.startedAt, cold, thenable: outcome.thenable === true, cpuMs, preemptedMs });
      } catch {
        // An observer's failure is not the call's (SubmitOptions.onRun).
      }
    }
    if (outcome.type === 'result') {
      counters.count('completed');
      resolveFuture(this.future, outcome.value as T);
    } else {
      counters.count('failed');
      rejectFuture(this.future, decodeWorkerError(outcome.error, this.#site?.stack));
    }
  }

  /** The worker reported progress for the running call: on to the Unfuture's `onProgress` callbacks. */
  progress(value: unknown): void {
    if (this.state !== 'done') emitProgress(this.future, value);
  }

  /** The call failed without an answer (crash, clone failure): reject with `error`. */
  fail(error: Error, counters: ExecutorCounters): void {
    if (!this.#end()) return;
    counters.count('failed');
    if ((this.#flags & SUBMITTING) !== 0) this.#rareState().failedEarly = error;
    else this.#pointAtCaller(error);
    rejectFuture(this.future, error);
  }

  /** Show the caller's frames (if recorded) under `error`'s first line, not the pool's internals. */
  #pointAtCaller(error: Error): void {
    const stack = this.#site?.stack;
    if (stack === undefined || typeof error.stack !== 'string') return;
    error.stack = `${error.stack.split('\n')[0]}\n${stack.split('\n').slice(1).join('\n')}`;
  }

  /**
   * The call was stopped (or removed from the queue) on request: the future ends cancelled,
   * or fails with `TimeoutError` when the per-call timeout asked for the stop.
   */
  settleStopped(counters: ExecutorCounters): void {
    if (!this.#end()) return;
    const message = this.#rare?.cancelMessage;
    const cancelled = new CancelledError(message);
    if ((this.#flags & TIMED_OUT) !== 0) {
      counters.count('failed');
      rejectFuture(this.future, new TimeoutError(message, { cause: cancelled }));
    } else {
      counters.count('cancelled');
      cancelFuture(this.future, cancelled);
    }
  }

  /** Whether the worker had not answered a call from this module before (and note that it has now). */
  #firstFromModule(): boolean {
    const worker = this.place;
    if (worker === undefined) return true;
    let files = warmFiles.get(worker);
    if (files === undefined) warmFiles.set(worker, (files = new Set()));
    if (files.has(this.ref.file)) return false;
    files.add(this.ref.file);
    return true;
  }

  #end(): boolean {
    if (this.state === 'done') return false;
    this.state = 'done';
    this.#clearTimer();
    return true;
  }
}

// PoolCall's #flags.
/** The worker was asked to stop the call cooperatively (askToStop). */
const ASKED = 1;
/** The per-call timeout asked for the stop: the call ends with TimeoutError. */
const TIMED_OUT = 2;
/** The caller asked for the run's CPU time (SubmitOptions.cpuTime). */
const CPU_TIME = 4;
/** Still inside the pool's `submit` (see PoolCall.submitted). */
const SUBMITTING = 8;
/** The pool was asked to stop the running call (PoolCall.stopRequested). */
const STOP_REQUESTED = 16;

/** A pool call's rarely used state, in one object made only when a call needs it. */
interface RareCallState {
  // The per-call timeout's timer while the call is pending; once a stop was asked with a
  // grace period, the grace timer instead (the cancel that asks it clears the timeout first).
  timer: NodeJS.Timeout | undefined;
  cancelMessage: string | undefined;
  sink: StreamSink | undefined;
  withdrawn: WithdrawResult | undefined;
  // An error the call failed with while still inside the pool's `submit` (see submitted).
  failedEarly: Error | undefined;
}
