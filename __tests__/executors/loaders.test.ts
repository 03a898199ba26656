/**
 * The workers must find functions in all four places users run code: jest + ts-jest (every
 * other test file, for both pools), tsx, ts-node, and compiled JS with no loader. Each run
 * here is a child process that calls the thread pool AND the process pool, and also proves
 * that idle pools let the process exit on its own. Each pool reports which TypeScript loader
 * its worker ran under: under ts-node the workers must register ts-node, the parent's loader
 * (not tsx, the default when nothing tells them), and the parent says which loader it runs
 * (src/executors/typescript-loader.ts: tsx, ts-node, nothing for compiled JS).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, '__tests__', 'fixtures', 'loader-main.ts');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

interface PoolReport {
  sum: number;
  worker: unknown;
  runs: number;
  loader: 'ts-node' | 'other' | 'none';
}

function runChild(command: string, args: string[], env: NodeJS.ProcessEnv = {}): { thread: PoolReport; process: PoolReport; parentLoader: string; parentSays: string; mainInWorker: boolean; file: string } {
  // The timeout only turns a hang (a pool keeping the process alive) into a failure.
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  expect({ status: result.status, signal: result.signal, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

/** What both pools must report, with the loader their workers ran under. */
function expected(loader: PoolReport['loader'], file: string) {
  const pool = { sum: 5, worker: { inWorker: true }, runs: 1, loader };
  return { thread: pool, process: pool, mainInWorker: false, file };
}

it('works under tsx on both pools and exits on its own with idle pools', () => {
  // tsx's flags are in the parent's execArgv: threads and children inherit its hooks.
  expect(runChild(bin('tsx'), [entry])).toEqual({ ...expected('other', '.ts'), parentLoader: 'other', parentSays: 'tsx' });
});

it('works under ts-node on both pools: the workers register ts-node, the parent loader', () => {
  // The ts-node binary leaves no flag in execArgv: each worker registers a loader itself,
  // and the pools tell it to prefer ts-node (typescript-loader.ts).
  expect(runChild(bin('ts-node'), [entry], { TS_NODE_TRANSPILE_ONLY: '1' })).toEqual({ ...expected('ts-node', '.ts'), parentLoader: 'ts-node', parentSays: 'ts-node' });
});

it('works from compiled JS with no loader', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-compiled-'));
  try {
    execFileSync(
      process.execPath,
      [bin('tsc'), entry, '--outDir', out, '--rootDir', root, '--module', 'commonjs', '--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--types', 'node'],
      { cwd: root, stdio: 'pipe' },
    );
    // tsc does not copy the plain CommonJS modules (the worker side, the global keys): copy every one.
    for (const file of fs.readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.cjs'))) {
      fs.mkdirSync(path.dirname(path.join(out, 'src', file)), { recursive: true });
      fs.copyFileSync(path.join(root, 'src', file), path.join(out, 'src', file));
    }
    // The compiled tree resolves piscina like an installed package would.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');
    const compiled = path.join(out, '__tests__', 'fixtures', 'loader-main.js');
    expect(runChild(process.execPath, [compiled])).toEqual({ ...expected('none', '.js'), parentLoader: 'none', parentSays: 'nothing' });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
