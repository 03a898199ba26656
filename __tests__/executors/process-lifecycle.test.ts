import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { InvalidStateError } from '../../src/core/errors';
import { ProcessExecutor } from '../../src/executors';
import { configure } from '../../src/runtime/configure';
import { executorStarted, getExecutor } from '../../src/runtime/pools';
import { shutdown } from '../../src/runtime/shutdown';
import { toProcess } from '../../src/runtime/to-process';
import { toThread } from '../../src/runtime/to-thread';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf } from './helpers';
import { alive, tempDir, tsNodeArgs, waitForFile } from './process-helpers';
import * as fs from 'node:fs';

const PARENT = path.join(__dirname, '..', 'fixtures', 'process-parent.ts');
const tmp = tempDir();
afterAll(async () => {
  await shutdown();
  tmp.cleanup();
});

/** Run the parent fixture; resolve with its first stdout line and its exit. */
function runParent(args: string[]) {
  const child = spawn(process.execPath, tsNodeArgs(PARENT).concat(args), { stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = new Promise<string>((resolve) => readline.createInterface({ input: child.stdout! }).once('line', resolve));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, firstLine, exited };
}

/** Resolve once none of `pids` is alive (the jest timeout bounds the wait). */
async function allGone(pids: number[]): Promise<void> {
  while (pids.some(alive)) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * Poll `pids` every 20 ms for at most `boundMs`; resolve with the ones still alive at the
 * bound (none when all went) and how long it took.
 */
async function goneWithin(pids: number[], boundMs: number): Promise<{ alive: number[]; ms: number }> {
  const start = performance.now();
  for (;;) {
    const left = pids.filter(alive);
    const ms = performance.now() - start;
    if (left.length === 0 || ms >= boundMs) return { alive: left, ms };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ProcessExecutor and the parent process', () => {
  it('children exit by themselves when the parent is SIGKILLed, busy ones included', async () => {
    const { child, firstLine, exited } = runParent(['orphan', tmp.file('orphan.started')]);
    const { busy, idle } = JSON.parse(await firstLine) as { busy: number; idle: number };
    expect(busy).not.toBe(idle);
    expect(alive(busy) && alive(idle)).toBe(true);
    const steps: string[] = [];
    child.kill('SIGKILL');
    await exited;
    steps.push('parent SIGKILLed');
    // Gone by themselves, with no one to kill them: the orphan watchdog checks every 0.5 s,
    // so a healthy child goes in about one interval; the bound only ends a failing test
    // (how fast they go is not the promise: at load 16 it took over 3 s).
    const { alive: left } = await goneWithin([busy, idle], 20_000);
    steps.push(left.length === 0 ? 'both children gone' : `still alive after 20 s: ${left.map((pid) => (pid === busy ? 'busy' : 'idle')).join(', ')}`);
    expect(steps).toEqual(['parent SIGKILLed', 'both children gone']);
  }, 30_000);

  it('a program that made calls exits by itself while the idle child is still there', async () => {
    const { firstLine, exited } = runParent(['clean']);
    const report = JSON.parse(await firstLine) as { before: boolean; value: number; pid: number };
    expect(report.before).toBe(false);
    expect(report.value).toBe(42);
    expect(await exited).toBe(0);
    await allGone([report.pid]);
  }, 15_000);
});

describe('ProcessExecutor pool settings', () => {
  it('starts no child until the first call', () => {
    const executor = new ProcessExecutor({ minWorkers: 1, maxWorkers: 1 });
    expect(executor.statistics()).toMatchObject({ workers: 0, state: 'open' });
    return executor.close();
  });

  it('replaces a child after maxTasksPerWorker calls', async () => {
    const executor = new ProcessExecutor({ maxWorkers: 1, maxTasksPerWorker: 2 });
    const pids: number[] = [];
    for (let i = 0; i < 5; i++) pids.push(await executor.submit<number>(refOf(px.pid), []));
    expect(pids[0]).toBe(pids[1]);
    expect(pids[2]).not.toBe(pids[1]);
    expect(pids[2]).toBe(pids[3]);
    expect(pids[4]).not.toBe(pids[3]);
    await allGone([pids[0]!, pids[2]!]);
    await executor.close();
  });

  it('retires an idle child after idleTimeout', async () => {
    const executor = new ProcessExecutor({ maxWorkers: 1, idleTimeout: 20 });
    const pid = await executor.submit<number>(refOf(px.pid), []);
    await allGone([pid]);
    // The process is gone; the pool counts it gone once its exit and channel close are read.
    while (executor.statistics().workers !== 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await executor.submit(refOf(fx.add), [1, 2])).toBe(3);
    await executor.close();
  });

  it('starts children with the configured env and execArgv', async () => {
    const executor = new ProcessExecutor({ maxWorkers: 1, env: { ...process.env, UNSYNC_TEST_VAR: 'from parent' } as Record<string, string>, execArgv: ['--max-old-space-size=200'] });
    const info = await executor.submit<{ value: string; execArgv: string[]; worker: string }>(refOf(px.childInfo), ['UNSYNC_TEST_VAR']);
    expect(info).toEqual({ value: 'from parent', execArgv: ['--max-old-space-size=200'], worker: 'process' });
    await executor.close();
  });

  it('fails waiting calls instead of forking forever when no child can start', async () => {
    const executor = new ProcessExecutor({ maxWorkers: 1, execArgv: ['--require', tmp.file('does-not-exist.cjs')] });
    const error = await rejectionOf(executor.submit(refOf(fx.add), [1, 2]));
    expect(error.name).toBe('WorkerCrashedError');
    expect(error.message).toContain('before it was ready');
    await executor.close();
  });
});

describe('the runtime process pool', () => {
  it('is configured, used by toProcess, shut down, and started fresh by the next call', async () => {
    expect(() => configure({ process: { workers: 2 } as never })).toThrow('Unknown option `workers`');
    configure({ process: { maxWorkers: 1, maxTasksPerWorker: 1000 } });
    expect(executorStarted('process')).toBe(false);
    const f = toProcess(fx.add, 1, 2);
    expect(f.executor).toBe('process');
    expect(await f).toBe(3);
    expect(() => configure({ process: { maxWorkers: 2 } })).toThrow(InvalidStateError);
    const first = await toProcess(px.pid);
    await shutdown();
    expect(executorStarted('process')).toBe(false);
    const second = await toProcess(px.pid);
    expect(second).not.toBe(first);
    expect(getExecutor('process').statistics().completed).toBe(1);
  });

  it('toProcess inside a worker (child process or thread) runs the function inline instead of starting a pool there', async () => {
    const inline = { done: true, executor: 'loop', samePid: true };
    expect(await toProcess(px.toProcessInside)).toEqual(inline);
    expect(await toThread(px.toProcessInside)).toEqual(inline);
  });

  it('shutdown({ cancelPending }) cancels calls not started and waits for running ones', async () => {
    const started = tmp.file('shutdown.started');
    const release = tmp.file('shutdown.release');
    const running = toProcess(px.blockUntilFile, started, release, 'finished');
    const pending = toProcess(fx.add, 1, 1);
    await waitForFile(started);
    const done = shutdown({ cancelPending: true });
    await rejectionOf(pending);
    expect(pending.cancelled()).toBe(true);
    fs.writeFileSync(release, '');
    await done;
    expect(await running).toBe('finished');
  });

  it('shutdown({ wait: false }) returns before a running call finishes; the call still finishes', async () => {
    const started = tmp.file('nowait.started');
    const release = tmp.file('nowait.release');
    const running = toProcess(px.blockUntilFile, started, release, 'finished');
    await waitForFile(started);
    const steps: string[] = [];
    await shutdown({ wait: false });
    steps.push('shutdown returned');
    expect(executorStarted('process')).toBe(false); // the next call would start a fresh pool
    fs.writeFileSync(release, '');
    steps.push(await running);
    expect(steps).toEqual(['shutdown returned', 'finished']);
  });
});
