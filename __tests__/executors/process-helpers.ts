/** Shared helpers of the process executor tests (children share no memory: files carry signals). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessExecutor } from '../../src/executors';
import { FOLDER_PREFIX } from '../../src/executors/links/process/process-sync-wait';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf } from './helpers';

/** A fresh temporary folder, removed by `cleanup()`. */
export function tempDir(): { dir: string; file(name: string): string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-process-test-'));
  return { dir, file: (name) => path.join(dir, name), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Resolve once `file` exists (the only way a child can say "I started"). */
export async function waitForFile(file: string): Promise<string> {
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 5));
  return fs.readFileSync(file, 'utf8');
}

/**
 * Resolve with the process id a child wrote to `file` (the file exists a moment before the
 * number is in it: `writeFileSync` creates, then writes).
 */
export async function waitForPid(file: string): Promise<number> {
  for (;;) {
    const pid = Number(await waitForFile(file));
    if (pid > 0) return pid;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The lines appended to a step log so far. */
export function linesOf(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** True while `pid` is a live process (a zombie waiting for its reaper counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/** The options that start a Node process able to run the TypeScript fixtures (tsx's CommonJS hook). */
export function tsNodeArgs(script: string): string[] {
  return ['--require', require.resolve('tsx/cjs'), script];
}

/**
 * Make `pool` pipeline again: it sends calls ahead only while their mean run time is tiny,
 * so load both fixture modules in its child (a slow first call) and then answer 60 tiny
 * calls (the mean forgets a slow call within about 20).
 */
export async function warmForPipelining(pool: ProcessExecutor): Promise<void> {
  await pool.submit(refOf(px.pid), []);
  await pool.submit(refOf(fx.add), [0, 0]);
  await Promise.all(Array.from({ length: 60 }, (_, i) => pool.submit(refOf(fx.add), [i, 0])));
}

/**
 * Block this thread (its event loop too: no answer from a child is read meanwhile) until
 * `done()`. Used to act in the instant after a child answered, before the parent has read it.
 */
export function blockUntil(what: string, done: () => boolean): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 30_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    Atomics.wait(nap, 0, 0, 2);
  }
}

/**
 * The wire files (a message above 256 KiB, written by its sender and deleted by its receiver
 * once read: docs/executors.md, "The wire") now in this process's pool folders.
 */
export function wireFiles(): string[] {
  const prefix = `${FOLDER_PREFIX}${process.pid}-`;
  return fs
    .readdirSync(os.tmpdir())
    .filter((name) => name.startsWith(prefix))
    .flatMap((folder) => {
      try {
        return fs.readdirSync(path.join(os.tmpdir(), folder)).filter((name) => name.startsWith('wire-')).map((name) => path.join(os.tmpdir(), folder, name));
      } catch {
        return []; // a pool closed meanwhile and removed its folder
      }
    });
}
