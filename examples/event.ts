// Seed: "Event" (asyncio.Event): a listener task waits for the event, main sets it after
// a second (scaled by UNSYNC_EXAMPLE_SECOND). Prints: Waiting for event, Event processed
import { Event, createTask, run, sleep } from '../src';
import { SECOND } from './seconds';

async function listener(event: Event): Promise<void> {
  console.log('Waiting for event');
  await event.wait();
  console.log('Event processed');
}

async function main(): Promise<void> {
  const myEvent = new Event();

  // Spawn a task to wait until the event is set.
  const handler = createTask(() => listener(myEvent));

  // Sleep for 1 second and set the event.
  await sleep(1 * SECOND);
  myEvent.set();

  // Wait until processing is complete.
  await handler;
}

run(main);
