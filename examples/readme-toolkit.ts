// The README's "asyncio's toolkit" snippet, kept runnable (checked by a test).
import { run, createTask, gather, sleep, waitFor, TaskGroup, Queue, isTimeoutError } from '../src';

run(async () => {
  const [a, b] = await gather(sleep(20, 'a'), sleep(10, 'b'));
  console.log(a, b);

  const slow = createTask(async () => {
    try {
      await sleep(60_000);
    } finally {
      console.log('cleaned up');
    }
  });
  try {
    await waitFor(slow, 100);
  } catch (e) {
    if (isTimeoutError(e)) console.log('gave up after 100 ms');
  }

  const queue = new Queue<number>(10);
  await new TaskGroup().run(async (tg) => {
    tg.createTask(async () => {
      for (let i = 0; i < 3; i++) await queue.put(i);
      queue.shutdown();
    });
    tg.createTask(async () => {
      for await (const item of queue) console.log('got', item);
    });
  });
});
