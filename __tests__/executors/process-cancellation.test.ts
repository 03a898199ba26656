import * as fs from 'node:fs';
import { CancelledError, isCancelledError, isTimeoutError } from '../../src/core/errors';
import { ProcessExecutor } from '../../src/executors';
import { simulateNoProcForTests } from '../../src/executors/process-child';
import { packMessage } from '../../src/executors/worker/process-wire.cjs';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf } from './helpers';
import { alive, blockUntil, linesOf, tempDir, waitForFile, waitForPid, warmForPipelining, wireFiles } from './process-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A one-child pool whose child is up and pipelines (see warmForPipelining). */
async function warmSingle(cancelGrace?: number): Promise<ProcessExecutor> {
  const executor = new ProcessExecutor({ maxWorkers: 1, cancelGrace });
  await warmForPipelining(executor);
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
    const childPid = await waitForPid(started);
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

  // The parent believes the head still runs while its answer sits unread in the channel:
  // cancelling it must not kill the child (design: docs/executors.md, "freeze, drain, decide").
  describe('cancelling a head whose answer is unread', () => {
    it('does not kill the pipelined call its child started next: that call runs once, on the same child', async () => {
      const executor = await warmSingle();
      const childPid = executor.childPids()[0];
      const log = tmp.file('unread.log');
      const release = tmp.file('unread.release');
      const steps: string[] = [];
      // One batch: `head` runs and answers at once; `next` starts right after it in the child.
      const head = executor.submit(refOf(px.appendLine), [log, 'head']);
      const next = executor.submit<number>(refOf(px.logThenBlock), [log, 'next started', release]);
      head.addDoneCallback((f) => steps.push(`head ${f.state}`));
      next.addDoneCallback(() => steps.push('next finished'));
      await Promise.resolve(); // the pool sends both on this microtask
      blockUntil('next started', () => linesOf(log).length === 2);
      expect(head.cancel('too late')).toBe(true);
      fs.writeFileSync(release, '');
      const nextPid = await next;
      await rejectionOf(head);
      expect(linesOf(log)).toEqual(['head', 'next started']);
      expect(nextPid).toBe(childPid);
      expect(steps).toEqual(['head cancelled', 'next finished']);
      expect(await executor.submit(refOf(px.pid), [])).toBe(childPid);
      expect(executor.statistics()).toMatchObject({ cancelled: 1, failed: 0 });
      await executor.close();
    });

    it('keeps an idle child whose last call had finished: the call ends cancelled, the child stays', async () => {
      const executor = await warmSingle();
      const childPid = executor.childPids()[0];
      const log = tmp.file('idle.log');
      const mark = tmp.file('idle.mark');
      const head = executor.submit(refOf(px.logThenAnswer), [log, 'head', mark, 0]);
      await Promise.resolve();
      blockUntil('the answer was sent', () => fs.existsSync(mark));
      expect(head.cancel()).toBe(true);
      expect(isCancelledError(await rejectionOf(head))).toBe(true);
      expect(await executor.submit(refOf(px.pid), [])).toBe(childPid);
      expect(linesOf(log)).toEqual(['head']);
      await executor.close();
    });

    it('a call behind a large answer starts only once that answer is wholly written, so killing for the head never re-runs it', async () => {
      const executor = await warmSingle();
      const log = tmp.file('large.log');
      const mark = tmp.file('large.mark');
      // Larger than the socket buffer (212992 bytes here): the write completes only as the parent reads.
      const head = executor.submit(refOf(px.logThenAnswer), [log, 'head', mark, 250_000]);
      const next = executor.submit(refOf(px.appendLine), [log, 'next']);
      await Promise.resolve();
      blockUntil('the answer was sent', () => fs.existsSync(mark));
      // Before the fix the child started `next` as soon as it handed over the answer.
      expect(linesOf(log)).toEqual(['head']);
      head.cancel();
      await rejectionOf(head);
      await next;
      expect(linesOf(log)).toEqual(['head', 'next']);
      expect(executor.statistics()).toMatchObject({ cancelled: 1, failed: 0 });
      await executor.close();
    });

    it('a call that reaches the child while it still writes a large answer waits for that answer too', async () => {
      const executor = await warmSingle();
      const log = tmp.file('late.log');
      const mark = tmp.file('late.mark');
      const head = executor.submit(refOf(px.logThenAnswer), [log, 'head', mark, 250_000]);
      await Promise.resolve();
      blockUntil('the answer was sent', () => fs.existsSync(mark));
      // The child is idle, its answer half written; the pool pipelines `next` behind `head`.
      // Its unused third argument makes the message large enough to travel as a wire file,
      // which the child deletes when it reads the message: that is how this test knows the
      // child received `next` (this thread stays blocked and reads nothing meanwhile).
      const args = [log, 'next', 'p'.repeat(300_000)];
      // Precondition: a message with these arguments does travel as a wire file.
      const probe = packMessage({ type: 'call', id: 0, file: log, name: 'appendLine', args }, tmp.dir) as { file?: string };
      expect(probe.file).toBeDefined();
      fs.rmSync(probe.file!);
      const next = executor.submit(refOf(px.appendLine), args);
      await Promise.resolve();
      // Sent now; none left (or none seen, if the child was quicker than this line) = read.
      const wires = wireFiles();
      blockUntil('the child read `next`', () => wires.every((file) => !fs.existsSync(file)));
      expect(linesOf(log)).toEqual(['head']);
      head.cancel();
      await rejectionOf(head);
      await next;
      expect(linesOf(log)).toEqual(['head', 'next']);
      await executor.close();
    });
  });

  it.each([
    [0, 'killed: `next` runs on a new child'],
    [1000, 'asked to stop, the head had answered: the child stays'],
  ])('without /proc (macOS, Windows) pipelines nothing, so cancelling a head whose answer is unread fails no other call (cancelGrace %i: %s)', async (cancelGrace) => {
    simulateNoProcForTests(true);
    try {
      const executor = await warmSingle(cancelGrace);
      const childPid = executor.childPids()[0];
      const log = tmp.file(`noproc-${cancelGrace}.log`);
      const mark = tmp.file(`noproc-${cancelGrace}.mark`);
      const release = tmp.file(`noproc-${cancelGrace}.release`);
      const head = executor.submit(refOf(px.logThenAnswer), [log, 'head', mark, 0]);
      const next = executor.submit<number>(refOf(px.logThenBlock), [log, 'next started', release]);
      await Promise.resolve();
      expect(executor.statistics()).toMatchObject({ running: 1, queued: 1 }); // `next` waits in the pool
      blockUntil('the answer was sent', () => fs.existsSync(mark));
      head.cancel();
      await rejectionOf(head);
      fs.writeFileSync(release, '');
      if (cancelGrace === 0) expect(await next).not.toBe(childPid);
      else expect(await next).toBe(childPid);
      expect(linesOf(log)).toEqual(['head', 'next started']);
      expect(executor.statistics().terminatedForCancel).toBe(cancelGrace === 0 ? 1 : 0);
      await executor.close();
    } finally {
      simulateNoProcForTests(false);
    }
  });

  it('stops a running while(true) call by killing its child; calls behind it run on a new child', async () => {
    const executor = await warmSingle();
    const started = tmp.file('spin.started');
    const log = tmp.file('spin.log');
    const spinning = executor.submit(refOf(px.spinForever), [started]);
    const behind = [1, 2, 3].map((i) => executor.submit(refOf(px.appendLine), [log, `behind ${i}`]));
    const spinPid = await waitForPid(started);
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
    const stubbornPid = await waitForPid(started);
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
