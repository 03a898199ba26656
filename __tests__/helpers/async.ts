/**
 * Helpers shared by the test folders (not a test file: jest matches *.test.ts only).
 */

/** Await `p` and return what it threw (fails the test if it fulfilled). */
export async function errorOf(p: PromiseLike<unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = await p;
  } catch (error) {
    return error;
  }
  throw new Error(`expected a rejection, got the value ${String(value)}`);
}

/** Let every queued microtask (and the ones they queue) run: one macrotask turn. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Run each step on a turn of the event loop of its own, in order, from the next turn on
 * (whatever a step settles, and the tasks that wakes, finish before the next step). Tests
 * complete their futures with it to fix the order things finish in, instead of starting
 * timers of different lengths together: on a loaded machine a pause between starting two
 * timers lets the longer one fire first.
 */
export async function inTurns(...steps: Array<() => unknown>): Promise<void> {
  for (const step of steps) {
    await flush();
    step();
  }
}

/** A native promise resolved after `ms`, independent of the library under test. */
export function nativeDelay<T = void>(ms: number, value?: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value as T), ms));
}

/** Number of active `Timeout` handles in the process right now. */
export function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

/**
 * Resolve once the process holds at most `limit` Timeout handles, polling for up to `ms`,
 * and return the last count seen. Compare with `<=`, never `===`: jest reuses its worker
 * process across test files, so timers of other files (and jest's own) come and go while a
 * test awaits; a leaked library timer stays, and keeps the count above `limit`.
 */
export async function timersSettleTo(limit: number, ms = 200): Promise<number> {
  const deadline = Date.now() + ms;
  let count = activeTimers();
  while (count > limit && Date.now() < deadline) {
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    count = activeTimers();
  }
  return count;
}
