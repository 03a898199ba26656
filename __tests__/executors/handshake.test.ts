/**
 * Starting workers: the protocol handshake, and children that die while they start.
 */
import { isWorkerCrashedError } from '../../src/core/executor-errors';
import { ProcessExecutor, ThreadExecutor } from '../../src/executors';
import type { Executor } from '../../src/executors/executor';
import * as cx from '../fixtures/cooperative-functions';
import { refOf, rejectionOf, withPool } from './helpers';
import { linesOf, tempDir } from './process-helpers';

// The parent's copy of the wire constants (the workers load their own, from the file).
const wire = require('../../src/executors/worker/wire.cjs') as { PROTOCOL_VERSION: number };

type Pool = Executor & { close(): Promise<void> };
const pools: [string, () => Pool][] = [
  ['thread', () => new ThreadExecutor({ maxWorkers: 1 })],
  ['process', () => new ProcessExecutor({ maxWorkers: 1 })],
];

describe.each(pools)('the %s pool handshake', (_kind, make) => {
  it('fails calls with a clear error when the worker speaks another protocol version', async () => {
    const real = wire.PROTOCOL_VERSION;
    wire.PROTOCOL_VERSION = real + 1000;
    try {
      await withPool(make, async (pool) => {
        const errors = await Promise.all([rejectionOf(pool.submit(refOf(cx.workerId), [])), rejectionOf(pool.submit(refOf(cx.workerId), []))]);
        for (const error of errors) {
          expect(isWorkerCrashedError(error)).toBe(true);
          expect(error.message).toMatch(/protocol mismatch: the pool speaks version \d+, .* version \d+/);
        }
      });
    } finally {
      wire.PROTOCOL_VERSION = real;
    }
  });
});

describe('a child process killed while it starts', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('costs no waiting call: the pool starts another child', async () => {
    await withPool(
      () => new ProcessExecutor({ maxWorkers: 2 }),
      async (pool) => {
        await pool.submit(refOf(cx.workerId), []);
        const first = pool.childPids();
        expect(first).toHaveLength(1);
        const file = tmp.file('runs');
        // The only child is busy, so the pool forks a second one for the calls that wait.
        const calls = Array.from({ length: 20 }, (_, i) => pool.submit(refOf(cx.blockFor), [file, `call ${i}`, 5]));
        await Promise.resolve();
        const starting = pool.childPids().filter((pid) => !first.includes(pid));
        expect(starting).toHaveLength(1);
        process.kill(starting[0]!, 'SIGKILL');
        expect(await Promise.all(calls)).toEqual(calls.map(() => 5));
        expect(linesOf(file).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `call ${i}`).sort());
      },
    );
  });
});
