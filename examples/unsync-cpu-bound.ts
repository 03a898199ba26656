// Port of Python unsync's README "cpu_bound": `cpuBound: true` sends a CPU-heavy sync
// function to the process pool, where calls run on all cores without blocking the loop.
// Prints the ten results.
import { gather, inWorker, run, unsync } from '../src';
import { logCall } from './unsync-call-log';

export const cpuBoundFunction = unsync(function cpuBoundFunction(operations: number): string {
  logCall('start'); // (for the example's test: did calls overlap?)
  let x = 0;
  for (let i = 0; i < operations; i++) x += i % 7;
  logCall('end');
  return x >= 0 ? 'Run in parallel faster!' : 'unreachable';
}, { cpuBound: true });

async function main(): Promise<void> {
  const tasks = Array.from({ length: 10 }, () => cpuBoundFunction(5e6));
  console.log(JSON.stringify(await gather(...tasks)));
  console.log(`ran on: ${[...new Set(tasks.map((t) => t.executor))].join(', ')}`);
}

if (!inWorker()) run(main);
