// Port of Python unsync's README "Continuations": `then` chains a continuation (here an
// unsync async function) onto an Unfuture and returns an Unfuture of the whole chain.
// The continuation receives the value (Python's receives the source future). Prints: 8
import { inWorker, run, sleep, unsync } from '../src';
import { SECOND } from './seconds';

export const initiate = unsync(async function initiate(request: number): Promise<number> {
  await sleep(0.1 * SECOND);
  return request + 1;
});

export const process_ = unsync(async function process_(value: number): Promise<number> {
  await sleep(0.1 * SECOND);
  return value * 2;
});

if (!inWorker()) run(async () => console.log(await initiate(3).then(process_)));
