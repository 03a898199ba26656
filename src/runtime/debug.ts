/**
 * Debug-mode settings (issue: debug mode). A minimal holder for now; the debug-mode
 * work adds the reports (never-awaited futures, slow callbacks, unretrieved errors).
 */
import { assertOptions, expected } from '../core/validate';

/** Where debug reports go. The console by default. */
export interface Logger {
  warn(message: string, ...details: unknown[]): void;
}

/** Debug settings accepted by `configure()` and `run(main, { debug })`. */
export interface DebugOptions {
  debug?: boolean;
  logger?: Logger;
  /** Event-loop blocks longer than this (ms) are reported in debug mode (default 100). */
  slowCallbackDuration?: number;
}

export const debugState: { enabled: boolean; logger: Logger; slowCallbackDuration: number } = {
  enabled: process.env.UNSYNC_DEBUG === '1',
  logger: console,
  slowCallbackDuration: 100,
};

/** Apply debug settings (validated; unknown keys rejected). */
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
  if (options.debug !== undefined) debugState.enabled = options.debug;
  if (options.logger !== undefined) debugState.logger = options.logger;
  if (slow !== undefined) debugState.slowCallbackDuration = slow;
}
