/**
 * The ports of Python unsync's README examples (examples/unsync-*.ts) run as scripts with
 * `tsx`, as a user would; their printed lines are compared with the expected output. For
 * the threading and cpu_bound examples, whose point is that calls run in parallel, each
 * call also appends `start`/`end` to a log (examples/unsync-call-log.ts), and the order of
 * the lines shows whether calls overlapped.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExample, type ExampleRun } from './run-example';

const TEN = JSON.stringify(Array.from({ length: 10 }, () => 'Run in parallel!'));

const cases: Array<[string, string[]]> = [
  ['unsync-simple-sleep.ts', ['I like decorators']],
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
  [
    'cooperative-cancel.ts',
    [
      'crunch: cancelled',
      'worker log: started, cleaned up in the worker',
      'same worker afterwards: true',
      'stubborn: cancelled',
      'same worker afterwards: false',
      'stopped cooperatively: 1, workers terminated: 1',
    ],
  ],
  [
    'stream-file-lines.ts',
    [
      'found "ERROR disk full" at line 120000',
      'progress: the worker had read part of the file (yes)',
      'worker: closed the file in the worker',
      'same worker afterwards: true',
    ],
  ],
];

describe('Python unsync README examples', () => {
  it.each(cases)('%s prints the expected output and exits cleanly', async (file, expected) => {
    const { stdout, stderr, code } = await runExample(file);
    expect({ stdout, code }).toEqual({ stdout: expected, code: 0 });
    expect(stderr).not.toMatch(/Error/);
  }, 60_000);

  it('unsync-threading.ts runs every call on the thread pool, calls overlapping', async () => {
    const { run, events } = await runLogged('unsync-threading.ts');
    expect({ stdout: run.stdout, code: run.code }).toEqual({ stdout: [TEN, 'ran on: thread', 'kind: io'], code: 0 });
    expect(run.stderr).not.toMatch(/Error/);
    expectOverlap(events);
  }, 60_000);

  it('unsync-cpu-bound.ts runs every call on the process pool, calls overlapping', async () => {
    const { run, events } = await runLogged('unsync-cpu-bound.ts');
    expect({ stdout: run.stdout, code: run.code }).toEqual({
      stdout: [JSON.stringify(Array.from({ length: 10 }, () => 'Run in parallel faster!')), 'ran on: process'],
      code: 0,
    });
    expect(run.stderr).not.toMatch(/Error/);
    expectOverlap(events);
  }, 60_000);
});

/** Run an example with a call log; returns its output and the logged `start`/`end` lines in order. */
async function runLogged(file: string): Promise<{ run: ExampleRun; events: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-example-'));
  const log = path.join(dir, 'calls.log');
  try {
    const run = await runExample(file, [], { UNSYNC_EXAMPLE_CALL_LOG: log });
    const events = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter((l) => l !== '') : [];
    return { run, events };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Ten calls, each logged once as started and once as ended, and some call started before another ended. */
function expectOverlap(events: string[]): void {
  expect(events.filter((e) => e === 'start')).toHaveLength(10);
  expect(events.filter((e) => e === 'end')).toHaveLength(10);
  let running = 0;
  let most = 0;
  for (const e of events) {
    running += e === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  expect(most).toBeGreaterThanOrEqual(2);
}
