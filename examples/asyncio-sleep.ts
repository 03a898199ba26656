// Seed: "Sleeping" (asyncio.sleep with a result). Prints: done
import { run, sleep } from '../src';
import { SECOND } from './seconds';

async function main(): Promise<void> {
  const result = await sleep(1 * SECOND, 'done');
  console.log(result);
}

run(main);
