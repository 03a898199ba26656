// Seed: "Running Tasks Concurrently" (asyncio.gather). A bit over 3 seconds, not 6.
// Prints A/B/C started, B/A/C finished, then: Result: [ 'a', 'b', 'c' ]
import { inspect } from 'node:util';
import { gather, run } from '../src';
import { a, b, c } from './abc';

async function main(): Promise<void> {
  const result = await gather(a, b, c);
  console.log(`Result: ${inspect(result)}`);
}

run(main);
