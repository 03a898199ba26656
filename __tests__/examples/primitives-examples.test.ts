/**
 * The seed's Queue, Event and synchronization-primitive examples, run as scripts
 * (`tsx examples/<name>.ts`) and checked line by line.
 */
import { runExample } from './run-example';
import { seededRandom } from '../../examples/seeded-random';

describe('primitives examples', () => {
  it('queue.ts: three workers process the 20 seeded sleeps, then the summary', async () => {
    const result = await runExample('queue.ts', [], { UNSYNC_EXAMPLE_SEED: '7' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const random = seededRandom(7);
    const workload = Array.from({ length: 20 }, () => 5 + Math.round(random() * 95));
    const total = workload.reduce((a, b) => a + b, 0);

    const lines = result.stdout;
    expect(lines).toHaveLength(23);
    const slept = lines.slice(0, 20).map((line) => {
      const match = /^worker-([012]) has slept for (\d+) ms$/.exec(line);
      expect(match).not.toBeNull();
      return Number(match![2]);
    });
    expect([...slept].sort((a, b) => a - b)).toEqual([...workload].sort((a, b) => a - b));
    expect(new Set(lines.slice(0, 20).map((l) => l.slice(0, 8)))).toEqual(new Set(['worker-0', 'worker-1', 'worker-2']));
    expect(lines[20]).toBe('====');
    const parallel = /^3 workers slept in parallel for (\d+) ms$/.exec(lines[21]!);
    expect(parallel).not.toBeNull();
    expect(Number(parallel![1])).toBeLessThan(total);
    expect(lines[22]).toBe(`total expected sleep time: ${total} ms`);
  });

  it('asyncio-sync-primitives.ts: the lock serialises, the condition hands over, the semaphore admits two', async () => {
    const result = await runExample('asyncio-sync-primitives.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout).toEqual([
      'lock A: in the critical section',
      'lock A: leaving it',
      'lock B: in the critical section',
      'lock B: leaving it',
      'condition: waiting',
      'condition: notifying',
      'condition: woken, ready = true',
      'semaphore: at most 2 of 5 workers inside at once',
    ]);
    expect(result.code).toBe(0);
  });

  it('event.ts: the listener waits, then processes the event once it is set', async () => {
    const result = await runExample('event.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout).toEqual(['Waiting for event', 'Event processed']);
    expect(result.code).toBe(0);
  });
});
