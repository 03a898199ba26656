// Seed: "Queue" (asyncio.Queue): 3 workers share 20 random sleeps, `join()` waits for all
// of them, then the workers are cancelled. Sleeps are 5–100 ms instead of 0.05–1 s, drawn
// from a seeded generator (`UNSYNC_EXAMPLE_SEED`, default 42) so a run can be repeated.
// Prints one line per item as it is processed, then the seed's summary.
import { Queue, createTask, gather, run, sleep } from '../src';
import { seededRandom } from './seeded-random';

async function worker(name: string, queue: Queue<number>): Promise<never> {
  for (;;) {
    // Get a "work item" out of the queue.
    const sleepFor = await queue.get();
    // Sleep for `sleepFor` milliseconds.
    await sleep(sleepFor);
    // Notify the queue that the "work item" has been processed.
    queue.taskDone();
    console.log(`${name} has slept for ${sleepFor} ms`);
  }
}

async function main(): Promise<void> {
  const random = seededRandom(Number(process.env.UNSYNC_EXAMPLE_SEED ?? 42));
  // Create a queue that we will use to store our "workload".
  const queue = new Queue<number>();

  // Generate random timings and put them into the queue.
  let totalSleepTime = 0;
  for (let i = 0; i < 20; i++) {
    const sleepFor = 5 + Math.round(random() * 95);
    totalSleepTime += sleepFor;
    queue.putNowait(sleepFor);
  }

  // Create three worker tasks to process the queue concurrently.
  const tasks = [0, 1, 2].map((i) => createTask(() => worker(`worker-${i}`, queue)));

  // Wait until the queue is fully processed.
  const startedAt = performance.now();
  await queue.join();
  const totalSleptFor = performance.now() - startedAt;

  // Cancel our worker tasks.
  for (const task of tasks) task.cancel();
  // Wait until all worker tasks are cancelled.
  await gather(tasks, { returnExceptions: true });

  console.log('====');
  console.log(`3 workers slept in parallel for ${Math.round(totalSleptFor)} ms`);
  console.log(`total expected sleep time: ${totalSleepTime} ms`);
}

run(main);
