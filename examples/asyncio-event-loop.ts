// Seed: "Event loops" (the pre-3.7 run_until_complete example): gather without results.
import { gather, run } from '../src';
import { a, b, c } from './abc';

async function main(): Promise<void> {
  await gather(a, b, c);
}

run(main);
