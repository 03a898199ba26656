/**
 * `npm run demo`: the seed's gather example with its timeline. A, B and C sleep 2, 1 and
 * 3 "seconds" concurrently, so the whole run takes a bit over 3, not 6.
 * (Until the benchmark harness lands, this is the project's main job.)
 */
import { inspect } from 'node:util';
import { gather, run, sleep } from '../src';
import { SECOND } from './seconds';

const started = performance.now();
const stamp = (): string => `${((performance.now() - started) / 1000).toFixed(2).padStart(5)} s`;

function worker(name: string, seconds: number): () => Promise<string> {
  return async () => {
    console.log(`${stamp()}  ${name.toUpperCase()}: started (sleeps ${seconds} s)`);
    await sleep(seconds * SECOND);
    console.log(`${stamp()}  ${name.toUpperCase()}: finished`);
    return name;
  };
}

async function main(): Promise<void> {
  console.log('unsync demo: gather(a, b, c) from the seed, on the event loop\n');
  const result = await gather(worker('a', 2), worker('b', 1), worker('c', 3));
  console.log(`${stamp()}  Result: ${inspect(result)}`);
  console.log(`\nSequential would take 6 s; gather took ${stamp().trim()}.`);
}

run(main);
