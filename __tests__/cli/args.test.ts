/**
 * `unsync` command-line parsing (src/cli/args.ts): what each flag accepts, and the one line
 * (flag, value, what is accepted; exit code 2) for every bad value.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommand } from '../../src/cli/args';
import { UsageError } from '../../src/cli/usage-error';

const TARGET = './jobs#hash';

function usageError(argv: string[], cwd?: string): UsageError {
  try {
    parseCommand(argv, cwd);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parseCommand(${JSON.stringify(argv)}) did not throw`);
}

describe('parseCommand', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-args-'));
  fs.writeFileSync(path.join(dir, 'args.json'), '["pw", 3]\n');
  fs.writeFileSync(path.join(dir, 'one.json'), '{"n": 1}');
  fs.writeFileSync(path.join(dir, 'bad.json'), '[1,');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads every bench flag, in --flag value and --flag=value forms', () => {
    expect(
      parseCommand(['bench', TARGET, '--args', '[1, "a"]', '--executors', 'thread,loop', '--calls=12', '--concurrency', '3', '--rounds', '2', '--warmup=0', '--report', 'r.html', '--quiet', '--json']),
    ).toEqual({
      command: 'bench',
      target: { module: './jobs', exportName: 'hash' },
      args: [1, 'a'],
      executors: ['thread', 'loop'],
      calls: 12,
      concurrency: 3,
      rounds: 2,
      warmup: 0,
      json: true,
      report: 'r.html',
      quiet: true,
    });
  });

  it('leaves unset flags undefined and splits Class.method targets at the last #', () => {
    expect(parseCommand(['bench', 'lib/a#b/jobs.ts#Jobs.hash'])).toEqual({
      command: 'bench',
      target: { module: 'lib/a#b/jobs.ts', exportName: 'Jobs.hash' },
      args: [],
      executors: undefined,
      calls: undefined,
      concurrency: undefined,
      rounds: undefined,
      warmup: undefined,
      json: false,
      report: undefined,
      quiet: false,
    });
    expect(parseCommand(['inspect', TARGET, '--json'])).toEqual({ command: 'inspect', target: { module: './jobs', exportName: 'hash' }, json: true });
  });

  it('takes a single non-array --args value as the one argument', () => {
    expect(parseCommand(['bench', TARGET, '--args', '"pw"'])).toMatchObject({ args: ['pw'] });
    expect(parseCommand(['bench', TARGET, '--args', '{"a":1}'])).toMatchObject({ args: [{ a: 1 }] });
  });

  it('reads --args @file.json relative to the working folder', () => {
    expect(parseCommand(['bench', TARGET, '--args', '@args.json'], dir)).toMatchObject({ args: ['pw', 3] });
    expect(parseCommand(['bench', TARGET, '--args=@one.json'], dir)).toMatchObject({ args: [{ n: 1 }] });
    expect(parseCommand(['bench', TARGET, '--args', `@${path.join(dir, 'args.json')}`], os.tmpdir())).toMatchObject({ args: ['pw', 3] });
  });

  it('is help for --help, -h, help or no command', () => {
    for (const argv of [['--help'], ['-h'], ['help'], [], ['bench', TARGET, '--help']]) expect(parseCommand(argv)).toEqual({ command: 'help' });
  });

  const bad: Array<[string, string[], string]> = [
    ['a negative --calls', ['bench', TARGET, '--calls', '-5'], "--calls got '-5'; expected an integer >= 1"],
    ['a negative --calls with =', ['bench', TARGET, '--calls=-1'], "--calls got '-1'; expected an integer >= 1"],
    ['a zero --calls', ['bench', TARGET, '--calls', '0'], "--calls got '0'; expected an integer >= 1"],
    ['a non-numeric --calls', ['bench', TARGET, '--calls', 'many'], "--calls got 'many'; expected an integer >= 1"],
    ['a fractional --concurrency', ['bench', TARGET, '--concurrency', '1.5'], "--concurrency got '1.5'; expected an integer >= 1"],
    ['an exponent --rounds', ['bench', TARGET, '--rounds', '1e3'], "--rounds got '1e3'; expected an integer >= 1"],
    ['an empty --warmup', ['bench', TARGET, '--warmup='], "--warmup got ''; expected an integer >= 0"],
    ['a negative --warmup', ['bench', TARGET, '--warmup', '-1'], "--warmup got '-1'; expected an integer >= 0"],
    ['a flag without its value', ['bench', TARGET, '--calls'], '--calls got no value; expected an integer >= 1'],
    ['a value given to a switch', ['bench', TARGET, '--json=yes'], "--json got 'yes'; expected no value (a switch)"],
    ['a flag given twice', ['bench', TARGET, '--calls', '3', '--calls', '4'], "--calls given twice ('3', then '4'); expected it once"],
    ['a switch given twice', ['inspect', TARGET, '--json', '--json'], '--json given twice; expected it once'],
    ['an unknown executor', ['bench', TARGET, '--executors', 'loop,gpu'], "--executors got 'loop,gpu': unknown executor 'gpu'; expected a comma-separated list of loop, thread, process"],
    ['an empty --executors', ['bench', TARGET, '--executors', ','], "--executors got ','; expected a comma-separated list of loop, thread, process"],
    ['an executor listed twice', ['bench', TARGET, '--executors', 'loop,loop'], "--executors got 'loop,loop', which lists an executor twice; expected a comma-separated list of loop, thread, process, each once"],
    ['a bench flag on inspect', ['inspect', TARGET, '--calls', '3'], "--calls applies to 'bench', not 'inspect'"],
    ['a target without #export', ['bench', './jobs.ts'], "expected <module>#<export>, got './jobs.ts' (for example ./lib/hash.ts#hashPassword)"],
    ['an unknown command', ['frobnicate', TARGET], "unknown command 'frobnicate'; expected 'bench', 'inspect' or 'worker'"],
    ['a second positional', ['bench', TARGET, 'extra'], "unexpected argument 'extra'; expected one <module>#<export> (flags start with --)"],
    ['a missing target', ['inspect'], "missing <module>#<export> after 'inspect'"],
  ];
  it.each(bad)('names the flag, the value and what is accepted: %s', (_name, argv, message) => {
    const error = usageError(argv);
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
  });

  it('lists the accepted flags for an unknown one, long or short, with its value', () => {
    const expected = '; expected one of --args, --executors, --calls, --concurrency, --rounds, --warmup, --report, --json, --quiet, --redis, --queue, --executor, --grace, --verbose, --help (see unsync --help)';
    expect(usageError(['bench', TARGET, '--colour']).message).toBe(`unknown flag '--colour'${expected}`);
    expect(usageError(['bench', TARGET, '--colour=red']).message).toBe(`unknown flag '--colour=red'${expected}`);
    expect(usageError(['bench', TARGET, '-x']).message).toBe(`unknown flag '-x'${expected}`);
    expect(usageError(['bench', TARGET, '-x']).exitCode).toBe(2);
  });

  it('says which file --args could not read or parse', () => {
    const missing = usageError(['bench', TARGET, '--args', '@nope.json'], dir);
    expect(missing.message).toBe(`--args got '@nope.json': cannot read ${path.join(dir, 'nope.json')} (no such file); expected a JSON value (an array is the argument list) or @file.json`);
    expect(usageError(['bench', TARGET, '--args', '@.'], dir).message).toContain('(a folder, not a file)');
    const badJson = usageError(['bench', TARGET, '--args', '@bad.json'], dir);
    expect(badJson.message).toMatch(new RegExp(`^--args got '@bad\\.json', which is not valid JSON \\(in ${escape(path.join(dir, 'bad.json'))}\\): .+; expected a JSON value`));
    expect(usageError(['bench', TARGET, '--args', '[1,']).message).toMatch(/^--args got '\[1,', which is not valid JSON: .+; expected a JSON value \(an array is the argument list\) or @file\.json$/);
    for (const error of [missing, badJson]) expect(error.exitCode).toBe(2);
  });

  it('keeps every message on one line, quoting control characters', () => {
    const error = usageError(['bench', TARGET, '--calls', 'a\nb']);
    expect(error.message).toBe('--calls got "a\\nb"; expected an integer >= 1');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
