/**
 * What only the thread pool does: piscina sessions and their settings, resourceLimits. The
 * behaviour every pool shares (results, errors, queue order, cancellation, timeouts,
 * crashes, close, statistics, resultSync) is the contract suite's: contract/thread.test.ts.
 */
import { isWorkerCrashedError, WorkerCrashedError } from '../../src/core/executor-errors';
import { ThreadExecutor } from '../../src/executors';
import * as fx from '../fixtures/pool-functions';
import * as px from '../fixtures/process-functions';
import { refOf, rejectionOf, release, shared, waitUntilChanged } from './helpers';

/** Resolve once `check()` holds, polling every few milliseconds (bounded by the test timeout). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('ThreadExecutor out of memory', () => {
  /**
   * Start a call that crashes its thread on a signal; once it runs, submit 100 calls that
   * block on a gate (on the other thread, pipelined behind the crashing call, or queued), then
   * crash it. At the crash all 100 are still pending; only then does the gate open. All 100
   * must succeed. Returns the crash error and what the pool held when it came.
   */
  async function crashAmongHundred(executor: ThreadExecutor, kind: fx.CrashKind) {
    const flags = shared(2);
    const gate = shared(1);
    const crashing = executor.submit(refOf(fx.crashOnSignal), [flags, kind]);
    await waitUntilChanged(flags, 0);
    const calls = Array.from({ length: 100 }, (_, i) => executor.submit<number>(refOf(fx.addWhenOpen), [gate, i, 1]));
    release(flags, 1);
    const error = (await rejectionOf(crashing)) as WorkerCrashedError;
    const atCrash = { pending: calls.filter((c) => !c.done()).length, running: executor.statistics().running, queued: executor.statistics().queued };
    release(gate, 0);
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(isWorkerCrashedError(error)).toBe(true);
    return { error, atCrash };
  }

  it('fails only the call whose thread ran out of its resourceLimits', async () => {
    const limited = new ThreadExecutor({ maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } });
    try {
      const { error, atCrash } = await crashAmongHundred(limited, 'memory');
      expect(atCrash.pending).toBe(100);
      expect(atCrash.running + atCrash.queued).toBe(100);
      // The worker's own 'exit' code: it runs no JavaScript on the way out of memory.
      expect(error.exitCode).toBe(1);
      expect(error.message).toContain('`crashOnSignal` ran out of memory (resourceLimits, exit code 1)');
      expect((error.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    } finally {
      await limited.close();
    }
  });
});

describe('ThreadExecutor lifecycle and statistics', () => {
  it('starts threads with the configured env and execArgv', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1, env: { ...process.env, UNSYNC_TEST_VAR: 'from parent' } as Record<string, string>, execArgv: ['--no-deprecation'] });
    try {
      const info = await executor.submit<{ value: string; execArgv: string[] }>(refOf(px.childInfo), ['UNSYNC_TEST_VAR']);
      expect([info.value, info.execArgv]).toEqual(['from parent', ['--no-deprecation']]);
      // Not shared with the parent: the thread got a copy.
      expect(process.env.UNSYNC_TEST_VAR).toBeUndefined();
    } finally {
      await executor.close();
    }
  });

  it('ends an idle session but keeps its worker warm in piscina for the next call', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1, idleTimeout: 60_000 });
    try {
      const first = await executor.submit<number>(refOf(fx.workerThreadId), []);
      expect(executor.statistics().workers).toBe(1);
      await until(() => executor.statistics().workers === 0); // the session ended (SESSION_IDLE_MS)
      expect(await executor.submit<number>(refOf(fx.workerThreadId), [])).toBe(first);
    } finally {
      await executor.close();
    }
  });

  it("keeps running a call's background work (a timer) after its session ended, with no call to wake the worker", async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1, idleTimeout: 60_000 });
    try {
      const flags = shared(2);
      await executor.submit(refOf(fx.answerLater), [flags, 0, 1]);
      await until(() => executor.statistics().workers === 0); // the session ended
      Atomics.store(flags, 0, 1); // the worker's timer may act now
      // Bounded: an idle worker blocked in Atomics.wait (piscina's atomics 'sync') never runs it.
      await Promise.race([waitUntilChanged(flags, 1), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      expect(Atomics.load(flags, 1)).toBe(1);
    } finally {
      await executor.close();
    }
  });

  it('with minWorkers 0, retires the idle piscina pool after idleTimeout; the next call starts a new worker', async () => {
    const executor = new ThreadExecutor({ maxWorkers: 1, minWorkers: 0, idleTimeout: 30 });
    try {
      const first = await executor.submit<number>(refOf(fx.workerThreadId), []);
      await until(() => executor.statistics().workers === 0);
      await new Promise((resolve) => setTimeout(resolve, 300)); // well past idleTimeout
      const second = await executor.submit<number>(refOf(fx.workerThreadId), []);
      expect(second).not.toBe(first);
      expect(await executor.submit<number>(refOf(fx.add), [2, 2])).toBe(4);
    } finally {
      await executor.close();
    }
  });

  // The internal tuning knobs benchmarks/executors-thread-settings.ts compares must keep the pool correct.
  it.each(['sync', 'disabled'] as const)("with piscina atomics '%s', ends an idle session and reopens it on the warm worker", async (atomics) => {
    const executor = new ThreadExecutor({ maxWorkers: 1, idleTimeout: 60_000 }, { atomics });
    try {
      const first = await executor.submit<number>(refOf(fx.workerThreadId), []);
      await until(() => executor.statistics().workers === 0);
      expect(await executor.submit<number>(refOf(fx.workerThreadId), [])).toBe(first);
    } finally {
      await executor.close();
    }
  });

  // Two threads, each held by a blocker; three calls arrive. Depth 1 keeps them in the pool
  // until a thread is free; depth 4 sends them ahead, so the ones behind the held thread wait.
  it.each([
    [1, 0],
    [4, 2],
  ])('with pipelineDepth %i, %i of three calls wait behind a held thread while the other thread is free', async (depth, behind) => {
    const executor = new ThreadExecutor({ maxWorkers: 2 }, { pipelineDepth: depth });
    const flags = shared(2);
    try {
      const steps = shared(1);
      const held = executor.submit(refOf(fx.blockUntil), [flags, 0, steps]);
      const freed = executor.submit(refOf(fx.blockUntil), [flags, 1, steps]);
      // blockUntil counts its start without a notify: poll until both threads run one.
      while (Atomics.load(steps, 0) < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const calls = [1, 2, 3].map((i) => executor.submit(refOf(fx.add), [i, 0]));
      release(flags, 1);
      await freed;
      // Submitted now, this one runs on the free thread after whatever that thread was sent.
      expect(await executor.submit(refOf(fx.add), [4, 0])).toBe(4);
      expect(calls.filter((c) => !c.done())).toHaveLength(behind);
      release(flags, 0);
      expect(await Promise.all([held, ...calls])).toEqual(['released 0', 1, 2, 3]);
    } finally {
      release(flags, 0); // a failed check must not leave close() waiting on a blocker
      release(flags, 1);
      await executor.close();
    }
  });

  it('rejects bad tuning with the standard messages', () => {
    expect(() => new ThreadExecutor({}, { atomics: 'always' as never })).toThrow("Expected `tuning.atomics` to be 'sync', 'async' or 'disabled'");
    expect(() => new ThreadExecutor({}, { pipelineDepth: 0 })).toThrow(RangeError);
    expect(() => new ThreadExecutor({}, { pipelineDepth: 64 })).toThrow(RangeError); // a thread has 64 claim cells
    expect(() => new ThreadExecutor({}, { tinyPipelineDepth: 64 })).toThrow(RangeError);
    expect(() => new ThreadExecutor({}, { tinyPipelineDepth: 0 })).toThrow(RangeError);
    expect(() => new ThreadExecutor({}, { depth: 2 } as never)).toThrow('Unknown option `depth`');
  });

  it('rejects bad options with the standard messages', () => {
    expect(() => new ThreadExecutor({ maxWorkers: 0 })).toThrow(RangeError);
    expect(() => new ThreadExecutor({ threads: 2 } as never)).toThrow('Unknown option `threads`');
    expect(() => new ThreadExecutor({ callerStacks: 'no' as never })).toThrow("Expected `options.callerStacks` to be a boolean or 'auto'");
  });
});
