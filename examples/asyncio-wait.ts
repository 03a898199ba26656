// Seed: "Wait" (asyncio.wait). Prints: work is done
import { createTask, run, wait } from '../src';

async function work(): Promise<string> {
  return 'done';
}

async function main(): Promise<void> {
  const task = createTask(work);
  const { done } = await wait([task]);
  if (done.has(task)) console.log('work is done');
}

run(main);
