// Seed: "Running in Threads" (asyncio.to_thread). A blocking function runs on a worker
// thread while the event loop sleeps, so the whole takes ~2 "seconds", not 3.
// The worker reports when it started and finished (its own prints would reach stdout
// through another channel, in no fixed order with the main thread's).
import { gather, inWorker, run, sleep, toThread } from '../src';
import { SECOND } from './seconds';

const t0 = Date.now();
const at = (ms: number): string => `+${((ms - t0) / SECOND).toFixed(1)}s`;

/** Blocks its thread for 2 "seconds", like the seed's time.sleep(2). */
export function work(startedAfter: number): { started: number; done: number } {
  const started = Date.now();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2 * SECOND); // blocking
  return { started: Math.max(started, startedAfter), done: Date.now() };
}

async function main(): Promise<void> {
  console.log(`Started main at ${at(Date.now())}`);
  const [{ started, done }] = await gather(toThread(work, t0), sleep(1 * SECOND));
  console.log(`Work started ${at(started)} (the first call also starts the thread pool)`);
  console.log(`Work done at ${at(done)}`);
  console.log(`Finished main at ${at(Date.now())}`);
}

// Modules are loaded again inside workers (to find `work`): only the main thread runs main.
if (!inWorker()) run(main);
