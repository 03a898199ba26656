/**
 * Cancellation flows from the task model into the pools: `waitFor(poolCall, ms)`, a cancelled
 * `TaskGroup` and a cancelled `gather` each stop a running `while (true)` call on the thread
 * pool and on the process pool. The call ends cancelled, the pool counts it, and the pool
 * stays usable.
 */
import { isCancelledError, isTimeoutError } from '../../src/core/errors';
import type { Unfuture } from '../../src/core/future';
import { TaskGroup, gather, waitFor } from '../../src/combinators';
import { ProcessExecutor, ThreadExecutor, type Executor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf, shared, waitUntilChanged } from './helpers';
import { alive, tempDir, waitForPid } from './process-helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** Start a spinning call on `pool`; resolve once it runs (thread: a shared flag; process: a file with its pid). */
interface Spinner {
  start(pool: Executor, tag: string): { call: Unfuture<never>; running: Promise<void>; stopped(): boolean };
}

const threadSpinner: Spinner = {
  start(pool, _tag) {
    const started = shared(1);
    const call = pool.submit<never>(refOf(fx.spinForever), [started]);
    // A terminated thread cannot be observed from here; the Unfuture's outcome is the proof.
    return { call, running: waitUntilChanged(started, 0), stopped: () => true };
  },
};

const processSpinner: Spinner = {
  start(pool, tag) {
    const file = tmp.file(`${tag}.started`);
    const call = pool.submit<never>(refOf(px.spinForever), [file]);
    let pid = 0;
    const running = waitForPid(file).then((read) => void (pid = read));
    return { call, running, stopped: () => pid !== 0 && !alive(pid) };
  },
};

type Spin = ReturnType<Spinner['start']>;

/**
 * Every spinning call ended cancelled, the pool counted exactly those (none failed, none
 * running), their workers are stopped, and the pool still runs a call.
 */
async function expectStoppedAndPoolUsable(pool: Executor, spins: Spin[]): Promise<void> {
  expect(spins.map((s) => s.call.cancelled())).toEqual(spins.map(() => true));
  expect(pool.statistics()).toMatchObject({ cancelled: spins.length, failed: 0, running: 0 });
  expect(spins.every((s) => s.stopped())).toBe(true);
  expect(await pool.submit(refOf(fx.add), [2, 3])).toBe(5);
}

const kinds: Array<[string, () => Executor, Spinner]> = [
  ['thread', () => new ThreadExecutor({ maxWorkers: 2 }), threadSpinner],
  ['process', () => new ProcessExecutor({ maxWorkers: 2 }), processSpinner],
];

describe.each(kinds)('task-model cancellation on the %s pool', (kind, make, spinner) => {
  let pool: Executor;
  beforeEach(() => {
    pool = make();
  });
  afterEach(() => pool.close({ force: true }));

  it('waitFor(poolCall, ms) stops a running while(true) call at its deadline: TimeoutError, the call cancelled and counted', async () => {
    const spin = spinner.start(pool, `${kind}-waitfor`);
    await spin.running;
    const steps: string[] = [];
    spin.call.addDoneCallback((f) => steps.push(`call ${f.state}`));
    const error = await rejectionOf(waitFor(spin.call, 20));
    steps.push('waitFor threw');
    expect(isTimeoutError(error)).toBe(true);
    expect(isCancelledError(error.cause)).toBe(true);
    expect(steps).toEqual(['call cancelled', 'waitFor threw']);
    await expectStoppedAndPoolUsable(pool, [spin]);
  });

  it('a TaskGroup cancelled from outside stops the pool call its child task awaits', async () => {
    const spin = spinner.start(pool, `${kind}-group`);
    const steps: string[] = [];
    const group = new TaskGroup().run(async (tg) => {
      tg.createTask(async () => {
        try {
          return await spin.call;
        } catch (error) {
          steps.push(`child saw ${isCancelledError(error) ? 'CancelledError' : String(error)}`);
          throw error;
        }
      });
    });
    await spin.running;
    group.cancel('group cancelled');
    const error = await rejectionOf(group);
    steps.push('group ended');
    expect(isCancelledError(error)).toBe(true);
    expect(group.cancelled()).toBe(true);
    expect(steps).toEqual(['child saw CancelledError', 'group ended']);
    await expectStoppedAndPoolUsable(pool, [spin]);
  });

  it('cancelling a gather stops every pool call it gathers', async () => {
    const a = spinner.start(pool, `${kind}-gather-a`);
    const b = spinner.start(pool, `${kind}-gather-b`);
    const all = gather(a.call, b.call);
    await Promise.all([a.running, b.running]);
    expect(pool.statistics().running).toBe(2);
    all.cancel('gather cancelled');
    const error = await rejectionOf(all);
    expect(isCancelledError(error)).toBe(true);
    await expectStoppedAndPoolUsable(pool, [a, b]);
  });
});
