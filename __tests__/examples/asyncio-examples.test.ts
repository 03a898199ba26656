/**
 * Every asyncio example of the seed document has a runnable port in examples/; each is run
 * here as a script and its printed lines are compared with the seed's expected output.
 */
import { runExample } from './run-example';

const ABC_TIMELINE = ['A: started', 'B: started', 'C: started', 'B: finished', 'A: finished', 'C: finished'];

/**
 * The examples' "second" in ms for the cases whose order rests on sleeps of 1, 2 and 3
 * seconds started one after another: a stall between two starts longer than one "second"
 * (preemption at load 11 once gave one over 40 ms) would swap two finishes. At 100 ms, a
 * case's sleeps take 300 ms.
 */
const TIMELINE_SECOND = '100';

const cases: Array<[string, string[]]> = [
  ['asyncio-run.ts', ['hello']],
  ['asyncio-run-result.ts', ['result: 6']],
  ['asyncio-sleep.ts', ['done']],
  ['asyncio-coroutines.ts', ['done']],
  ['asyncio-create-task.ts', ['done', ...ABC_TIMELINE]],
  ['asyncio-gather.ts', [...ABC_TIMELINE, "Result: [ 'a', 'b', 'c' ]"]],
  ['asyncio-event-loop.ts', ABC_TIMELINE],
  ['asyncio-shield.ts', ['waiter: cancelled, res = null', 'work: finished anyway -> done']],
  ['asyncio-wait-for.ts', ['timeout!']],
  ['asyncio-wait.ts', ['work is done']],
  [
    'asyncio-as-completed.ts',
    ['A: started', 'B: started', 'C: started', 'B: finished', 'b', 'A: finished', 'a', 'C: finished', 'c'],
  ],
  [
    'protocols.ts',
    ['line: first', 'line: second', 'entering context', 'inside the block', 'exiting context', 'after the block'],
  ],
  [
    'trio-nursery.ts',
    [
      'parent: started!',
      'parent: spawning child1...',
      'parent: spawning child2...',
      'parent: waiting for children to finish...',
      '  child1: started! sleeping now...',
      '  child2: started! sleeping now...',
      '  child1: exiting!',
      '  child2: exiting!',
      'parent: all done!',
    ],
  ],
];

describe('README example', () => {
  it('readme-toolkit.ts runs the README snippet and prints in order', async () => {
    const result = await runExample('readme-toolkit.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout).toEqual(['a b', 'cleaned up', 'gave up after 100 ms', 'got 0', 'got 1', 'got 2']);
    expect(result.code).toBe(0);
  });
});

describe('seed example: to_thread', () => {
  it('asyncio-to-thread.ts runs the blocking work on a thread while main sleeps, then finishes', async () => {
    const result = await runExample('asyncio-to-thread.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout.map((l) => l.replace(/ at .*| \+.*/, ''))).toEqual([
      'Started main',
      'Work started',
      'Work done',
      'Finished main',
    ]);
    expect(result.code).toBe(0);
  });
});

describe('seed examples', () => {
  it.each(cases)('%s prints the seed output in order and exits cleanly', async (file, expected) => {
    const result = await runExample(file, [], expected.includes('B: finished') ? { UNSYNC_EXAMPLE_SECOND: TIMELINE_SECOND } : {});
    expect(result.stderr).toBe('');
    expect(result.stdout).toEqual(expected);
    expect(result.code).toBe(0);
  });
});
