// Cooperative cancellation: a long CPU job that calls `checkpoint()` is cancelled from the
// caller. The job sees the request inside the worker (its `finally` runs there), the worker
// is kept for the next call (same pid), and the caller's await ends with CancelledError only
// once the job has stopped. A job that never checks is stopped too, after `cancelGrace`, by
// terminating its worker. Prints what happened, the same on every run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkpoint, configure, inWorker, isCancelledError, run, sleep, statistics, unsync } from '../src';

/** Where the job says it started and that its `finally` ran (the worker shares no memory with us). */
const LOG = path.join(os.tmpdir(), `unsync-cooperative-${process.env.UNSYNC_EXAMPLE_ID ?? process.pid}.log`);

export const crunch = unsync(
  function crunch(log: string): number {
    fs.appendFileSync(log, 'started\n');
    let acc = 0;
    try {
      for (let i = 0; ; i++) {
        if ((i & 0xffff) === 0) checkpoint(); // cheap: a memory read when nothing is asked
        acc += Math.sqrt(i);
      }
    } finally {
      fs.appendFileSync(log, 'cleaned up in the worker\n');
    }
  },
  { executor: 'process' },
);

export const stubborn = unsync(
  function stubborn(log: string): number {
    fs.appendFileSync(log, 'started\n');
    for (;;) {
      // never checks: only terminating the worker stops it
    }
  },
  { executor: 'process' },
);

export const pid = unsync(() => process.pid, { executor: 'process', name: 'pid' });

/** Resolve once the job wrote its first line. */
async function started(log: string): Promise<void> {
  while (!fs.existsSync(log)) await sleep(5);
}

async function main(): Promise<void> {
  configure({ process: { maxWorkers: 1, cancelGrace: 500 } });
  const before = await pid();
  fs.rmSync(LOG, { force: true });

  const job = crunch(LOG);
  await started(LOG);
  job.cancel('the user pressed stop');
  try {
    await job;
  } catch (error) {
    console.log(`crunch: ${isCancelledError(error) ? 'cancelled' : 'failed'}`);
  }
  console.log(`worker log: ${fs.readFileSync(LOG, 'utf8').trim().split('\n').join(', ')}`);
  console.log(`same worker afterwards: ${(await pid()) === before}`);

  fs.rmSync(LOG, { force: true });
  const hard = stubborn(LOG);
  await started(LOG);
  hard.cancel();
  await hard.catch((error: unknown) => console.log(`stubborn: ${isCancelledError(error) ? 'cancelled' : 'failed'}`));
  console.log(`same worker afterwards: ${(await pid()) === before}`);

  const { stoppedCooperatively, terminatedForCancel } = statistics().executors.process!;
  console.log(`stopped cooperatively: ${stoppedCooperatively}, workers terminated: ${terminatedForCancel}`);
  fs.rmSync(LOG, { force: true });
}

if (!inWorker()) run(main);
