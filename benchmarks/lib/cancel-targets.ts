/**
 * Functions the cancellation benchmark runs in worker threads and child processes
 * (benchmarks/executors-cancellation.ts). Loaded again in every worker, which re-runs the
 * registrations at the bottom.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { checkpoint } from '../../src/core/checkpoint';
import { unsyncRegister } from '../../src/executors';

const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * A CPU loop with a checkpoint every iteration; when the checkpoint throws, writes the
 * epoch time it saw the request at to `file` (the benchmark reads how long that took).
 */
export function spinChecked(started: string, file: string): number {
  fs.writeFileSync(started, '');
  let n = 0;
  try {
    for (;;) {
      checkpoint();
      n += 1;
    }
  } catch (error) {
    fs.writeFileSync(file, String(epochNow()));
    throw error;
  }
}

/** A CPU loop that never checks. */
export function spinBlind(started: string): number {
  fs.writeFileSync(started, '');
  for (;;) {
    // only terminating the worker stops this
  }
}

/** Nanoseconds per `checkpoint()` that finds nothing, over `n` calls, inside a pool call. */
export function checkpointCost(n: number): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) checkpoint();
  return ((performance.now() - start) * 1e6) / n;
}

unsyncRegister(spinChecked);
unsyncRegister(spinBlind);
unsyncRegister(checkpointCost);
