/**
 * A call a remote worker runs on its event loop without a library task: the call of a
 * function that returns at once (not a promise), run inside a *call scope*, as a pool's
 * worker runs its synchronous calls (src/executors/worker/call-scope.cjs).
 *
 * Why not a task: on Node 20 and 22 (AsyncLocalStorage on async_hooks) a pending task keeps
 * the process's promise hook on, until some milliseconds after the last one settles
 * (src/core/current.ts), and every promise BullMQ and ioredis make meanwhile pays for it; a
 * worker taking one job after another never gets it off. A synchronous call needs its
 * context only while it runs, and nothing can reach it then but its own code: the scope on
 * `globalThis[CALL_SCOPE_KEY]`, which `checkpoint()`, `currentSignal()` and
 * `reportProgress()` read before any task, gives it that without the hook. See
 * docs/remote.md, "Where a job runs on the worker", and docs/performance.md.
 */
import { CancelledError, isCancelledError } from '../../core/errors';
import { callIn } from '../../core/current';
import { Unfuture } from '../../core/future';
import { cancelFuture, markStarted, rejectFuture, resolveFuture } from '../../core/future-internal';
import { CALL_SCOPE_KEY, type CallScope } from '../../core/keys.cjs';
import { MicrotaskBatch } from '../../core/microtask-batch';
import { assertCancelMessage, isThenable } from '../../core/validate';
import type { RunObserver } from '../registry';
import { endRunTiming, startRunTiming } from './run-timing';

const slots = globalThis as unknown as { [CALL_SCOPE_KEY]?: CallScope };

/**
 * Where a scoped call is: `queued` (its body runs on a later microtask, as a task's does, so
 * a cancel that comes first means it never runs), `following` (the function returned a
 * promise after all: the call ends with it), `done` (settled).
 */
type ScopedCallState = 'queued' | 'following' | 'done';

/*
 * Calls waiting for their body to run, many per microtask (as tasks start: no closure and
 * no queueMicrotask resource per call).
 */
let startQueue: MicrotaskBatch<ScopedCall>;
/** A queued call's body, run now (its `#run`; a no-op once it ran or was cancelled). */
let runBody: (call: ScopedCall) => void;

/** What a scoped call tells its starter. */
export interface ScopedCallHooks {
  /**
   * The last value the function reported (`reportProgress`) while it ran, once it returned
   * or threw, before the Unfuture settles (values reported in one synchronous run are
   * coalesced: the last one wins, as an Unfuture's progress listeners would get it).
   */
  readonly onProgress?: (value: unknown) => void;
  /** The function returned a promise (its later calls should run as tasks). */
  readonly onPromise?: () => void;
  /** Told how the function's synchronous run went (its routing's evidence: ./run-timing.ts). */
  readonly observer?: RunObserver | undefined;
}

/**
 * Start `fn(...args)` on a later microtask in a call scope, and return its Unfuture
 * (executor `'loop'`). In the function: `currentSignal()` is the call's signal,
 * `checkpoint()` throws once the call was asked to stop, `reportProgress(value)` goes to
 * `hooks.onProgress` (not to the Unfuture's listeners: no progress channel per call);
 * `currentTask()` is null. The function runs outside any task's context.
 *
 * `cancel()` before the body runs cancels the Unfuture at once and the body never runs. A
 * body that returned a value or threw has settled the Unfuture in the same step, so nothing
 * can cancel it while it runs. A function that returns a promise anyway (it returned a
 * value before) is followed as a task follows a foreign promise: a cancel aborts the
 * signal and the call ends cancelled once the promise settles; its code after its first
 * await runs outside the scope (no signal, no progress): `hooks.onPromise` is told, so that
 * its later calls run as tasks again.
 */
export function startScopedCall(fn: (...args: any[]) => unknown, args: readonly unknown[], hooks: ScopedCallHooks): Unfuture<unknown> {
  const call = new ScopedCall(fn, args, hooks);
  startQueue.push(call);
  return call;
}

/**
 * Run the body of `future` now, if it is a scoped call still queued, rather than on its
 * microtask (nothing otherwise; its turn on the microtask then finds it done). For a starter
 * that has done what may cancel the call first, and wants its outcome at once: the remote
 * worker, whose answer would otherwise wait behind every job BullMQ and ioredis queued
 * meanwhile (the next job's fetch among them).
 */
export function runScopedCallNow(future: Unfuture<unknown>): void {
  if (future instanceof ScopedCall) runBody(future);
}

/** The Unfuture of a scoped call, and the scope its function runs in. */
class ScopedCall extends Unfuture<unknown> implements CallScope {
  #state: ScopedCallState = 'queued';
  #fn: ((...args: any[]) => unknown) | undefined;
  #args: readonly unknown[] | undefined;
  #hooks: ScopedCallHooks | undefined;
  /** The last value reported while the function runs, until it is handed to `onProgress`. */
  #reported: { readonly value: unknown } | undefined = undefined;
  /** Made by the first `signal` read. */
  #controller: AbortController | undefined = undefined;
  /** The stop request, once one came (only while `following`). */
  #stop: { readonly message: string | undefined } | undefined = undefined;

  static {
    runBody = (call) => call.#run();
    startQueue = new MicrotaskBatch(runBody);
  }

  constructor(fn: (...args: any[]) => unknown, args: readonly unknown[], hooks: ScopedCallHooks) {
    super('loop', undefined, false);
    this.#fn = fn;
    this.#args = args;
    this.#hooks = hooks;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#stop !== undefined) this.#controller.abort(this.reason());
    }
    return this.#controller.signal;
  }

  stopRequested(): boolean {
    return this.#stop !== undefined;
  }

  reason(): Error {
    return new CancelledError(this.#stop?.message);
  }

  report(value: unknown): void {
    this.#reported = { value };
  }

  /**
   * Not started: cancelled now, the body never runs. Following a promise: the signal
   * aborts, and the call ends cancelled when the promise settles. False once done.
   */
  override cancel(message?: string): boolean {
    assertCancelMessage(message);
    if (this.#state === 'done') return false;
    if (this.#state === 'queued') {
      this.#end();
      cancelFuture(this, message);
      return true;
    }
    if (this.#stop === undefined) {
      this.#stop = { message };
      this.#controller?.abort(this.reason());
    }
    return true;
  }

  #run(): void {
    if (this.#state !== 'queued') return;
    const fn = this.#fn!;
    const args = this.#args!;
    this.#fn = this.#args = undefined;
    markStarted(this);
    const outer = slots[CALL_SCOPE_KEY];
    slots[CALL_SCOPE_KEY] = this;
    let result: unknown;
    let threw = false;
    const timing = startRunTiming(this.#hooks?.observer);
    try {
      // Outside any task's context: a task the worker was started from must not answer
      // currentSignal() for this call.
      result = callIn(undefined, apply, { fn, args });
    } catch (error) {
      result = error;
      threw = true;
    } finally {
      slots[CALL_SCOPE_KEY] = outer;
    }
    endRunTiming(timing, 'loop', !threw && isThenable(result));
    this.#sendProgress();
    if (threw) {
      this.#settle(false, result);
      return;
    }
    if (!isThenable(result)) {
      this.#settle(true, result);
      return;
    }
    this.#state = 'following';
    this.#hooks?.onPromise?.();
    result.then(
      (value) => this.#settle(true, value),
      (error) => this.#settle(false, error),
    );
  }

  /** Settle from the body's outcome; a stop request that came while following wins over a value. */
  #settle(ok: boolean, payload: unknown): void {
    if (this.#state === 'done') return;
    const stop = this.#stop;
    this.#end();
    if (ok && stop === undefined) resolveFuture(this, payload);
    else if (ok) cancelFuture(this, stop!.message);
    else if (isCancelledError(payload)) cancelFuture(this, payload as CancelledError);
    else rejectFuture(this, payload);
  }

  /** Hand the last value reported to `onProgress` (the function's synchronous run is over). */
  #sendProgress(): void {
    const reported = this.#reported;
    if (reported === undefined) return;
    this.#reported = undefined;
    this.#hooks?.onProgress?.(reported.value);
  }

  #end(): void {
    this.#state = 'done';
    this.#fn = this.#args = this.#hooks = undefined;
  }
}

function apply(call: { readonly fn: (...args: any[]) => unknown; readonly args: readonly unknown[] }): unknown {
  return call.fn(...call.args);
}
