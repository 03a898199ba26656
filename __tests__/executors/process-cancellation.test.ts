import * as fs from 'node:fs';
import { CancelledError, isCancelledError, isTimeoutError } from '../../src/core/errors';
import { ProcessExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf } from './helpers';
import { alive, linesOf, tempDir, waitForFile } from './process-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/**
 * A one-child pool whose child is up and has answered many tiny calls, so the pool pipelines
 * the next calls to it (it pipelines only calls whose mean run time is tiny).
 */
async function warmSingle(): Promise<ProcessExecutor> {
  const executor = new ProcessExecutor({ maxWorkers: 1 });
  await executor.submit(refOf(fx.add), [0, 0]);
  await Promise.all(Array.from({ length: 60 }, (_, i) => executor.submit(refOf(fx.add), [i, 0])));
  return executor;
}

describe('ProcessExecutor cancellation', () => {
  it('removes a call cancelled while it waits in the pool: it never starts', async () => {
    const executor = new ProcessExecutor({ maxWorkers: 1 });
    const log = tmp.file('queued.log');
    // The child is still starting, so every call waits in the pool's queue.
    const first = executor.submit(refOf(px.appendLine), [log, 'first']);
    const dropped = executor.submit(refOf(px.appendLine), [log, 'dropped']);
    const last = executor.submit(refOf(px.appendLine), [log, 'last']);
    expect(dropped.cancel('not needed')).toBe(true);
    const error = await rejectionOf(dropped);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toBe('not needed');
    await Promise.all([first, last]);
    await executor.close();
    expect(linesOf(log)).toEqual(['first', 'last']);
  });

  it('drops a call pipelined behind a running one without touching the running call', async () => {
    const executor = await warmSingle();
    const started = tmp.file('pipelined.started');
    const release = tmp.file('pipelined.release');
    const log = tmp.file('pipelined.log');
    const steps: string[] = [];
    const running = executor.submit<string>(refOf(px.blockUntilFile), [started, release, 'running done']);
    const behind = executor.submit(refOf(px.appendLine), [log, 'behind']);
    const after = executor.submit(refOf(px.appendLine), [log, 'after']);
    const childPid = Number(await waitForFile(started));
    behind.cancel();
    behind.addDoneCallback(() => steps.push('behind cancelled'));
    running.addDoneCallback(() => steps.push('running finished'));
    fs.writeFileSync(release, '');
    steps.push(await running);
    await after;
    expect(behind.cancelled()).toBe(true);
    expect(linesOf(log)).toEqual(['after']);
    // The same child ran both: nothing was killed.
    expect(await executor.submit(refOf(px.pid), [])).toBe(childPid);
    expect(steps).toEqual(['behind cancelled', 'running finished', 'running done']);
    await executor.close();
  });

  it('stops a running while(true) call by killing its child; calls behind it run on a new child', async () => {
    const executor = await warmSingle();
    const started = tmp.file('spin.started');
    const log = tmp.file('spin.log');
    const spinning = executor.submit(refOf(px.spinForever), [started]);
    const behind = [1, 2, 3].map((i) => executor.submit(refOf(px.appendLine), [log, `behind ${i}`]));
    const spinPid = Number(await waitForFile(started));
    spinning.cancel('stop spinning');
    const error = await rejectionOf(spinning);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toBe('stop spinning');
    expect(spinning.cancelled()).toBe(true);
    const pids = await Promise.all(behind);
    expect(linesOf(log)).toEqual(['behind 1', 'behind 2', 'behind 3']);
    expect(pids.every((p) => p !== spinPid)).toBe(true);
    expect(alive(spinPid)).toBe(false);
    expect(executor.statistics()).toMatchObject({ cancelled: 1, failed: 0 });
    await executor.close();
  });

  it('cancelling a running call whose child ignores SIGTERM still ends it: SIGKILL after the grace period, and a new child takes the next call', async () => {
    const executor = new ProcessExecutor({ maxWorkers: 1 });
    const started = tmp.file('sigterm.started');
    const log = tmp.file('sigterm.log');
    const steps: string[] = [];
    const stubborn = executor.submit(refOf(px.ignoreSigterm), [started, log]);
    const stubbornPid = Number(await waitForFile(started));
    stubborn.addDoneCallback((f) => steps.push(`call ${f.state}; child said: ${linesOf(log).join(', ') || 'nothing'}`));
    stubborn.cancel('stop it');
    const error = await rejectionOf(stubborn);
    steps.push(alive(stubbornPid) ? 'child still alive' : 'child gone');
    expect(error).toBeInstanceOf(CancelledError);
    expect(steps).toEqual(['call cancelled; child said: SIGTERM ignored', 'child gone']);
    expect(executor.statistics()).toMatchObject({ cancelled: 1, failed: 0 });
    const next = await executor.submit<number>(refOf(px.pid), []);
    expect(next).not.toBe(stubbornPid);
    await executor.close();
  });

  it('fails a call that exceeds its timeout with TimeoutError and kills its child', async () => {
    const executor = await warmSingle();
    const started = tmp.file('timeout.started');
    const error = await rejectionOf(executor.submit(refOf(px.spinForever), [started], { timeout: 300 }));
    expect(isTimeoutError(error)).toBe(true);
    expect(isCancelledError(error.cause)).toBe(true);
    expect(alive(Number(fs.readFileSync(started, 'utf8')))).toBe(false);
    expect(await executor.submit(refOf(fx.add), [1, 2], { timeout: 10_000 })).toBe(3);
    await executor.close();
  });

  it('close({ force }) cancels running and pipelined calls; cancelPending only the ones not started', async () => {
    const executor = await warmSingle();
    const started = tmp.file('force.started');
    const release = tmp.file('force.release');
    const running = executor.submit(refOf(px.blockUntilFile), [started, release, 'done']);
    const pending = executor.submit(refOf(fx.add), [1, 1]);
    await waitForFile(started);
    const closing = executor.close({ cancelPending: true });
    expect(executor.statistics().state).toBe('closing');
    await rejectionOf(pending);
    expect(pending.cancelled()).toBe(true);
    fs.writeFileSync(release, '');
    expect(await running).toBe('done');
    await closing;

    const forced = await warmSingle();
    const spin = forced.submit(refOf(px.spinForever), [tmp.file('force2.started')]);
    await waitForFile(tmp.file('force2.started'));
    await forced.close({ force: true });
    expect(spin.cancelled()).toBe(true);
    expect(forced.statistics()).toMatchObject({ state: 'closed', workers: 0 });
  });
});
