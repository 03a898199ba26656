// Seed: "Shielding from Cancellation". The waiting task is cancelled; the shielded work is not.
// Prints: waiter: cancelled, res = null / work: finished anyway -> done
import { createTask, isCancelledError, run, shield, sleep } from '../src';
import { SECOND } from './seconds';

async function work(): Promise<string> {
  await sleep(1 * SECOND);
  return 'done';
}

async function main(): Promise<void> {
  const inner = createTask(work);
  const waiter = createTask(async () => {
    let res: string | null;
    try {
      res = await shield(inner);
    } catch (error) {
      if (!isCancelledError(error)) throw error;
      res = null;
    }
    console.log(`waiter: cancelled, res = ${res}`);
  });
  await sleep(0.1 * SECOND);
  waiter.cancel();
  await waiter;
  console.log(`work: finished anyway -> ${await inner}`);
}

run(main);
