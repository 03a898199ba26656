/**
 * Debug mode's future reports (docs/debug.md):
 *
 * - **never awaited**: a future garbage-collected without anything ever looking at its
 *   outcome, reported with the stack where it was created;
 * - **unretrieved error**: a future that failed and that nobody observed, reported when
 *   `run()` returns and, at the latest, when it is garbage-collected;
 * - **a task that can never finish** (asyncio's "Task was destroyed but it is pending!"):
 *   a pending task is never garbage-collected (the core's pending-task list holds it, so
 *   `allTasks()` and `run()` can reach it), but the native promise its body returned can
 *   be — and then nothing can ever settle that promise, so the task stays pending forever.
 *
 * How: while debug mode is on, `futureHooks.onFutureCreated` gives each new future a
 * {@link FutureRecord} (kept in the future's `observed` slot, which the core updates) and
 * registers the future with a `FinalizationRegistry` whose held value is that record —
 * never the future. When the future is collected the record says whether it was observed,
 * how it ended, and where it was made. For tasks, a wrapper around the first step
 * (`wrapTaskStep`, debug-task-step.ts) registers the body's promise with a second registry,
 * whose held value refers to the task only weakly. Nothing of this exists while debug mode
 * is off.
 */
import type { DebugRecord } from '../core/hooks';
import { futureHooks } from '../core/hooks';
import type { Unfuture } from '../core/future';
import { Task } from '../core/task';
import { debugState, onDebugToggle, report } from './debug-state';
import { creationStack } from './debug-stack';
import { wrapTaskStep } from './debug-task-step';
import { runHooks } from './run-hooks';

/** What debug mode remembers about one future (held by the registry, not by the future's owner). */
interface FutureRecord extends DebugRecord {
  readonly executor: string;
  readonly isTask: boolean;
  /** Where the future was created (user frames first), or undefined when it was made before debug mode. */
  readonly stack: string | undefined;
  /** The error, once rejected (kept to print it after the future is gone). */
  error: unknown;
  /** Already reported (at run() return); the finalizer stays silent. */
  reported: boolean;
  /** A task the caller expects to be awaited (see {@link expectAwaited}). */
  mustAwait: boolean;
}

const registry = new FinalizationRegistry<FutureRecord>(onCollected);
// Rejected futures nobody had observed when they failed, for the report at run() return.
// Weak on the future so tracking never keeps one alive (and its finalizer can run).
const unretrieved = new Map<FutureRecord, WeakRef<Unfuture<unknown>>>();
// Records by future, so `expectAwaited` can find a task's record (debug mode only).
const records = new WeakMap<Unfuture<unknown>, FutureRecord>();

/** What the body-promise registry holds for one task: never the task itself. */
interface BodyWatch {
  readonly task: WeakRef<Task<unknown>>;
  readonly stack: string | undefined;
}

// Bodies' native promises: collected while their task is pending = the task can never finish.
const bodies = new FinalizationRegistry<BodyWatch>(onBodyCollected);
const nativeThen = Promise.prototype.then;

function newRecord(future: Unfuture<unknown>, stack: string | undefined): FutureRecord {
  const isTask = future instanceof Task;
  const record: FutureRecord = {
    observed: false,
    state: future.state,
    name: future.getName(),
    executor: future.executor,
    isTask,
    stack,
    error: undefined,
    reported: false,
    mustAwait: false,
  };
  registry.register(future, record);
  records.set(future, record);
  return record;
}

function onCreated(future: Unfuture<unknown>): DebugRecord {
  return newRecord(future, creationStack());
}

function onRejected(future: Unfuture<unknown>, error: unknown, record: DebugRecord | undefined): DebugRecord {
  const r = (record as FutureRecord | undefined) ?? newRecord(future, undefined);
  r.state = 'rejected';
  r.error = error;
  // Until its stack is formatted, an Error holds its frames' receivers — often this very
  // future (the `then` child whose handler threw) — and would keep it from being collected.
  if (error instanceof Error) void error.stack;
  if (unretrieved.size >= 1024) prune();
  unretrieved.set(r, new WeakRef(future));
  // Armed here rather than at load: run.ts imports this module (through debug.ts), so it is
  // only complete once the program runs.
  runHooks.beforeReturn ??= reportAtRunReturn;
  return r;
}

function prune(): void {
  for (const [record, ref] of unretrieved) if (record.observed || record.reported || ref.deref() === undefined) unretrieved.delete(record);
}

function onCollected(record: FutureRecord): void {
  unretrieved.delete(record);
  if (record.observed || record.reported) return;
  if (record.state === 'rejected') reportUnretrieved(record, 'when it was garbage-collected');
  else if (record.state !== 'cancelled' && (!record.isTask || record.mustAwait)) reportNeverAwaited(record);
}

/*
 * Around each task's first step (while debug mode is on): after the step, watch the promise
 * the body returned. Only a native promise says anything by being collected: it settles
 * only through its resolve functions, which refer to it, so once it is unreachable nothing
 * can settle it. (A foreign thenable may drop itself and still call back.)
 * A body suspended on a library future is never watched: the task holds that future.
 */
function watchTaskStep(task: Unfuture<unknown>, step: () => unknown): unknown {
  const result = step();
  if (result instanceof Promise && result.then === nativeThen && task instanceof Task && !task.done()) {
    bodies.register(result, { task: new WeakRef(task), stack: records.get(task)?.stack });
  }
  return result;
}

function onBodyCollected(watch: BodyWatch): void {
  // A pending task is never collected (the core's pending list holds it): gone means settled.
  const task = watch.task.deref();
  if (task === undefined || task.done()) return;
  report(
    'neverAwaited',
    `unsync: task "${task.getName()}" (${task.executor}) can never finish: the promise its body is ` +
      `suspended on was garbage-collected while the task was still pending, so nothing can settle it ` +
      `(asyncio: "Task was destroyed but it is pending!"). A promise whose resolve and reject were ` +
      `dropped? cancel() cannot end the task either; pass task.signal to the API it awaits.` +
      (watch.stack === undefined ? '' : `\nCreated at:\n${watch.stack}`),
  );
}

/** `run()` is about to return: report every failed future that is still unobserved. */
function reportAtRunReturn(): void {
  if (!debugState.enabled) return;
  for (const record of unretrieved.keys()) {
    unretrieved.delete(record);
    // A future collected but not finalized yet is reported now too; its finalizer stays silent.
    if (record.observed || record.reported) continue;
    record.reported = true;
    reportUnretrieved(record, 'when run() returned');
  }
}

function reportUnretrieved(record: FutureRecord, when: string): void {
  report(
    'unretrievedError',
    `unsync: the error of ${label(record)} was never retrieved (found ${when}); await the future, ` +
      `or call exception() or add a done callback to handle it.${where(record)}`,
    record.error,
  );
}

function reportNeverAwaited(record: FutureRecord): void {
  const how = record.state === 'pending' ? 'while still pending' : `after it ${record.state}`;
  report(
    'neverAwaited',
    `unsync: ${label(record)} was never awaited: it was garbage-collected ${how} and nothing ever ` +
      `looked at its outcome (a forgotten await?).${where(record)}`,
  );
}

function label(record: FutureRecord): string {
  return `${record.isTask ? 'task' : 'future'} "${record.name}" (${record.executor})`;
}

function where(record: FutureRecord): string {
  return record.stack === undefined ? '' : `\nCreated at:\n${record.stack}`;
}

/**
 * Ask debug mode to report `task` as never awaited if it is collected unobserved. Plain
 * tasks that finished are exempt (a task is scheduled work that runs whether awaited or
 * not, like asyncio's `create_task`; the library starts such tasks itself), but a task that
 * stands for a call's result — a decorated async function — should be awaited. (A task is
 * never collected while pending; one that can never finish is reported for every task, see
 * docs/debug.md.) No-op when debug
 * mode is off or for futures that are not tasks (those are always checked). Returns `task`.
 *
 * @example
 * return expectAwaited(createTask(() => original.apply(self, args)));
 */
export function expectAwaited<T extends Unfuture<unknown>>(task: T): T {
  const record = debugState.enabled ? records.get(task) : undefined;
  if (record !== undefined) record.mustAwait = true;
  return task;
}

/** Failed futures currently tracked as unobserved (for tests and `statistics()`). @internal */
export function trackedUnretrieved(): number {
  let n = 0;
  for (const [record, ref] of unretrieved) if (!record.observed && !record.reported && ref.deref() !== undefined) n++;
  return n;
}

onDebugToggle((on) => {
  futureHooks.onFutureCreated = on ? onCreated : undefined;
  futureHooks.onRejected = on ? onRejected : undefined;
});

wrapTaskStep(watchTaskStep);
