// Seed: "As Completed". Results arrive in the order the work finishes: b, a, c.
// (Python started them in set order, C/B/A; here they start in the order given.)
import { asCompleted, run } from '../src';
import { a, b, c } from './abc';

async function main(): Promise<void> {
  const work = [a, b, c];
  for (const next of asCompleted(work)) {
    const result = await next;
    console.log(result);
  }
}

run(main);
