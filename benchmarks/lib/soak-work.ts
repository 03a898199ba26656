/**
 * The work of benchmarks/executors-soak.ts, run on the loop, in threads and in child
 * processes: tiny values, throws, short sleeps (for timeouts and cancels), and rare crashes.
 */
import { sleep } from '../../src/combinators/sleep';
import { unsyncRegister } from '../../src/executors';

/** What one soak call does. */
export type SoakWork = 'value' | 'throw' | 'sleep' | 'crash';

export async function soakWork(kind: SoakWork, id: number, ms: number): Promise<number> {
  switch (kind) {
    case 'throw':
      throw new RangeError(`soak ${id}`);
    case 'sleep':
      await sleep(ms);
      return id;
    case 'crash':
      process.exit(3);
    default:
      return id;
  }
}

/** The same, synchronous (the common case: no promise per call in the worker). */
export function soakWorkSync(kind: SoakWork, id: number): number {
  if (kind === 'throw') throw new RangeError(`soak ${id}`);
  if (kind === 'crash') process.exit(3);
  return id;
}

export const soakRef = unsyncRegister(soakWork);
export const soakSyncRef = unsyncRegister(soakWorkSync);
