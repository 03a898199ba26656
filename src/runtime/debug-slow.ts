/**
 * Debug mode's slow-callback report (asyncio's "Executing <Handle> took 0.250 seconds"):
 * when one callback of the event loop runs longer than `slowCallbackDuration`, nothing
 * else could run meanwhile — timers fired late, sockets went unread. The report names
 * what was running.
 *
 * Three timers, nested, each reporting only the time its inner timers did not already
 * report (so one block is reported once, by the most precise one):
 *
 * 1. every callback the loop runs (async_hooks `before`/`after`, installed only while
 *    debug mode is on), naming the task whose context it ran in;
 * 2. the first step of every task (`futureHooks.aroundTaskStep`, through `wrapTaskStep`):
 *    tasks are started together from one microtask, so only this can tell which one blocked;
 * 3. {@link debugRunning}: a synchronous call the decorator runs on the loop, reported
 *    with the executor `inspect()` would pick for it instead.
 *
 * A callback's duration leaves out the time its thread waited for a core (./debug-clock.ts,
 * Linux): a preempted callback did not hold the loop by its own doing, and a loaded machine
 * would otherwise report any callback it stretched. The end of a callback reads the wait
 * only when its wall time is over the threshold.
 */
import { createHook, executionAsyncResource } from 'node:async_hooks';
import { contextState, taskStorage } from '../core/current';
import type { Unfuture } from '../core/future';
import { Task } from '../core/task';
import { debugClock } from './debug-clock';
import { debugState, onDebugToggle, report } from './debug-state';
import { wrapTaskStep } from './debug-task-step';

/** Where `inspect()` would run a function, and why (an `Inspection` fits). */
export interface ExecutorSuggestion {
  readonly executor: string;
  readonly reason: string;
}

// The outermost callback being timed (-1: none), when it started, the thread's wait for a
// core by then, and how much of its time inner timers have already reported (so it is not
// reported twice).
let outerId = -1;
let outerStart = 0;
let outerQueued = 0;
let absorbed = 0;

const loopHook = createHook({
  before(asyncId) {
    if (outerId !== -1) return;
    const clock = debugClock();
    outerId = asyncId;
    outerStart = clock.now();
    outerQueued = clock.queuedMs();
    absorbed = 0;
  },
  after(asyncId) {
    if (asyncId !== outerId) return;
    outerId = -1;
    const clock = debugClock();
    const wall = clock.now() - outerStart - absorbed;
    if (wall <= debugState.slowCallbackDuration) return;
    const waited = Math.max(0, clock.queuedMs() - outerQueued);
    if (wall - waited > debugState.slowCallbackDuration) reportSlow(wall - waited, waited, runningNow());
  },
});

/** What ran in the current callback: the kind of callback, and the task whose context it ran in. */
function runningNow(): string {
  const store = contextState.tasksEverCreated ? taskStorage.getStore() : undefined;
  const task = store instanceof Task ? `task "${store.getName()}"` : undefined;
  const resource = executionAsyncResource() as { constructor?: { name?: string } } | undefined;
  const kind = resource?.constructor?.name;
  if (kind === 'Promise') return task === undefined ? 'a promise continuation outside any task' : `${task} (resuming after an await)`;
  const callback = kind && kind !== 'Object' && kind !== 'AsyncResource' ? `a ${kind} callback` : 'a callback';
  return task === undefined ? `${callback} outside any task` : `${callback} in ${task}`;
}

function reportSlow(ms: number, waited: number, what: string, advice = ''): void {
  const preempted = waited >= 1 ? `, not counting ${Math.round(waited)} ms its thread waited for a core` : '';
  report(
    'slowCallback',
    `unsync: the event loop was blocked for ${Math.round(ms)} ms by ${what} ` +
      `(slowCallbackDuration is ${debugState.slowCallbackDuration} ms${preempted}); nothing else could run meanwhile.${advice}`,
  );
}

/**
 * Run `call` and, if it ran longer than the threshold, less what inner timers reported and
 * the time its thread waited for a core, report it as `what()` (+ `advice()`); the time is
 * then absorbed so the enclosing callback does not report it again.
 */
function timeSection<T>(call: () => T, what: () => string, advice?: () => string): T {
  const clock = debugClock();
  const start = clock.now();
  const queued = clock.queuedMs();
  const absorbedBefore = absorbed;
  try {
    return call();
  } finally {
    const wall = clock.now() - start - (absorbed - absorbedBefore);
    if (wall > debugState.slowCallbackDuration) {
      const waited = Math.max(0, clock.queuedMs() - queued);
      const own = wall - waited;
      if (own > debugState.slowCallbackDuration) {
        absorbed += own;
        reportSlow(own, waited, what(), advice?.() ?? '');
      }
    }
  }
}

function timeTaskStep(task: Unfuture<unknown>, step: () => unknown): unknown {
  return timeSection(step, () => `task "${task.getName()}" (the start of its body, up to its first await)`);
}

function suggestionText(suggest: (() => ExecutorSuggestion | undefined) | undefined): string {
  let suggestion: ExecutorSuggestion | undefined;
  try {
    suggestion = suggest?.();
  } catch {
    suggestion = undefined;
  }
  if (suggestion === undefined) return '';
  if (suggestion.executor !== 'loop') {
    return ` inspect() would run it on the ${suggestion.executor} executor: ${suggestion.reason}.`;
  }
  return (
    ` inspect() keeps it on the loop (${suggestion.reason}); ` +
    `give it \`executor: 'thread'\` (blocking I/O) or \`cpuBound: true\` (computation) to move it off.`
  );
}

/**
 * Run the synchronous `call` on the loop and, in debug mode, report it if it blocked the
 * event loop longer than `slowCallbackDuration`, naming it `name` and adding where
 * `suggestExecutor()` (called only when a report is made; e.g. `() => inspect(fn)`)
 * says it should run instead. With debug mode off this is `call()` plus one property read.
 *
 * The decorator wraps every decorated sync function it runs inline on the loop with it.
 * The call's result or error passes through untouched; a report is made either way.
 *
 * @example
 * const value = debugRunning('Files.parse', () => inspect(Files.prototype.parse), () => original.apply(self, args));
 */
export function debugRunning<T>(name: string, suggestExecutor: (() => ExecutorSuggestion | undefined) | undefined, call: () => T): T {
  if (!debugState.enabled) return call();
  return timeSection(
    call,
    () => `decorated function "${name}"`,
    () => suggestionText(suggestExecutor),
  );
}

onDebugToggle((on) => {
  outerId = -1;
  if (on) loopHook.enable();
  else loopHook.disable();
});

wrapTaskStep(timeTaskStep);
