/**
 * Helpers for the adversarial robustness tests (not a test file: jest matches *.test.ts only).
 */
import type { Unfuture } from '../../src/core/future';
import { allTasks } from '../../src/core/task';

/** Let `k` native microtask turns pass (each `await` is one turn). */
export async function microTurns(k: number): Promise<void> {
  for (let i = 0; i < k; i++) await null;
}

/** Let `k` event-loop turns pass (setImmediate: every pending microtask runs in between). */
export async function macroTurns(k: number): Promise<void> {
  for (let i = 0; i < k; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export { activeTimers, timersSettleTo } from '../helpers/async';

/** Number of active handles of kind `kind` (e.g. 'TCPSocketWrap', 'TCPServerWrap'). */
export function activeResources(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

/**
 * Resolve once `f` has settled (without linking it to any task); reject with a
 * description if it has not after `ms` wall-clock ms (a hang is a failure, not a timeout of jest).
 */
export function settledWithin(f: Unfuture<unknown>, ms = 3000, what = 'future'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} (${f}) did not settle within ${ms} ms`)), ms);
    f.addDoneCallback(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Wait (event-loop turns, bounded) until no task is pending; returns the ones left. */
export async function drainTasks(maxTurns = 200): Promise<string[]> {
  for (let i = 0; i < maxTurns && allTasks().size > 0; i++) {
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
  return [...allTasks()].map((t) => t.getName());
}

/** The outcome of a settled future as a small record, without throwing. */
export function outcome(f: Unfuture<unknown>): { state: string; value?: unknown; error?: unknown } {
  if (f.state === 'fulfilled') return { state: 'fulfilled', value: f.result() };
  if (f.state === 'pending') return { state: 'pending' };
  try {
    f.result();
  } catch (error) {
    return { state: f.state, error };
  }
  return { state: f.state };
}


