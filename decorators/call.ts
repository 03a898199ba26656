/**
 * What a decorated call does: decide where it runs (`inspect`), run it there, record how
 * long it ran (`evidence`: inline calls timed here, pool calls by the worker), and hand back
 * an Unfuture.
 *
 * - async (or promise-returning) functions run as tasks via `createTask`: cancellable at
 *   library awaits, `timeout` through `waitFor`;
 * - sync functions on the loop run inline, at once, and their outcome is wrapped;
 * - thread/process calls go through `./dispatch.ts`. Instance methods send `this` as a
 *   leading `{ owner, state }` envelope that the worker-side shim turns back into an
 *   object with the class's prototype (see docs/decorator.md, "What survives cloning").
 * - inside a worker nothing is dispatched again: the call runs inline there.
 */
import { performance } from 'node:perf_hooks';
import { InvalidStateError } from '../src/core/errors';
import { LocateError } from '../src/core/executor-errors';
import { Unfuture } from '../src/core/future';
import { createTask } from '../src/core/task';
import { waitFor } from '../src/combinators/wait-for';
import { debugRunning } from '../src/runtime/debug-slow';
import { debugState } from '../src/runtime/debug-state';
import { expectAwaited } from '../src/runtime/debug-futures';
import { isThenable } from '../src/core/validate';
import { qualifiedName, registryName, type DecoratedInfo } from './decorated';
import {
  remoteExecutor,
  declareForWorkers,
  loadedExports,
  poolAvailable,
  runningInWorker,
  runsAlone,
  startsAtOnce,
  submitToPool,
  type CallRef,
  type PoolRun,
  type RunObserver,
} from './dispatch';
import { locateDecorated, locatedRef, rememberDeclaration } from './locate';
import { thisProblem } from './method-this';
import { moduleFacts } from './module-facts';
import { types } from 'node:util';
import { callClock, costBetween, type CallClock, type ThreadTimes } from './call-clock';
import { comparesPools, comparisonRoute, recordCall, recordDispatch, recordThenable, wantsCpuSample } from './evidence';
import { inspect } from './inspect';
import { forgetRoute, routeOf } from './route';
import { countCall } from './statistics';
import type { ResolvedCallOverrides } from './options';
import { abortedFuture, cancelOnAbort } from '../src/runtime/call-options';

/** The `this` of an instance-method pool call, as it travels (structured clone). */
export interface ThisEnvelope {
  /** The class name, used by a worker to find the prototype when the decorator could not. */
  readonly owner: string;
  /** The instance: its own enumerable data properties survive the clone. */
  readonly state: unknown;
}

/**
 * Run one call of a decorated function. `call`: the options of a `.with(options)` function
 * (an executor, a timeout or a name that override the decorator's); undefined on the plain
 * path, which then costs nothing more.
 */
export function callDecorated(info: DecoratedInfo, self: unknown, args: unknown[], call?: ResolvedCallOverrides): Unfuture<unknown> {
  if (runningInWorker()) return runInline(info, self, args, false, call);
  if (info.owner === undefined && !info.isStatic && info.system === 'tc39' && self != null) {
    info.owner = (self as { constructor?: Function }).constructor;
  }
  const decision = routeOf(info);
  const chosen = call?.executor ?? decision.executor;
  if (chosen === 'loop') {
    countCall(info, 'loop');
    return decision.kind === 'async' ? runTask(info, self, args, call) : runInline(info, self, args, true, call);
  }
  if (chosen === 'remote') return remoteCall(info, self, args, call);
  const pinned = info.options.explicit || decision.rule === 'hint' || call?.executor !== undefined;
  if (!poolAvailable(chosen)) {
    if (pinned) {
      return rejected(
        new InvalidStateError(
          `${qualifiedName(info)} must run on the ${chosen} executor, which is not available in this build of unsync yet`,
        ),
      );
    }
    // 'auto' guessed a pool that does not exist here: run where we can.
    countCall(info, 'loop');
    return runInline(info, self, args, true, call);
  }
  // Located now, when a call first needs a worker (decide() already did for 'auto').
  let ref: CallRef;
  try {
    ref = locateDecorated(info);
  } catch (error) {
    return rejected(error);
  }
  const instanceMethod = info.system !== 'function' && !info.isStatic;
  if (instanceMethod) {
    // Checked before anything is sent: the worker could neither rebuild nor receive `this`.
    const problem = thisProblem(info, self, ref.file);
    if (problem !== undefined) {
      if (pinned) return rejected(problem);
      // 'auto' must not change what the call means: this one runs where `this` lives.
      info.thisProblem = problem.message;
      forgetRoute(info);
      countCall(info, 'loop');
      return runInline(info, self, args, true, call);
    }
  }
  // While the pools are compared, a call goes to the other pool only if it would run alone,
  // on a worker already started there (a `.with({ executor })` call goes where it says).
  const executor = call?.executor === undefined && decision.evidence.comparing ? comparisonRoute(info.original, chosen, startsAtOnce) : chosen;
  countCall(info, executor);
  const callArgs = instanceMethod ? [envelope(info, self), ...args] : args;
  // Measured for the thread/process comparison only while one may still change the
  // function's pool, and only if no other pool call is in flight.
  let measured = false;
  let future: Unfuture<unknown> | undefined;
  // The worker's own measure of the call: the future's timing would add the queue, the
  // message round trip and, on a cold pool, the worker's startup. A worker's first call into
  // the module also loads it there, so that sample says nothing about the function: skipped.
  // Thread and process pools are compared by what a pool adds to a call (from the submit to
  // the answer's arrival here, less the run: serialization, both message trips), on calls
  // that ran alone: with other calls in flight it says more about the load than the pool.
  // See docs/decorator.md, "Measuring". It reaches the engine as the call's observer (onRun).
  // The caller thread's time waiting for a core, read around a call measured for the
  // comparison: a call during which it waited says how busy the machine was, not what the
  // pool costs (the workers waited too), and is not counted.
  let queuedBefore: number | undefined;
  const onRun = (run: PoolRun): void => {
    // Rule 2 from the worker's side: it returned a promise, so it is async (the loop's).
    if (run.thenable) recordThenable(info.original);
    if (run.cold) return;
    const submitted = future?.timing.createdAt;
    // CPU time of the run, when this call asked the worker for it (docs/decorator.md, "Measuring").
    const costMs = measured && submitted !== undefined && coresWereFree(queuedBefore) ? performance.now() - submitted : undefined;
    recordCall(info.original, executor, run.runMs, { cpuMs: run.cpuMs, preemptedMs: run.preemptedMs, costMs });
  };
  try {
    measured = comparesPools(info.original) && runsAlone();
    if (measured) queuedBefore = callClock().thread()?.queuedMs;
    const cpuTime = wantsCpuSample(info.original);
    future = submitToPool(executor, ref, callArgs, { timeout: timeoutOf(info, call), name: call?.name ?? qualifiedName(info), onRun, cpuTime });
  } catch (error) {
    return rejected(error);
  }
  recordDispatch(info.original, executor);
  return future;
}

/**
 * Time (ms) the caller's thread may wait for a core during a measured pool call and still
 * have the call count for the thread/process comparison: a wait longer than this means the
 * cores were taken (by this program's workers or by other programs), and the call's round
 * trip then says how long the worker and the caller waited for one, not what the pool costs.
 */
const CORE_WAIT_TOLERANCE_MS = 0.05;

/** True when the caller's thread waited at most {@link CORE_WAIT_TOLERANCE_MS} for a core since `queuedBefore` (undefined: nothing read, nothing known against it). */
function coresWereFree(queuedBefore: number | undefined): boolean {
  if (queuedBefore === undefined) return true;
  const now = callClock().thread()?.queuedMs;
  return now === undefined || now - queuedBefore <= CORE_WAIT_TOLERANCE_MS;
}

/**
 * A call sent to the remote executor (`executor: 'remote'`): `toRemote`'s path. Fails (the
 * Unfuture rejects) with `InvalidStateError` when `configure({ remote })` is missing, as
 * `toRemote` does, then as a pool call would (`LocateError`, a `this` that cannot travel).
 * No measured evidence: 'auto' never picks the remote executor.
 */
function remoteCall(info: DecoratedInfo, self: unknown, args: unknown[], call: ResolvedCallOverrides | undefined): Unfuture<unknown> {
  try {
    remoteExecutor();
    const ref = locateDecorated(info);
    const instanceMethod = info.system !== 'function' && !info.isStatic;
    if (instanceMethod) {
      const problem = thisProblem(info, self, ref.file);
      if (problem !== undefined) return rejected(problem);
    }
    countCall(info, 'remote');
    const callArgs = instanceMethod ? [envelope(info, self), ...args] : args;
    return submitToPool('remote', ref, callArgs, { timeout: timeoutOf(info, call), name: call?.name ?? qualifiedName(info) });
  } catch (error) {
    return rejected(error);
  }
}

/**
 * A call through `.with(options)`: {@link callDecorated} with the overrides, and the
 * signal: aborted before the call, nothing runs and the Unfuture is cancelled; aborted
 * during it, the call is cancelled as by `cancel()`.
 */
export function callDecoratedWith(info: DecoratedInfo, self: unknown, args: unknown[], call: ResolvedCallOverrides): Unfuture<unknown> {
  const signal = call.signal;
  if (signal?.aborted === true) {
    const where = runningInWorker() ? 'loop' : (call.executor ?? routeOf(info).executor);
    return abortedFuture(signal, where, call.name ?? qualifiedName(info));
  }
  const future = callDecorated(info, self, args, call);
  // A task or a pool call already bears the name; an inline result or a timeout's future not yet.
  if (call.name !== undefined && future.getName() !== call.name) future.setName(call.name);
  return cancelOnAbort(future, signal);
}

/** The call's deadline: `.with()`'s when it gave one (null included), else the decorator's. */
export function timeoutOf(info: DecoratedInfo, call: ResolvedCallOverrides | undefined): number | null {
  return call?.timeout !== undefined ? call.timeout : info.options.timeout;
}

/**
 * Declare the function for workers at decoration time (static TC39 methods: once their
 * class exists). Cheap and never failing: the defining module comes from the call site, a
 * named function takes its name in the registry (a worker loading the module finds it
 * there); whether it can be located is decided when a call first needs a worker
 * ({@link locateDecorated}), so functions that only ever run on the loop never fail.
 */
export function registerDecorated(info: DecoratedInfo): void {
  const numbered = info.system === 'tc39' && info.options.name === undefined;
  // toThread(wrapper)/toProcess(original) find the shim: plain functions and static methods
  // (the shim supplies the class as `this`); an instance method needs its `this`, which only
  // a call through the wrapper sends.
  const aliases = info.system === 'function' || info.isStatic ? [info.wrapper, info.original] : [];
  const anonymous = info.system === 'function' && info.options.name === undefined && (info.original.name === '' || info.original.name.startsWith('bound '));
  const declaration = declareForWorkers(
    workerShim(info),
    anonymous ? undefined : registryName(info),
    numbered,
    aliases,
    `\`${qualifiedName(info)}\``,
    () => localRoute(info),
    info.options.explicit ? undefined : runObserver(info),
  );
  rememberDeclaration(info, declaration);
  // Read the module's source now, while it loads, rather than on the loop at the first call
  // (loading the TypeScript compiler takes hundreds of ms once): only for functions 'auto'
  // may move, and not in workers, which never route.
  if (!info.options.explicit && !types.isAsyncFunction(info.original) && declaration.file !== undefined && !runningInWorker()) {
    moduleFacts(declaration.file);
  }
}

/**
 * Where a remote worker runs a job naming `info`'s function (docs/remote.md): where a call
 * here would go (the `executor` option, or `'auto'`'s current decision); undefined for
 * `'remote'`, which names no executor of the worker's machine (the worker's default applies).
 */
function localRoute(info: DecoratedInfo): 'loop' | 'thread' | 'process' | undefined {
  const executor = routeOf(info).executor;
  return executor === 'remote' ? undefined : executor;
}

/**
 * What `'auto'` learns from the runs of `info`'s function on a remote worker (docs/remote.md,
 * "Where a job runs on the worker"): the same evidence as a call here gives, a run on the
 * worker's loop as an inline call's, a run in its pools as a pool call's (the worker's own
 * measure; a worker's first run in the module, which loaded it, left out). No pool
 * comparison: that needs the caller's view of the round trip, which a worker's job has not.
 */
function runObserver(info: DecoratedInfo): RunObserver {
  const key = info.original;
  return {
    wantsCpu: () => wantsCpuSample(key),
    ran: (executor, run) => {
      if (run.thenable) recordThenable(key);
      // As for a call here: a loop run that returned a promise only says "async".
      if (run.cold || (run.thenable && executor === 'loop')) return;
      recordCall(key, executor, run.runMs, { cpuMs: run.cpuMs, preemptedMs: run.preemptedMs });
    },
  };
}

/** The function a worker calls: rebuilds `this` for methods, then runs the original inline. */
function workerShim(info: DecoratedInfo): (...args: any[]) => unknown {
  const { original } = info;
  let shim: (...args: any[]) => unknown;
  if (info.system === 'function') shim = (...args) => original.apply(undefined, args);
  else if (info.isStatic) shim = (...args) => original.apply(info.owner, args);
  else {
    shim = (envelopeArg: ThisEnvelope, ...args) => original.apply(rebuildThis(info, envelopeArg), args);
  }
  // A worker runs an `async function` as a task of the library (a stop request then throws
  // at its awaits, `currentSignal()` aborts): the shim of one must be one too.
  if (original.constructor?.name === 'AsyncFunction') {
    const inner = shim;
    shim = async (...args) => inner(...args);
  }
  Object.defineProperty(shim, 'name', { value: info.memberName, configurable: true });
  return shim;
}

/** The `this` of an instance-method pool call, as it travels. */
export function envelope(info: DecoratedInfo, self: unknown): ThisEnvelope {
  const owner = info.owner?.name ?? (self as { constructor?: Function } | null)?.constructor?.name ?? '';
  return { owner, state: self };
}

function rebuildThis(info: DecoratedInfo, env: ThisEnvelope): unknown {
  const ref = locatedRef(info);
  let proto = info.owner?.prototype as object | undefined;
  if (proto === undefined && ref !== undefined && env.owner !== '') {
    // TC39 decorators never show a method decorator its class: find it among the exports.
    const candidate = loadedExports(ref.file)?.[env.owner];
    const prototype = typeof candidate === 'function' ? (candidate.prototype as Record<string, unknown> | undefined) : undefined;
    if (prototype?.[info.memberName] === info.wrapper) proto = prototype;
  }
  if (proto === undefined && env.owner !== '') {
    // The caller checks this before sending when it can see the module's exports or source.
    throw new LocateError(
      `\`${qualifiedName(info)}\` cannot rebuild its \`this\` (a \`${env.owner}\`) in the worker: ${ref?.file ?? 'its module'} does not export the class; export it, or make the method static`,
      { file: ref?.file, qualifiedName: qualifiedName(info) },
    );
  }
  const state = typeof env.state === 'object' && env.state !== null ? env.state : {};
  return proto === undefined ? state : Object.assign(Object.create(proto), state);
}

function runTask(info: DecoratedInfo, self: unknown, args: unknown[], call: ResolvedCallOverrides | undefined): Unfuture<unknown> {
  // Named after the function (what debug reports and `currentTask().getName()` show), and
  // marked for debug mode: unlike a plain task, a decorated call stands for a result, so
  // dropping it without awaiting is reported as "never awaited".
  const task = expectAwaited(
    createTask(() => {
      const value = info.original.apply(self, args) as unknown;
      if (isThenable(value)) recordThenable(info.original); // rule 2: "a call returned a promise"
      return value;
    }, { name: call?.name ?? qualifiedName(info) }),
  );
  const timeout = timeoutOf(info, call);
  return timeout === null ? task : waitFor(task, timeout);
}

/** Run a sync function now, on this thread; `measure` records its cost as loop evidence. */
function runInline(info: DecoratedInfo, self: unknown, args: unknown[], measure: boolean, call: ResolvedCallOverrides | undefined): Unfuture<unknown> {
  // The hot path (debug mode off): no closures, no report bookkeeping.
  if (!debugState.enabled) {
    const clock = callClock();
    // The thread's CPU clock is read while the kind is unknown, then on a sample of calls.
    const thread = measure && wantsCpuSample(info.original) ? clock.thread() : undefined;
    const started = measure ? clock.now() : 0;
    let value: unknown;
    try {
      value = info.original.apply(self, args);
    } catch (error) {
      if (measure) recordLoopCall(info, started, thread, clock);
      return rejected(error);
    }
    if (isThenable(value)) return adoptThenable(info, value, call);
    if (measure) recordLoopCall(info, started, thread, clock);
    return Unfuture.fromValue(value);
  }
  return runInlineDebug(info, self, args, measure, call);
}

function recordLoopCall(info: DecoratedInfo, started: number, thread: ThreadTimes | undefined, clock: CallClock): void {
  const cost = costBetween(started, thread, clock);
  recordCall(info.original, 'loop', cost.ms, cost);
}

/** A sync-looking function returned a promise: async from now on (rule 2), and this call is one. */
function adoptThenable(info: DecoratedInfo, value: PromiseLike<unknown>, call: ResolvedCallOverrides | undefined): Unfuture<unknown> {
  recordThenable(info.original);
  const future = Unfuture.fromPromise(value);
  const timeout = timeoutOf(info, call);
  return timeout === null ? future : waitFor(future, timeout);
}

/** `runInline` under debug mode: a call that blocked the loop too long is reported, with where it should run. */
function runInlineDebug(info: DecoratedInfo, self: unknown, args: unknown[], measure: boolean, call: ResolvedCallOverrides | undefined): Unfuture<unknown> {
  // The call records its own evidence before debug mode's report is written, so a call that
  // just blocked the loop is reported with the decision it caused ("moved off the loop").
  const run = (): unknown => {
    const clock = callClock();
    const thread = measure && wantsCpuSample(info.original) ? clock.thread() : undefined;
    const started = clock.now();
    let value: unknown;
    try {
      value = info.original.apply(self, args);
    } catch (error) {
      if (measure) recordLoopCall(info, started, thread, clock);
      throw error;
    }
    // A promise after all: async from now on (rule 2), and this call is one.
    if (isThenable(value)) recordThenable(info.original);
    else if (measure) recordLoopCall(info, started, thread, clock);
    return value;
  };
  let value: unknown;
  try {
    // Debug mode reports a call that blocked the loop too long, with where it should run.
    value = debugRunning(qualifiedName(info), () => inspect(info.wrapper), run);
  } catch (error) {
    return rejected(error);
  }
  if (isThenable(value)) return adoptThenable(info, value, call);
  return Unfuture.fromValue(value);
}

function rejected(error: unknown): Unfuture<unknown> {
  const c = Unfuture.withResolvers<unknown>();
  c.reject(error);
  return c.future;
}
