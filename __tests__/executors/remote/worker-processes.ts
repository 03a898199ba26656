/**
 * Remote workers in their own processes for the remote executor's tests: each runs
 * __tests__/fixtures/remote-worker-main.ts with tsx, and its output lines are events
 * (`ready`, `started <pid>` from the fixtures that hold). Tracked: a test file calls
 * `killSpawned()` (../../helpers/child-processes.ts) in its `afterAll`.
 */
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { spawnTracked } from '../../helpers/child-processes';

const MAIN = path.join(__dirname, '../../fixtures/remote-worker-main.ts');

/** One worker process. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every line it printed so far. */
  readonly lines: readonly string[];
  /** Resolves with the first line matching `pattern` (at once if one was printed). */
  line(pattern: RegExp): Promise<string>;
  /** Resolves when the process exited. */
  readonly exited: Promise<void>;
  /** SIGKILL (if still alive), then await the exit. */
  kill(): Promise<void>;
}

/** Start a worker process on `queue` and resolve once it takes jobs; `nodeArgs` go to its `node` before the script. */
export async function spawnWorker(url: string, queue: string, stallTimeout?: number, nodeArgs: readonly string[] = []): Promise<WorkerProcess> {
  const args = [...nodeArgs, '--import', 'tsx', MAIN, url, queue, ...(stallTimeout === undefined ? [] : [String(stallTimeout)])];
  const child = spawnTracked(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = (pattern: RegExp): Promise<string> => {
    const seen = lines.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ pattern, resolve }));
  };
  const worker: WorkerProcess = {
    child,
    pid: child.pid!,
    lines,
    line,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  await Promise.race([
    line(/^ready$/),
    exited.then(() => {
      throw new Error(`the worker process exited before it was ready (${child.exitCode ?? child.signalCode})`);
    }),
  ]);
  return worker;
}

/** Resolves with the first of `workers` to print a line matching `pattern`. */
export function firstToPrint(workers: readonly WorkerProcess[], pattern: RegExp): Promise<WorkerProcess> {
  return Promise.race(workers.map((w) => w.line(pattern).then(() => w)));
}
