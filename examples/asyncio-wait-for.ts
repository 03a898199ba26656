// Seed: "Timeouts" (asyncio.wait_for). Prints: timeout!
import { isTimeoutError, run, sleep, waitFor } from '../src';
import { SECOND } from './seconds';

const HOUR = 3600 * SECOND;

async function work(): Promise<string> {
  await sleep(HOUR);
  return 'done';
}

async function main(): Promise<void> {
  try {
    await waitFor(work, 1 * SECOND);
  } catch (error) {
    if (isTimeoutError(error)) console.log('timeout!');
    else throw error;
  }
}

run(main);
