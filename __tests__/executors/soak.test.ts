/**
 * Reliability under load, sized for CI: hundreds of mixed calls on the loop, the thread pool
 * and the process pool — some cancelled at random points, some timing out, some throwing,
 * some crashing their worker — while child processes are killed at random. Every call
 * settles exactly once with an outcome its kind allows, none runs twice, the pools heal, and
 * nothing outlives close(). (A longer run of the same mix is a benchmark, not a test.)
 */
import * as fs from 'node:fs';
import { isTimeoutError } from '../../src/core/errors';
import { isWorkerCrashedError } from '../../src/core/executor-errors';
import type { Unfuture } from '../../src/core/future';
import { LoopExecutor, ProcessExecutor, ThreadExecutor } from '../../src/executors';
import type { Executor } from '../../src/executors/executor';
import { seededRandom } from '../../examples/seeded-random';
import * as sx from '../fixtures/soak-functions';
import { refOf } from './helpers';
import { alive, tempDir } from './process-helpers';

const CALLS_PER_POOL = Number(process.env.SOAK_CALLS ?? 150);

interface Planned {
  readonly id: number;
  readonly kind: sx.SoakKind;
  readonly cancelAfter: number | undefined;
  readonly timeout: number | undefined;
  future?: Unfuture<number>;
  settled: number;
}

const tmp = tempDir();
afterAll(() => tmp.cleanup());

type Pool = Executor & { close(options?: { force?: boolean }): Promise<void> };

describe.each([
  ['loop', () => new LoopExecutor() as Pool, 11],
  ['thread', () => new ThreadExecutor({ maxWorkers: 2, cancelGrace: 30 }) as Pool, 22],
  ['process', () => new ProcessExecutor({ maxWorkers: 2, cancelGrace: 30 }) as Pool, 33],
] as const)('a soak of mixed calls on the %s executor', (kind, make, seed) => {
  it('settles every call exactly once, runs none twice, heals, and leaves nothing behind', async () => {
    const rand = seededRandom(seed); // a failing run replays with its seed
    const pool = make();
    const log = tmp.file(`${kind}.log`);
    const kinds: sx.SoakKind[] = kind === 'loop' ? ['value', 'throw', 'sleep'] : ['value', 'value', 'throw', 'spin-checked', 'spin-blind', 'sleep', 'crash'];
    const plan: Planned[] = Array.from({ length: CALLS_PER_POOL }, (_, id) => ({
      id,
      kind: kinds[Math.floor(rand() * kinds.length)]!,
      cancelAfter: rand() < 0.3 ? Math.floor(rand() * 20) : undefined,
      timeout: rand() < 0.15 ? 5 + Math.floor(rand() * 30) : undefined,
      settled: 0,
    }));
    const pids = new Set<number>();
    const killed = new Set<number>();
    // Kill children at random, but only ones that have run a call (so were ready): a pool
    // whose children all die while they start gives up on the waiting calls by design
    // (handshake.test.ts).
    const served = (): Set<number> =>
      new Set(fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => Number(line.split(' ')[1])) : []);
    const killer =
      pool instanceof ProcessExecutor
        ? setInterval(() => {
            for (const pid of pool.childPids()) pids.add(pid);
            if (rand() >= 0.3) return;
            const ran = served();
            const victims = pool.childPids().filter((pid) => ran.has(pid));
            if (victims.length === 0) return;
            const victim = victims[Math.floor(rand() * victims.length)]!;
            killed.add(victim);
            process.kill(victim, 'SIGKILL');
          }, 20)
        : undefined;
    try {
      for (const call of plan) {
        const ms = 1 + Math.floor(rand() * 15);
        const options = call.timeout === undefined ? undefined : { timeout: call.timeout };
        call.future =
          call.kind === 'sleep' ? pool.submit<number>(refOf(sx.soakAsync), [log, call.id, ms], options) : pool.submit<number>(refOf(sx.soakSync), [log, call.id, call.kind, ms], options);
        call.future.addDoneCallback(() => {
          call.settled++;
        });
        if (call.cancelAfter !== undefined) setTimeout(() => call.future!.cancel(), call.cancelAfter);
        if (rand() < 0.2) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      await Promise.all(plan.map((call) => new Promise<void>((resolve) => call.future!.addDoneCallback(() => resolve()))));
    } finally {
      if (killer !== undefined) clearInterval(killer);
    }
    await new Promise((resolve) => setImmediate(resolve)); // done callbacks run on a microtask

    if (process.env.SOAK_DEBUG) {
      const summary: Record<string, number> = {};
      for (const call of plan) {
        const f = call.future!;
        const key = f.state === 'rejected' ? `rejected ${String(f.exception()).slice(0, 160)}` : f.state;
        summary[key] = (summary[key] ?? 0) + 1;
      }
      console.log(JSON.stringify(summary, null, 1));
    }
    // Exactly once, with an outcome the call's kind allows.
    for (const call of plan) {
      const f = call.future!;
      expect({ id: call.id, settled: call.settled }).toEqual({ id: call.id, settled: 1 });
      if (f.state === 'fulfilled') {
        expect(['value', 'spin-checked', 'spin-blind', 'sleep']).toContain(call.kind);
        expect(f.result()).toBe(call.id);
      } else if (f.state === 'rejected') {
        const error = f.exception() as Error;
        const allowed =
          (call.kind === 'throw' && error instanceof RangeError && error.message === `soak ${call.id}`) ||
          (call.timeout !== undefined && isTimeoutError(error)) ||
          (kind !== 'loop' && isWorkerCrashedError(error));
        expect({ id: call.id, kind: call.kind, allowed, error: String(error) }).toMatchObject({ allowed: true });
      } else {
        expect(f.state).toBe('cancelled');
        expect(call.cancelAfter !== undefined || (kind !== 'loop' && call.timeout !== undefined)).toBe(true);
      }
    }

    // No call ran twice (crashed or killed runs included: each appended its id once).
    const runs = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((line) => Number(line.split(' ')[0]));
    expect(runs.length).toBe(new Set(runs).size);

    // The pool healed: a plain call still works. First the pool must have seen every death:
    // a call sent to an idle child killed a moment ago fails (WorkerCrashedError), because
    // the parent cannot tell that the child never read it (a call runs at most once).
    while (((pool as Partial<ProcessExecutor>).childPids?.() ?? []).some((pid) => killed.has(pid))) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await pool.submit(refOf(sx.soakSync), [log, 100_000, 'value', 0])).toBe(100_000);
    for (const pid of (pool as Partial<ProcessExecutor>).childPids?.() ?? []) pids.add(pid);

    await pool.close({ force: true });
    expect(pool.statistics().workers).toBe(0);
    const deadline = Date.now() + 10_000;
    while ([...pids].some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect([...pids].filter(alive)).toEqual([]);
  }, 120_000);
});
