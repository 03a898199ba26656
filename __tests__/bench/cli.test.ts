/**
 * The `unsync` command, run the way a user runs it (the bin launcher; forced onto the
 * TypeScript sources, since a dist/ build may be stale): the table, --json, --report, inspect, and one clear line for every bad input.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'src', 'cli', 'unsync.cjs');
const FIXTURE = '__tests__/fixtures/bench-functions.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 60_000, env: { ...process.env, UNSYNC_CLI_SOURCE: 'src' } }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('unsync bench', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-cli-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('prints a table and the recommendation, and writes the HTML report', async () => {
    const report = path.join(dir, 'out.html');
    const r = await cli('bench', `${FIXTURE}#blockingWait`, '--args', '[5]', '--executors', 'loop,thread', '--calls', '6', '--report', report);
    expect(r.stderr).toContain(`report written to ${report}`);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^blockingWait {2}\(6 calls per executor over 3 rounds, concurrency \d+\)$/);
    expect(lines.find((l) => l.startsWith('executor'))).toMatch(/calls\/s .* p99 ms .* loop p99 ms/);
    expect(lines.some((l) => /^loop\s+6\s+0\s/.test(l))).toBe(true);
    expect(lines.some((l) => /^thread\s+6\s+0\s/.test(l))).toBe(true);
    expect(r.stdout).toMatch(/Recommendation: thread — /);
    const html = fs.readFileSync(report, 'utf8');
    expect(html).toContain('<canvas id="latency-0"');
    expect(html).toContain('<canvas id="throughput-0"');
    expect(html).toContain('<canvas id="delay-0"');
    expect(html).toMatch(/Chart\.js v4/); // the UMD bundle is inlined: no network needed
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('prints machine-readable JSON with --json (and no progress bar)', async () => {
    const r = await cli('bench', `${FIXTURE}#tinyAdd`, '--args', '[1, 2]', '--executors', 'loop', '--calls', '5', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const result = JSON.parse(r.stdout);
    expect(result.name).toBe('tinyAdd');
    expect(result.results).toHaveLength(1);
    expect(result.results[0]).toMatchObject({ executor: 'loop', calls: 5, failures: 0 });
    expect(result.recommendation.executor).toBe('loop');
  });

  it('reads --args from @file.json', async () => {
    const argsFile = path.join(dir, 'args.json');
    fs.writeFileSync(argsFile, '[20, 22]\n');
    const js = path.join(dir, 'needs-args.js');
    fs.writeFileSync(js, "exports.needs = function needs(a, b) { if (a !== 20 || b !== 22) throw new RangeError('got ' + a + ', ' + b); return a + b; };\n");
    const r = await cli('bench', `${js}#needs`, '--args', `@${argsFile}`, '--executors', 'loop', '--calls', '3', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.results[0]).toMatchObject({ executor: 'loop', calls: 3, failures: 0 });
  });

  it('runs compiled-style .js modules too', async () => {
    const js = path.join(dir, 'plain.js');
    fs.writeFileSync(js, 'exports.double = function double(x) { return 2 * x; };\n');
    const r = await cli('bench', `${js}#double`, '--args', '21', '--executors', 'loop,thread', '--calls', '4', '--json');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.results.map((e: { failures: number }) => e.failures)).toEqual([0, 0]);
  });
});

describe('unsync inspect', () => {
  it("prints inspect()'s verdict", async () => {
    const r = await cli('inspect', `${FIXTURE}#blockingWait`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^blockingWait: thread \(io\) — .*Atomics\.wait/);
  });

  it('resolves a module path typed without its extension, as Node and tsx do', async () => {
    const r = await cli('inspect', `${FIXTURE.replace(/\.ts$/, '')}#blockingWait`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^blockingWait: thread \(io\)/);
  });

  it('finds an instance method as Class.method on the prototype (bench refuses it, see below)', async () => {
    const r = await cli('inspect', '__tests__/fixtures/decorated-methods.ts#Service.fetch');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^Service\.fetch: loop \(async\) — it is an async function/);
  });
});

describe('bad input gives one clear line on stderr and a non-zero exit', () => {
  const cases: Array<[string, string[], number, RegExp]> = [
    ['a missing module', ['bench', 'nope/missing.ts#f'], 1, /^unsync: cannot find module 'nope\/missing\.ts' \(looked for nope\/missing\.ts, nope\/missing\.ts\.ts, /],
    ['a missing export', ['bench', `${FIXTURE}#nope`], 1, /^unsync: module '.*' has no export 'nope' \(it exports: .*burnCpu/],
    ['an export that is not a function', ['bench', `${FIXTURE}#notAFunction`], 1, /^unsync: export 'notAFunction' of .* is not a function \(it is a number\)/],
    ['bad JSON in --args', ['bench', `${FIXTURE}#tinyAdd`, '--args', '[1,'], 2, /^unsync: --args got '\[1,', which is not valid JSON: .*; expected a JSON value \(an array is the argument list\) or @file\.json$/],
    ['a missing --args file', ['bench', `${FIXTURE}#tinyAdd`, '--args', '@nope.json'], 2, /^unsync: --args got '@nope\.json': cannot read .*nope\.json \(no such file\); expected /],
    ['an unknown executor', ['bench', `${FIXTURE}#tinyAdd`, '--executors', 'loop,gpu'], 2, /^unsync: --executors got 'loop,gpu': unknown executor 'gpu'; expected a comma-separated list of loop, thread, process$/],
    ['an unknown flag', ['bench', `${FIXTURE}#tinyAdd`, '--colour'], 2, /^unsync: unknown flag '--colour'; expected one of --args, .* \(see unsync --help\)$/],
    ['a target without #export', ['bench', FIXTURE], 2, /^unsync: expected <module>#<export>/],
    ['a non-numeric --calls', ['bench', `${FIXTURE}#tinyAdd`, '--calls', 'many'], 2, /^unsync: --calls got 'many'; expected an integer >= 1$/],
    ['a negative --calls', ['bench', `${FIXTURE}#tinyAdd`, '--calls', '-3'], 2, /^unsync: --calls got '-3'; expected an integer >= 1$/],
    ['an unknown command', ['frobnicate', `${FIXTURE}#tinyAdd`], 2, /^unsync: unknown command 'frobnicate'; expected 'bench', 'inspect' or 'worker'$/],
  ];
  it.each(cases)('%s', async (_name, args, code, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

describe('bad targets, load failures and report paths give one clear line too', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-cli-bad-'));
  const file = (name: string, text: string): string => {
    const full = path.join(dir, name);
    fs.writeFileSync(full, text);
    return full;
  };
  const klass = file('klass.js', 'class Jobs { static run(x) { return x; } work(x) { return x; } }\nexports.Jobs = Jobs;\n');
  const throws = file('throws.js', "throw new Error('boom while loading\\nsecond line');\n");
  const broken = file('broken.ts', 'export function f( { return 1 }\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const cases: Array<[string, () => string[], number, RegExp]> = [
    ['an export that is a class', () => ['bench', `${klass}#Jobs`], 1, /^unsync: export 'Jobs' of .* is a class, not a function \(name one of its static methods: Jobs\.run\)$/],
    ['inspect of a class', () => ['inspect', `${klass}#Jobs`], 1, /^unsync: export 'Jobs' of .* is a class, not a function/],
    ['an instance method for bench', () => ['bench', `${klass}#Jobs.work`], 1, /^unsync: 'Jobs\.work' of .* is an instance method, which needs an instance/],
    ['a module that throws while loading', () => ['bench', `${throws}#f`], 1, /^unsync: cannot load module '.*throws\.js': Error: boom while loading$/],
    ['a TypeScript module that does not compile (the error, not just its announcement)', () => ['bench', `${broken}#f`], 1, /^unsync: cannot load module '.*broken\.ts': TransformError: Transform failed with 1 error: .*broken\.ts:1:\d+: ERROR: /],
    ['a report in a missing folder, before anything runs', () => ['bench', `${FIXTURE}#tinyAdd`, '--report', path.join(dir, 'nope', 'r.html')], 2, /^unsync: --report .*: the folder .*nope does not exist$/],
    ['a report path that is a folder', () => ['bench', `${FIXTURE}#tinyAdd`, '--report', dir], 2, /^unsync: --report .*: .* is a folder, not a file$/],
  ];
  it.each(cases)('%s', async (_name, args, code, message) => {
    const r = await cli(...args());
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('prints the table but exits 1 when no executor ran every call without failing', async () => {
    const r = await cli('bench', `${FIXTURE}#alwaysFails`, '--executors', 'loop', '--calls', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^loop\s+2\s+2\s/m);
    expect(r.stdout).toMatch(/Recommendation: none — /);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([
      'unsync: no executor ran every call without failing (first error: RangeError: bench fixture failure)',
    ]);
  });
});
