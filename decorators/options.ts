/**
 * Options of `unsync(...)` and their validation. Everything here runs at decoration time,
 * so a typo in an option fails when the class or module loads, not on the first call.
 */
import { assertOptions, assertTimeout, expected } from '../src/core/validate';
import { CALL_OPTION_KEYS, resolveCallOptions, type CallOptions, type ResolvedCallOptions } from '../src/runtime/call-options';

/** Where a decorated call may be sent. `'auto'` lets {@link inspect} choose. */
export type ExecutorChoice = 'auto' | 'loop' | 'thread' | 'process' | 'remote';

/** The executors `'auto'` chooses among (and measures): the loop and the two pools. */
export type ConcreteExecutor = Exclude<ExecutorChoice, 'auto' | 'remote'>;

/** Every executor a call can be sent to: {@link ConcreteExecutor}, or `'remote'` when named explicitly. */
export type RoutedExecutor = ConcreteExecutor | 'remote';

/** Every valid value of {@link UnsyncOptions.executor}, in the order error messages list them. */
export const EXECUTOR_CHOICES: readonly ExecutorChoice[] = Object.freeze(['auto', 'loop', 'thread', 'process', 'remote']);

/** Options of `@unsync({...})` and `unsync(fn, {...})`. */
export interface UnsyncOptions {
  /**
   * Where calls run: `'loop'` (the event loop: async functions as tasks, sync functions
   * inline), `'thread'` (the worker-thread pool), `'process'` (the child-process pool),
   * `'remote'` (a remote worker, as `toRemote`: needs `configure({ remote })`), or `'auto'`
   * (default): chosen by the rules of {@link inspect}, which never picks `'remote'`.
   */
  executor?: ExecutorChoice;
  /** Python unsync's `cpu_bound=True`: the same as `executor: 'process'`. */
  cpuBound?: boolean;
  /**
   * Per-call deadline in milliseconds (`null`/omitted: none). On expiry the call is
   * cancelled and its Unfuture rejects with `TimeoutError` (cause: the `CancelledError`).
   * A sync function run inline on the loop cannot be interrupted: it finishes first.
   */
  timeout?: number | null;
  /** Registry key override (default `Class.method` or the function's name); also the task name. */
  name?: string;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  /** `'auto'` unless the caller chose; `cpuBound: true` became `'process'`. */
  readonly executor: ExecutorChoice;
  /** True when the executor came from an explicit option (rule 1 of inspect). */
  readonly explicit: boolean;
  /** How the explicit choice was written, for `inspect().reason` (`` `cpuBound: true` ``). */
  readonly given: string;
  readonly timeout: number | null;
  readonly name: string | undefined;
}

const OPTION_KEYS = ['executor', 'cpuBound', 'timeout', 'name'] as const;

/** A list for error messages: "`'a'`, `'b'`". */
export function listValues(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/** Throw a TypeError unless `value` is one of the executor choices. */
export function assertExecutorChoice(name: string, value: unknown, allowed: readonly string[] = EXECUTOR_CHOICES): asserts value is ExecutorChoice {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new TypeError(expected(name, `one of ${listValues(allowed)}`, value));
  }
}

/**
 * Validate `options` (rejecting unknown keys and invalid values, listing the valid ones)
 * and apply defaults.
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  assertOptions('options', options, OPTION_KEYS);
  const o = (options ?? {}) as UnsyncOptions;
  if (o.executor !== undefined) assertExecutorChoice('options.executor', o.executor);
  if (o.cpuBound !== undefined && typeof o.cpuBound !== 'boolean') {
    throw new TypeError(expected('options.cpuBound', 'a boolean', o.cpuBound));
  }
  if (o.cpuBound === true && o.executor !== undefined && o.executor !== 'process' && o.executor !== 'auto') {
    throw new TypeError(
      `Conflicting options: \`cpuBound: true\` means \`executor: 'process'\`, got \`executor: '${o.executor}'\``,
    );
  }
  assertTimeout('options.timeout', o.timeout);
  if (typeof o.timeout === 'number' && !(o.timeout > 0)) {
    throw new RangeError(expected('options.timeout', 'a positive number of milliseconds', o.timeout));
  }
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0)) {
    throw new TypeError(expected('options.name', 'a non-empty string', o.name));
  }
  const executor: ExecutorChoice = o.cpuBound === true ? 'process' : (o.executor ?? 'auto');
  return Object.freeze({
    executor,
    explicit: executor !== 'auto',
    given: o.cpuBound === true ? '`cpuBound: true`' : `\`executor: '${executor}'\``,
    timeout: o.timeout ?? null,
    name: o.name,
  });
}

/** True when `value` looks like an options object rather than a decorator target. */
export function isOptionsLike(value: unknown): boolean {
  return value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value));
}

/** Where `.with({ executor })` may send a call (an explicit choice: no `'auto'`). */
export type CallExecutor = RoutedExecutor;

/** Every valid value of {@link UnsyncCallOptions.executor}, in the order error messages list them. */
export const CALL_EXECUTORS: readonly CallExecutor[] = Object.freeze(['loop', 'thread', 'process', 'remote']);

/**
 * Options of a decorated function's `.with(options)`: the per-call options of `toThread.with`
 * (`signal`, `timeout`, `name`, `highWaterMark`) plus where the calls run.
 */
export interface UnsyncCallOptions extends CallOptions {
  /**
   * Where the calls made through `.with()` run, whatever the decorator's `executor` says
   * (`'auto'` is not a choice here: the decorator's own routing is what calls without it get).
   */
  executor?: CallExecutor;
}

/** {@link UnsyncCallOptions} after validation; `undefined` fields follow the decorator. */
export interface ResolvedCallOverrides extends ResolvedCallOptions {
  readonly executor: CallExecutor | undefined;
}

const CALL_OVERRIDE_KEYS: readonly string[] = Object.freeze([...CALL_OPTION_KEYS, 'executor']);

/**
 * Validate the options of `fn.with(options)` of the function `label` (unknown keys and bad
 * values throw `TypeError`/`RangeError`, listing the valid ones). `generator`: whether the
 * function is a generator function (`highWaterMark` applies to those only).
 */
export function resolveCallOverrides(options: unknown, label: string, generator: boolean): ResolvedCallOverrides {
  const resolved = resolveCallOptions(options, CALL_OVERRIDE_KEYS);
  const executor = (options as UnsyncCallOptions).executor;
  if (executor !== undefined) assertExecutorChoice('options.executor', executor, CALL_EXECUTORS);
  if (executor === 'remote' && generator) {
    throw new TypeError(`${label} is a generator function, and a remote call returns one value, not a stream: \`executor: 'remote'\` cannot run it`);
  }
  if (resolved.highWaterMark !== undefined && !generator) {
    throw new TypeError(`\`highWaterMark\` applies to generator functions only, and ${label} is not one`);
  }
  return { ...resolved, executor };
}
