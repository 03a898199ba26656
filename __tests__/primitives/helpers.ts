/**
 * Shared helpers for the primitives tests (not a test file: jest matches *.test.ts only).
 */

/** Let every queued microtask (and the ones they queue) run: one macrotask turn. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

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
