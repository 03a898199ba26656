/**
 * `run(main)`: asyncio's `run`, the program's entry point.
 */
import { InvalidStateError } from '../core/errors';
import { Unfuture } from '../core/future';
import { onSettled } from '../core/future-internal';
import { allTasks, createTask } from '../core/task';
import { armedSleeps } from '../combinators/sleep';
import { assertFunction, assertOptions, expected } from '../core/validate';
import { debugState } from './debug';
import { runShutdownHooks } from './lifecycle';
import { runHooks } from './run-hooks';

/** Options for {@link run}. */
export interface RunOptions {
  /** Enable debug mode while `main` runs (see docs/debug.md). */
  debug?: boolean;
}

let running = false;

/**
 * Run `main` as the root task and resolve with its result (or reject with its error).
 *
 * When `main` settles, every task still pending is cancelled and awaited (except one stuck
 * on a foreign promise nothing can settle: once the event loop is idle it is left behind),
 * every `sleep` the program started and left armed is cancelled, then the executors are
 * shut down, so the process can exit. Calling `run` while another `run` is active throws
 * `InvalidStateError`.
 *
 * @example
 * run(async () => {
 *   await sleep(1000);
 *   console.log('hello');
 * });
 */
export async function run<T>(main: () => T | PromiseLike<T>, options?: RunOptions): Promise<T> {
  assertFunction('main', main);
  assertOptions('options', options, ['debug']);
  if (options?.debug !== undefined && typeof options.debug !== 'boolean') {
    throw new TypeError(expected('options.debug', 'a boolean', options.debug));
  }
  if (running) throw new InvalidStateError('run() cannot be called while another run() is active');
  running = true;
  const debugBefore = debugState.enabled;
  if (options?.debug !== undefined) debugState.enabled = options.debug;
  try {
    const sleepsBefore = new Set(armedSleeps());
    const root = createTask(main, { name: 'main' });
    await settled(root);
    await cancelRemaining(root);
    // A sleep the program started and never awaited: nothing can observe it any more.
    for (const s of armedSleeps()) if (!sleepsBefore.has(s)) s.cancel('run(): main returned');
    runHooks.beforeReturn?.();
    return root.result();
  } finally {
    try {
      await runShutdownHooks({ wait: true, cancelPending: true });
    } finally {
      debugState.enabled = debugBefore;
      running = false;
    }
  }
}

function settled(f: Unfuture<unknown>): Promise<void> {
  return new Promise((resolve) => onSettled(f, () => resolve()));
}

async function cancelRemaining(root: Unfuture<unknown>): Promise<void> {
  const left = [...allTasks()].filter((t) => t !== root);
  for (const task of left) task.cancel('run(): main returned');
  await settledOrStuck(left);
}

/**
 * Resolve once every task in `tasks` has settled, or once the event loop has nothing left
 * to do ('beforeExit'): a task suspended on a foreign promise that nothing can settle any
 * more cannot see its cancellation and can never finish. Waiting for it would let Node
 * exit with `run()` never returning; asyncio.run can always finish its cancelled tasks,
 * and so does this, by giving up on the ones that are provably stuck.
 */
function settledOrStuck(tasks: Unfuture<unknown>[]): Promise<void> {
  let remaining = tasks.length;
  if (remaining === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('beforeExit', done);
      resolve();
    };
    process.on('beforeExit', done);
    for (const t of tasks) onSettled(t, () => --remaining === 0 && done());
  });
}
