/**
 * Shared by the debug-mode tests: a capturing logger, forced garbage collection, a
 * loop-blocking busy-wait, and a virtual clock for the slow-callback timers.
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { performance } from 'node:perf_hooks';
import { configureDebug, debugState, type Logger } from '../../src/runtime/debug';
import { useDebugClock } from '../../src/runtime/debug-clock';

/** One report as the logger received it. */
export interface Captured {
  message: string;
  details: unknown[];
}

/** Install a logger that records every report; `restore()` puts the console back and turns debug off. */
export function captureReports(options: { debug?: boolean; slowCallbackDuration?: number } = {}): {
  reports: Captured[];
  messages: () => string[];
  restore: () => void;
} {
  const reports: Captured[] = [];
  const logger: Logger = { warn: (message, ...details) => reports.push({ message, details }) };
  configureDebug({ logger, slowCallbackDuration: options.slowCallbackDuration ?? 100, debug: options.debug ?? true });
  return {
    reports,
    messages: () => reports.map((r) => r.message),
    restore: () => {
      debugState.enabled = false;
      debugState.logger = console;
      debugState.slowCallbackDuration = 100;
    },
  };
}

let gcFn: (() => void) | undefined;
/** Force a full garbage collection. */
export function gc(): void {
  if (gcFn === undefined) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
}

/** Next turn of the event loop (lets finalization callbacks run). */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Collect garbage until `done()` holds or `rounds` rounds passed (bounded: returns false
 * then). Finalizers run on a later turn, so each round collects and yields.
 */
export async function collectUntil(done: () => boolean, rounds = 50): Promise<boolean> {
  for (let i = 0; i < rounds; i++) {
    gc();
    // Every tenth round waits a few ms instead of one turn: in a jest worker shared with
    // earlier test files, a timer list or a pending cleanup task can hold the last object
    // for a while (seen once in CI: a dropped future not collected within 50 quick rounds).
    if (i % 10 === 9) await new Promise<void>((resolve) => setTimeout(resolve, 5));
    else await nextTurn();
    if (done()) return true;
  }
  return done();
}

/** Collect garbage for a few rounds (to flush finalizers before a test that must see none). */
export async function settleGarbage(rounds = 5): Promise<void> {
  await collectUntil(() => false, rounds);
}

/**
 * Make the clock debug mode times callbacks with virtual (`useDebugClock`): it stands still
 * unless `advance(ms)` moves it. A callback that advances it by 200 ms took exactly 200 ms
 * for the slow-callback timers, and a callback that does not took 0 ms, however loaded the
 * machine (on a real clock a preempted or GC-paused callback reads as slow). `preempt(ms)`
 * moves it by `ms` that the thread spent waiting for a core (schedstat's run-queue wait),
 * which the timers leave out. `block` must not be used meanwhile (it reads the real clock).
 */
export function virtualClock(): { advance: (ms: number) => void; preempt: (ms: number) => void; restore: () => void } {
  let now = performance.now();
  let queued = 0;
  useDebugClock({ now: () => now, queuedMs: () => queued });
  return {
    advance: (ms) => {
      now += ms;
    },
    preempt: (ms) => {
      now += ms;
      queued += ms;
    },
    restore: () => useDebugClock(undefined),
  };
}

/** Block the event loop for `ms` milliseconds (a busy-wait). */
export function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}
