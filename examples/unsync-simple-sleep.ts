// Port of Python unsync's README "Simple Sleep": an async function marked unsync runs as a
// task on the event loop; awaiting its Unfuture gives the result. Prints: I like decorators
import { inWorker, run, sleep, unsync } from '../src';
import { SECOND } from './seconds';

export const unsyncAsync = unsync(async function unsyncAsync(): Promise<string> {
  await sleep(0.1 * SECOND);
  return 'I like decorators';
});

// Modules re-run in every worker that loads them: run the program only in the main thread.
if (!inWorker()) run(async () => console.log(await unsyncAsync()));
