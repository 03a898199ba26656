/**
 * `future.resultSync(ms)` for process calls: the sync answer files of
 * src/executors/process-sync-wait.ts and the process pool. What resultSync does on every
 * pool (a fresh pool, a queued call, errors, its own timeout, a call cancelled before the
 * wait) is in the contract suite.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CancelledError, InvalidStateError, isTimeoutError } from '../../src/core/errors';
import { isWorkerCrashedError } from '../../src/core/executor-errors';
import { syncWaiters } from '../../src/core/hooks';
import { pendingFuture } from '../../src/core/future';
import { sweepStaleFolders } from '../../src/executors/links/process/process-sync-wait';
import { ProcessExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf, thrown, withPool } from './helpers';
import { blockUntil, tempDir, waitForFile, warmForPipelining } from './process-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Block this thread for `ms` (the parent keeps its event loop from running meanwhile). */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('resultSync on process calls', () => {
  it('installs the process waiter when the process executor loads', () => {
    expect(typeof syncWaiters.process).toBe('function');
  });

  it('gets an answer the child sent before the caller blocked (it waits unread in the channel)', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      await pool.submit(refOf(fx.add), [0, 0]); // a ready child
      const f = pool.submit<number>(refOf(fx.add), [5, 6]);
      await Promise.resolve(); // let the dispatch microtask send it
      blockFor(300); // the child answers meanwhile; this thread does not read it
      expect(f.done()).toBe(false);
      expect(f.resultSync(30_000)).toBe(11);
    });
  });

  it('sends a queued call ahead of the pipeline when the caller blocks for it', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      const release = tmp.file('release-ahead');
      const blocker = pool.submit<string>(refOf(px.blockUntilFile), [tmp.file('started-ahead'), release, 'done']);
      const behind = pool.submit<number>(refOf(fx.add), [2, 3]);
      fs.writeFileSync(release, '');
      expect(behind.resultSync(30_000)).toBe(5);
      expect(blocker.done()).toBe(false); // its answer is unread: this thread never yielded
      expect(await blocker).toBe('done');
    });
  });

  it('blocks for a call behind a large answer it has not read (the child starts it without waiting for that write); cancelling the large call then kills nothing', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      await warmForPipelining(pool);
      const log = tmp.file('large-ahead.log');
      // Larger than the socket buffer: its write completes only as this thread reads.
      const large = pool.submit(refOf(px.logThenAnswer), [log, 'large', tmp.file('large-ahead.mark'), 250_000]);
      const behind = pool.submit<number>(refOf(px.appendLine), [log, 'behind']);
      await Promise.resolve(); // both go to the child in one message
      const childPid = behind.resultSync(30_000);
      expect(pool.childPids()).toEqual([childPid]);
      // `large` finished (a later call did), though its answer is unread: cancelling it kills nothing.
      expect(large.done()).toBe(false);
      expect(large.cancel()).toBe(true);
      expect(await rejectionOf(large)).toBeInstanceOf(CancelledError);
      expect(await pool.submit(refOf(px.pid), [])).toBe(childPid);
      expect(fs.readFileSync(log, 'utf8')).toBe('large\nbehind\n');
    });
  });

  it('a call a blocked caller gave up on and then cancelled leaves the child waiting for its answers to be written again', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      await warmForPipelining(pool);
      const started = tmp.file('gave-up.started');
      const release = tmp.file('gave-up.release');
      const blocker = pool.submit(refOf(px.blockUntilFile), [started, release, 'done']);
      const given = pool.submit(refOf(fx.add), [1, 2]);
      await Promise.resolve(); // both sent: `given` waits behind `blocker` in the child
      await waitForFile(started);
      expect(isTimeoutError(thrown(() => given.resultSync(50)))).toBe(true);
      given.cancel(); // the child drops it, and forgets the blocked caller's request
      await rejectionOf(given);
      fs.writeFileSync(release, '');
      await blocker;
      await warmForPipelining(pool); // again, after that long call
      // As in process-cancellation.test.ts: a call behind a large unread answer must wait for it.
      const log = tmp.file('gave-up.log');
      const mark = tmp.file('gave-up.mark');
      const large = pool.submit(refOf(px.logThenAnswer), [log, 'large', mark, 250_000]);
      const next = pool.submit(refOf(px.appendLine), [log, 'next']);
      await Promise.resolve();
      blockUntil('the answer was sent', () => fs.existsSync(mark));
      expect(fs.readFileSync(log, 'utf8')).toBe('large\n');
      await Promise.all([large, next]);
      expect(fs.readFileSync(log, 'utf8')).toBe('large\nnext\n');
    });
  });

  it('a call the child started for a blocked caller before the answer ahead of it was written is never re-run when that answer\'s call is cancelled', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      await warmForPipelining(pool);
      const childPid = pool.childPids()[0];
      const log = tmp.file('ungated.log');
      const release = tmp.file('ungated.release');
      const large = pool.submit(refOf(px.logThenAnswer), [log, 'large', tmp.file('ungated.mark'), 250_000]);
      const middle = pool.submit(refOf(px.appendLine), [log, 'middle']);
      const last = pool.submit<number>(refOf(px.logThenBlock), [log, 'last', release]);
      await Promise.resolve(); // all three go to the child in one message
      // Blocked for `last`, this thread reads nothing: `large`'s answer cannot be written
      // whole, and the child starts `middle` and `last` anyway (the caller must not hang).
      expect(isTimeoutError(thrown(() => last.resultSync(300)))).toBe(true);
      expect(fs.readFileSync(log, 'utf8')).toBe('large\nmiddle\nlast\n');
      // `large` finished, though its answer is half read: cancelling it must not kill the
      // child (that would re-run `middle` and `last` on a new one). The child is stopped from
      // here until the pool decides, so the release cannot reach `last` before that.
      expect(large.cancel()).toBe(true);
      fs.writeFileSync(release, '');
      await rejectionOf(large); // once the child wrote the rest of its answer
      expect(await last).toBe(childPid);
      await middle;
      expect(fs.readFileSync(log, 'utf8')).toBe('large\nmiddle\nlast\n');
    });
  });

  it('says so when the child dies under the blocked caller; the future then fails with WorkerCrashedError', async () => {
    await withPool(() => new ProcessExecutor({ maxWorkers: 1 }), async (pool) => {
      const f = pool.submit(refOf(px.killSelf), ['SIGKILL']);
      const error = thrown(() => f.resultSync(30_000));
      expect(error).toBeInstanceOf(InvalidStateError);
      expect(error.message).toContain('exited while this thread was blocked');
      expect(isWorkerCrashedError(await rejectionOf(f))).toBe(true);
      expect(pool.submit<number>(refOf(fx.add), [4, 4]).resultSync(30_000)).toBe(8);
    });
  });

  it('refuses a process future that no live pool owns', () => {
    const stray = pendingFuture<number>({ executor: 'process' });
    const error = thrown(() => stray.resultSync(10));
    expect(error).toBeInstanceOf(InvalidStateError);
    expect(error.message).toMatch(/is not a pending call of a live process pool/);
  });

  it('removes the pool folder of answer files on close', async () => {
    const pool = new ProcessExecutor({ maxWorkers: 1 });
    const info = pool.submit<{ value: string | undefined }>(refOf(px.childInfo), ['UNSYNC_SYNC_DIR']).resultSync(30_000);
    const folder = info.value!;
    expect(fs.existsSync(folder)).toBe(true);
    await pool.close();
    expect(fs.existsSync(folder)).toBe(false);
  });

  it('sweeps away the sync folders of processes that no longer run, and keeps the others', () => {
    const dir = tmp.file('sweep');
    fs.mkdirSync(dir);
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // has exited by now
    for (const name of [`unsync-sync-${dead}-abc`, `unsync-sync-${process.ppid}-def`, 'unsync-sync-notapid', 'other-folder']) {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, 'answer-1'), '');
    }
    sweepStaleFolders(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['other-folder', `unsync-sync-${process.ppid}-def`, 'unsync-sync-notapid'].sort());
  });
});
