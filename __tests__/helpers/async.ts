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

/** A native promise resolved after `ms`, independent of the library under test. */
export function nativeDelay<T = void>(ms: number, value?: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value as T), ms));
}
