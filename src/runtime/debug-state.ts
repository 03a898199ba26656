/**
 * Debug mode's settings and its one output channel. The reports themselves live in
 * `debug-futures.ts` (never-awaited futures, unretrieved errors) and `debug-slow.ts`
 * (slow callbacks); each registers with {@link onDebugToggle} and installs its hooks only
 * while debug mode is on. `debug.ts` is the facade the rest of the runtime imports.
 *
 * This is the only module of the library that may name the console: as the default logger.
 */
import { isMainThread } from 'node:worker_threads';

/** Where debug reports go: any object with a `warn` method. The console by default. */
export interface Logger {
  /** Called once per report: `message` is one line starting `unsync:`; `details` are the objects it is about. */
  warn(message: string, ...details: unknown[]): void;
}

/** Debug settings accepted by `configure()` (and `debug` by `run(main, { debug })`). */
export interface DebugOptions {
  /** Turn debug mode on or off (default: on when the environment has `UNSYNC_DEBUG=1`). */
  debug?: boolean;
  /** Where reports go (default: the console). */
  logger?: Logger;
  /** Event-loop blocks longer than this (ms) are reported in debug mode (default 100). */
  slowCallbackDuration?: number;
}

/** The kinds of report debug mode makes (also the keys of `statistics().debug.reports`). */
export type DebugReportKind = 'neverAwaited' | 'slowCallback' | 'unretrievedError';

type ToggleListener = (enabled: boolean) => void;

const listeners: ToggleListener[] = [];
// UNSYNC_DEBUG=1 applies to the program, not to the pools' workers, which inherit the
// environment: there a long call blocking the worker's own loop is the point, not a bug.
let enabled = process.env.UNSYNC_DEBUG === '1' && isMainThread && process.env.UNSYNC_WORKER === undefined;

/** Reports made so far, by kind (for `statistics()`). */
export const reportCounts: Record<DebugReportKind, number> = { neverAwaited: 0, slowCallback: 0, unretrievedError: 0 };

/**
 * The live debug settings. Setting `enabled` installs or removes every report's hooks at
 * once (it is what `run(main, { debug })` and `configure({ debug })` change).
 */
export const debugState: { enabled: boolean; logger: Logger; slowCallbackDuration: number } = {
  get enabled(): boolean {
    return enabled;
  },
  set enabled(on: boolean) {
    on = on === true;
    if (on === enabled) return;
    enabled = on;
    for (const listener of listeners) listener(on);
  },
  logger: console,
  slowCallbackDuration: 100,
};

/**
 * Register `listener` to be told whenever debug mode is switched on or off. Called at once
 * with `true` when debug mode is already on (e.g. `UNSYNC_DEBUG=1`).
 */
export function onDebugToggle(listener: ToggleListener): void {
  listeners.push(listener);
  if (enabled) listener(true);
}

/**
 * Send one report to the configured logger. A logger that throws must not break the
 * program being debugged, so its error is dropped.
 */
export function report(kind: DebugReportKind, message: string, ...details: unknown[]): void {
  reportCounts[kind]++;
  try {
    debugState.logger.warn(message, ...details);
  } catch {
    // The logger itself failed; there is nowhere left to report it.
  }
}
