/**
 * The ports of Python unsync's README examples (examples/unsync-*.ts) run as scripts with
 * `tsx`, as a user would; their printed lines are compared with the expected output.
 */
import { runExample } from './run-example';

const TEN = JSON.stringify(Array.from({ length: 10 }, () => 'Run in parallel!'));

const cases: Array<[string, string[]]> = [
  ['unsync-simple-sleep.ts', ['I like decorators']],
  [
    'unsync-threading.ts',
    [TEN, 'ran on: thread', 'kind: io'],
  ],
  ['unsync-continuations.ts', ['8']],
  [
    'unsync-mixing.ts',
    [
      '{"0":2,"1":4,"2":6,"3":8,"4":10,"5":12,"6":14,"7":16,"8":18,"9":20}',
      'nonAsyncFunction: io on thread',
      'resultContinuation: async on loop',
      'resultProcessor: async on loop',
    ],
  ],
];

describe('Python unsync README examples', () => {
  it.each(cases)('%s prints the expected output and exits cleanly', async (file, expected) => {
    const { stdout, stderr, code } = await runExample(file);
    expect({ stdout, code }).toEqual({ stdout: expected, code: 0 });
    expect(stderr).not.toMatch(/Error/);
  }, 60_000);

  it('unsync-cpu-bound.ts runs every call on the process pool', async () => {
    const { stdout, stderr, code } = await runExample('unsync-cpu-bound.ts');
    expect({ stdout, code }).toEqual({
      stdout: [JSON.stringify(Array.from({ length: 10 }, () => 'Run in parallel faster!')), 'ran on: process'],
      code: 0,
    });
    expect(stderr).not.toMatch(/Error/);
  }, 60_000);
});
