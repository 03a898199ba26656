// Seed: "Event loops" — `result = asyncio.run(work(1, 2, 3))`: run() resolves with the result
// of its main function; arguments travel in a closure. Prints: result: 6
import { run, sleep } from '../src';
import { SECOND } from './seconds';

async function work(...args: number[]): Promise<number> {
  // do stuff...
  await sleep(0.1 * SECOND);
  return args.reduce((sum, n) => sum + n, 0);
}

run(() => work(1, 2, 3)).then((result) => console.log(`result: ${result}`));
