/**
 * Cancellation races only the process pool has: answers that wait unread in the channel or
 * are too large to be written at once, platforms without /proc, a child that ignores
 * SIGTERM. The cancellation rules every pool shares are the contract suite's
 * (contract/process.test.ts).
 */
import * as fs from 'node:fs';
import { CancelledError, isCancelledError } from '../../src/core/errors';
import { ProcessExecutor } from '../../src/executors';
import { packMessage } from '../../src/executors/worker/process-wire.cjs';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf } from './helpers';
import { alive, blockUntil, linesOf, tempDir, waitForPid, warmForPipelining, wireFiles } from './process-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** A one-child pool whose child is up and pipelines (see warmForPipelining). */
async function warmSingle(cancelGrace?: number): Promise<ProcessExecutor> {
  const executor = new ProcessExecutor({ maxWorkers: 1, cancelGrace });
  await warmForPipelining(executor);
  return executor;
}

describe('ProcessExecutor cancellation', () => {
  // The parent believes the head still runs while its answer sits unread in the channel:
  // cancelling it must not kill the child (design: docs/executors.md, "the gate").
  describe('cancelling a head whose answer is unread', () => {
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

});
