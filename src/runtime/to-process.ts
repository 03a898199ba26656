/**
 * `toProcess(fn, ...args)`: `toThread`'s sibling, on the runtime's process pool.
 */
import { poolCallFunction, type PoolCallFunction } from './to-thread';

/**
 * Run `fn(...args)` in a child process and return its Unfuture (`executor: 'process'`).
 *
 * `fn` must be findable in a child: registered (`unsync(fn)`, `unsyncRegister(fn)`) or
 * exported by a loaded CommonJS module; otherwise `LocateError` is thrown at once. The
 * process pool starts on the first call (`configure({ process })` sets it up). Arguments
 * and the result travel by structured clone (`CloneError` names the argument that cannot).
 * Cancelling the Unfuture removes the call if it has not started, or kills its child if it
 * runs (the pool replaces the child). Errors thrown by `fn` come back as the same class; a
 * child that dies mid-call gives `WorkerCrashedError` with its exit code or signal.
 *
 * Inside a worker (thread or process) `fn` runs inline, at once, instead of starting a
 * process pool inside the worker (as `toThread` does): the Unfuture (`executor: 'loop'`) is
 * already done for a sync `fn`, and follows the promise of an async one.
 *
 * A generator function (`function*`, `async function*`) returns an `UnsyncStream` of what it
 * yields instead (`for await (const x of toProcess(gen, ...args))`): values arrive as they are
 * yielded, at most 16 ahead of the consumer; leaving the loop early stops the generator.
 *
 * `toProcess.with(options)(fn, ...args)` applies per-call options (`CallOptions`: a
 * signal, a timeout, a name, a generator's `highWaterMark`).
 *
 * @example
 * export function fib(n: number): number { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
 * unsyncRegister(fib);
 * const value = await toProcess(fib, 35);
 */
export const toProcess: PoolCallFunction = poolCallFunction('process');
