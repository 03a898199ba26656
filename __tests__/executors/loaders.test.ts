/**
 * The worker must find functions in all four places users run code: jest + ts-jest (every
 * other test file), tsx, ts-node, and compiled JS with no loader. Each run here is a child
 * process that also proves an idle pool lets the process exit on its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const entry = path.join(root, '__tests__', 'fixtures', 'loader-main.ts');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

function runChild(command: string, args: string[], env: NodeJS.ProcessEnv = {}): { sum: number; worker: unknown; runs: number; mainInWorker: boolean; file: string } {
  // The timeout only turns a hang (a pool keeping the process alive) into a failure.
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  expect({ status: result.status, signal: result.signal, stderr: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

const expected = { sum: 5, worker: { inWorker: true }, runs: 1, mainInWorker: false };

it('works under tsx and exits on its own with an idle pool', () => {
  expect(runChild(bin('tsx'), [entry])).toEqual({ ...expected, file: '.ts' });
});

it('works under ts-node (the worker registers a loader itself)', () => {
  expect(runChild(bin('ts-node'), [entry], { TS_NODE_TRANSPILE_ONLY: '1' })).toEqual({ ...expected, file: '.ts' });
});

it('works from compiled JS with no loader', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-compiled-'));
  try {
    execFileSync(
      process.execPath,
      [bin('tsc'), entry, '--outDir', out, '--rootDir', root, '--module', 'commonjs', '--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--types', 'node'],
      { cwd: root, stdio: 'pipe' },
    );
    for (const file of fs.readdirSync(path.join(root, 'src', 'executors')).filter((f) => f.endsWith('.cjs'))) {
      fs.copyFileSync(path.join(root, 'src', 'executors', file), path.join(out, 'src', 'executors', file));
    }
    // The compiled tree resolves piscina like an installed package would.
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');
    const compiled = path.join(out, '__tests__', 'fixtures', 'loader-main.js');
    expect(runChild(process.execPath, [compiled])).toEqual({ ...expected, file: '.js' });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
