// Port of Python unsync's README "Threading a synchronous function": a blocking sync
// function marked unsync runs on the thread pool, so ten calls overlap.
// Prints the ten results, then where the calls ran.
import { gather, inWorker, inspect, run, unsync } from '../src';
import { logCall } from './unsync-call-log';
import { SECOND } from './seconds';

export const nonAsyncFunction = unsync(function nonAsyncFunction(seconds: number): string {
  logCall('start'); // (for the example's test: did calls overlap?)
  // Blocks this thread like Python's time.sleep (a blocking call: inspect sends it to a thread).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * SECOND);
  logCall('end');
  return 'Run in parallel!';
});

async function main(): Promise<void> {
  const tasks = Array.from({ length: 10 }, () => nonAsyncFunction(0.1));
  console.log(JSON.stringify(await gather(...tasks)));
  console.log(`ran on: ${[...new Set(tasks.map((t) => t.executor))].join(', ')}`);
  console.log(`kind: ${inspect(nonAsyncFunction).kind}`);
}

if (!inWorker()) run(main);
