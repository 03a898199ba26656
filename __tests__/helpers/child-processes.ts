/**
 * Child processes a test file spawns (CLI workers, remote worker processes), killed in its
 * `afterAll` whatever happened: a test that fails or times out never reaches its own
 * `finally`, and its children would outlive the jest worker. Use {@link spawnTracked}
 * instead of `spawn`, and call {@link killSpawned} in `afterAll`.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const alive = new Set<ChildProcess>();

/** `spawn(command, args, options)`, remembered until it exits. */
export function spawnTracked(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, options);
  alive.add(child);
  child.once('exit', () => alive.delete(child));
  return child;
}

/** The children of this file still running. */
export function spawnedAlive(): number {
  return alive.size;
}

/** SIGKILL every tracked child still running (one stopped by SIGSTOP too) and wait for its exit. */
export async function killSpawned(): Promise<void> {
  await Promise.all(
    [...alive].map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      return exited;
    }),
  );
}

// A jest worker that exits without running afterAll (killed, bailed): leave no child behind.
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});
