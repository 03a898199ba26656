/**
 * For the example tests: when `UNSYNC_EXAMPLE_CALL_LOG` names a file, `logCall('start')`
 * and `logCall('end')` append a line to it, from whichever thread or child process runs the
 * call. Appends land in the order they happen, so the test can tell from the order alone
 * whether calls overlapped (a second `start` before the first `end`). Without the
 * variable it does nothing.
 *
 * Whether ten short calls overlap on their own depends on timing: a second worker takes
 * hundreds of ms to start, and the first may finish every call before then. So, logging, a
 * call that starts alone waits (at most 20 s) until another call has started: with two
 * workers that happens as soon as the second one runs a call, and a pool that runs one call
 * at a time shows up as `start`, `end`, `start`, … (after the waits). The test then checks
 * the pool's parallelism, not the machine's speed.
 */
import { appendFileSync, readFileSync } from 'node:fs';

const PARTNER_WAIT_MS = 20_000;
const POLL_MS = 5;

export function logCall(event: 'start' | 'end'): void {
  const file = process.env.UNSYNC_EXAMPLE_CALL_LOG;
  if (file === undefined || file === '') return;
  appendFileSync(file, `${event}\n`);
  if (event === 'start') waitForAnotherStart(file);
}

function waitForAnotherStart(file: string): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + PARTNER_WAIT_MS;
  while (readFileSync(file, 'utf8').split('start').length - 1 < 2 && Date.now() < deadline) {
    Atomics.wait(nap, 0, 0, POLL_MS); // sleep this worker, not spin
  }
}
