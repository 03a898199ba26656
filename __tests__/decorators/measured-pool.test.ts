/**
 * Measured evidence from real pool calls (rule 4 of `inspect`): a pool call is timed by the
 * worker that ran it, not from the caller handing it over, and a worker's first call into
 * the module (which also loads it there) is not evidence. So a microsecond function that
 * started off the loop comes back to it after its cheap streak, whatever sent it there (no
 * other evidence, or a compute-shaped source: both start on the thread pool).
 */
import { configureEvidence, inspect, shutdown } from '../../src';
import * as E from '../fixtures/decorated-evidence';
import * as L from '../fixtures/decorated-evidence-loop';

const STREAK = 8;

beforeAll(() => configureEvidence({ returnStreak: STREAK }));
afterAll(async () => {
  configureEvidence({ reset: true });
  await shutdown();
});

/**
 * Call `run` until a call runs on the loop (at most `limit` calls, one at a time), and
 * return each call's executor in order.
 */
async function untilOnLoop(run: () => PromiseLike<unknown> & { executor: string }, limit: number): Promise<string[]> {
  const executors: string[] = [];
  while (executors.length < limit) {
    const f = run();
    executors.push(f.executor);
    await f;
    if (f.executor === 'loop') break;
  }
  return executors;
}

describe.each([
  ['thread', 'default', () => E.tinyOnThread({ first: ' Ada ', last: 'Lovelace', age: 36 }), E.tinyOnThread],
  ['thread', 'source', () => L.tinyLoop(3), L.tinyLoop],
] as const)('a tiny function that starts on the %s pool (rule: %s)', (pool, firstRule, call, fn) => {
  it('does not take its cold first call (module loaded in a fresh worker) as evidence', async () => {
    expect(inspect(fn)).toMatchObject({ executor: pool, rule: firstRule });
    const first = call();
    expect(first.executor).toBe(pool);
    await first;
    expect(inspect(fn)).toMatchObject({ executor: pool, rule: firstRule });
    expect(inspect(fn).measured[pool]).toBeUndefined();
  });

  it('comes back to the loop after a streak of cheap worker runs, and says what the worker measured', async () => {
    const executors = await untilOnLoop(call, 500);
    const poolCalls = executors.filter((e) => e === pool).length;
    // Every call went to the pool until one ran inline on the loop: no flip-flopping.
    expect(executors).toEqual([...Array<string>(poolCalls).fill(pool), 'loop']);
    expect(poolCalls).toBeGreaterThanOrEqual(STREAK);
    const now = inspect(fn);
    expect(now).toMatchObject({ executor: 'loop', rule: 'measured' });
    expect(now.reason).toMatch(new RegExp(`^measured: the last ${STREAK} calls each ran at most [\\d.]+ µs in a worker \\(under 200 µs\\), less than sending them there costs, so it runs inline on the loop$`));
    // Each warm pool call was recorded with the worker's run time; the inline call on the loop too.
    expect(now.measured[pool]!.calls).toBeGreaterThanOrEqual(STREAK);
    expect(now.measured[pool]!.calls).toBeLessThanOrEqual(poolCalls);
    expect(now.measured.loop!.calls).toBe(1);
  });
});

describe('a sync function that a worker sees returning a promise', () => {
  it('is routed to the loop after its first pool call, by rule 2 (a call returned a thenable)', async () => {
    expect(inspect(E.promiseFromThread)).toMatchObject({ kind: 'io', executor: 'thread' });
    const first = E.promiseFromThread(__filename);
    expect(first.executor).toBe('thread');
    expect(await first).toBeGreaterThan(0);
    expect(inspect(E.promiseFromThread)).toMatchObject({ kind: 'async', executor: 'loop' });
    const second = E.promiseFromThread(__filename);
    expect(second.executor).toBe('loop');
    expect(await second).toBeGreaterThan(0);
  });
});
