/**
 * Runtime shutdown hooks. Executors register how to stop themselves; `run()` and
 * `shutdown()` call every hook. Keeps `run()` ignorant of which executors exist.
 */

/** Options passed to every shutdown hook (Python's `Executor.shutdown`). */
export interface ShutdownOptions {
  /** Wait for running calls to finish (default true). */
  wait?: boolean;
  /** Cancel calls that have not started yet (default false). */
  cancelPending?: boolean;
}

type ShutdownHook = (options: Required<ShutdownOptions>) => Promise<void> | void;

const hooks = new Set<ShutdownHook>();

/** Register `hook` to run on runtime shutdown; returns a function that unregisters it. */
export function onRuntimeShutdown(hook: ShutdownHook): () => void {
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}

/** Run every registered shutdown hook; errors are collected and rethrown together. */
export async function runShutdownHooks(options: ShutdownOptions = {}): Promise<void> {
  const resolved = { wait: options.wait ?? true, cancelPending: options.cancelPending ?? false };
  const results = await Promise.allSettled([...hooks].map(async (hook) => hook(resolved)));
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'several executors failed to shut down');
}
