// Seed: "Synchronization Primitives" — the three `async with` snippets (Lock, Condition,
// Semaphore), made runnable. `async with x:` becomes `await using _held = await x.acquire()`:
// the guard is released when the block exits, even on throw.
// Prints the lock's critical sections one after the other, the condition hand-over, and the
// largest number of tasks the semaphore let in at once.
import { Condition, Lock, Semaphore, createTask, gather, run, sleep } from '../src';
import { SECOND } from './seconds';

async function lockExample(): Promise<void> {
  const lock = new Lock();
  const worker = async (name: string): Promise<void> => {
    await using _held = await lock.acquire();
    // access shared state
    console.log(`${name}: in the critical section`);
    await sleep(0.1 * SECOND);
    console.log(`${name}: leaving it`);
  };
  await gather(() => worker('lock A'), () => worker('lock B'));
}

async function conditionExample(): Promise<void> {
  const cond = new Condition();
  let ready = false;
  const waiter = createTask(async () => {
    await using _held = await cond.acquire();
    console.log('condition: waiting');
    await cond.wait();
    console.log(`condition: woken, ready = ${ready}`);
  });
  await sleep(0.1 * SECOND);
  {
    await using _held = await cond.acquire();
    ready = true;
    console.log('condition: notifying');
    cond.notify();
  }
  await waiter;
}

async function semaphoreExample(): Promise<void> {
  const sem = new Semaphore(2);
  let inside = 0;
  let most = 0;
  const worker = async (): Promise<void> => {
    await using _permit = await sem.acquire();
    // work with shared resource
    most = Math.max(most, ++inside);
    await sleep(0.1 * SECOND);
    inside--;
  };
  await gather([1, 2, 3, 4, 5].map(() => worker));
  console.log(`semaphore: at most ${most} of 5 workers inside at once`);
}

async function main(): Promise<void> {
  await lockExample();
  await conditionExample();
  await semaphoreExample();
}

run(main);
