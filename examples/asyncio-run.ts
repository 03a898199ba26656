// Seed: "Running Program" (asyncio.run). Prints: hello
import { run, sleep } from '../src';
import { SECOND } from './seconds';

async function main(): Promise<void> {
  await sleep(1 * SECOND);
  console.log('hello');
}

run(main);
