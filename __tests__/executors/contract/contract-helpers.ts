/**
 * Helpers of the contract suite. Workers share no memory with the test on every link, so
 * the test learns what happened in a worker from files: a log each call appends one line to
 * as it starts, and release files a held call waits for. Nothing here reaches pool internals.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Executor } from '../../../src/executors';
import * as kx from '../../fixtures/contract-functions';
import * as fx from '../../fixtures/pool-functions';
import { refOf } from '../helpers';

/** Files of one test: a log, a release file and a go file, fresh names each time. */
export interface Scratch {
  readonly log: string;
  readonly release: string;
  readonly go: string;
}

/** A temporary folder for one test file; `next()` names a fresh set of files in it. */
export function scratchFolder(kind: string): { next(): Scratch; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `unsync-contract-${kind}-`));
  let n = 0;
  return {
    next() {
      const id = ++n;
      return { log: path.join(dir, `${id}.log`), release: path.join(dir, `${id}.release`), go: path.join(dir, `${id}.go`) };
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The whole lines in `log` so far (a line is written in one append, newline included). */
export function linesOf(log: string): string[] {
  if (!fs.existsSync(log)) return [];
  const text = fs.readFileSync(log, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
}

/** Resolve with the first whole line of `log` that starts with `prefix` (the jest timeout bounds the wait). */
export async function waitForLine(log: string, prefix: string): Promise<string> {
  for (;;) {
    const line = linesOf(log).find((l) => l === prefix || l.startsWith(`${prefix} `));
    if (line !== undefined) return line;
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}

/** Let held calls go on (they poll for the file; its content does not matter). */
export function releaseAll(file: string): void {
  fs.writeFileSync(file, '');
}

/** How many times each tag was logged (a call that ran twice counts 2). */
export function runCounts(log: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of linesOf(log)) counts[line] = (counts[line] ?? 0) + 1;
  return counts;
}

/**
 * Block this thread, its event loop included (no answer from a worker is read meanwhile),
 * until `done()`. Used to act in the instant after a worker answered, before the pool read it.
 * Throws after 20 s; with `giveUpAfterMs`, returns false after that long instead (true once
 * `done()`), for a case whose worker may need this thread's loop to get what it waits for.
 */
export function blockUntil(what: string, done: () => boolean, giveUpAfterMs?: number): boolean {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + (giveUpAfterMs ?? 20_000);
  while (!done()) {
    if (Date.now() > deadline) {
      if (giveUpAfterMs !== undefined) return false;
      throw new Error(`never: ${what}`);
    }
    Atomics.wait(nap, 0, 0, 2);
  }
  return true;
}

/**
 * Load the fixture modules in the pool's workers and answer tiny calls until the pool sends
 * calls ahead to a busy worker (a pool pipelines only while calls are short; the mean
 * forgets the slow first calls within about 20). Returns the id of a worker it used.
 */
export async function warm(pool: Executor): Promise<string> {
  const id = await pool.submit<string>(refOf(kx.workerId), []);
  await pool.submit(refOf(fx.add), [0, 0]);
  await Promise.all(Array.from({ length: 60 }, (_, i) => pool.submit(refOf(fx.add), [i, 0])));
  return id;
}
