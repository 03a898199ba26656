// Seed: "Tasks" (asyncio.create_task), both examples.
// Prints: done, then A/B/C started in order and finished in order of their sleeps (B, A, C).
import { createTask, run, sleep } from '../src';
import { SECOND } from './seconds';

async function work(): Promise<string> {
  return 'done';
}

async function a(): Promise<void> {
  console.log('A: started');
  await sleep(2 * SECOND);
  console.log('A: finished');
}

async function b(): Promise<void> {
  console.log('B: started');
  await sleep(1 * SECOND);
  console.log('B: finished');
}

async function c(): Promise<void> {
  console.log('C: started');
  await sleep(3 * SECOND);
  console.log('C: finished');
}

async function main(): Promise<void> {
  const task = createTask(work);
  console.log(await task);

  const t1 = createTask(a);
  const t2 = createTask(b);
  const t3 = createTask(c);
  await t1;
  await t2;
  await t3;
}

run(main);
