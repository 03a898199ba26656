// Seed: "Coroutines" (awaiting a coroutine). Prints: done
import { run } from '../src';

async function work(): Promise<string> {
  return 'done';
}

async function main(): Promise<void> {
  const result = await work();
  console.log(result);
}

run(main);
