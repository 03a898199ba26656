/**
 * Debug mode (asyncio's debug mode, see docs/debug.md): the settings and `configureDebug`,
 * and the place that loads every report so that turning debug mode on — by
 * `run(main, { debug: true })`, `configure({ debug: true })` or `UNSYNC_DEBUG=1` — always
 * has all of them:
 *
 * - never-awaited futures and unretrieved errors (`debug-futures.ts`);
 * - slow callbacks / a blocked event loop (`debug-slow.ts`).
 *
 * With debug mode off nothing is tracked, nothing is timed and nothing is printed.
 */
import { assertOptions, expected } from '../core/validate';
import { debugState, type DebugOptions } from './debug-state';
import './debug-futures';
import './debug-slow';

export { debugState, onDebugToggle, report } from './debug-state';
export type { Logger, DebugOptions, DebugReportKind } from './debug-state';

/** Apply debug settings (validated first; unknown keys rejected; nothing changes on error). */
export function configureDebug(options: DebugOptions): void {
  assertOptions('options', options, ['debug', 'logger', 'slowCallbackDuration']);
  if (options.debug !== undefined && typeof options.debug !== 'boolean') {
    throw new TypeError(expected('debug', 'a boolean', options.debug));
  }
  if (options.logger !== undefined && typeof options.logger?.warn !== 'function') {
    throw new TypeError(expected('logger', 'an object with a warn(message, ...details) method', options.logger));
  }
  const slow = options.slowCallbackDuration;
  if (slow !== undefined && (typeof slow !== 'number' || !(slow > 0))) {
    throw new RangeError(expected('slowCallbackDuration', 'a positive number of milliseconds', slow));
  }
  if (options.logger !== undefined) debugState.logger = options.logger;
  if (slow !== undefined) debugState.slowCallbackDuration = slow;
  if (options.debug !== undefined) debugState.enabled = options.debug;
}
