/**
 * The `unsync` command as a user of the built package runs it: the launcher in `dist/`
 * starts the compiled CLI (`main.js`, no TypeScript loader yet), which registers one itself
 * (`ensureTypeScriptLoader`) to load a `.ts` module, while the pools' workers load the
 * same module on their side. The other CLI tests run the TypeScript sources instead.
 */
import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { killSpawned, spawnTracked } from '../helpers/child-processes';
import { startRedis } from '../helpers/redis-server';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURE = path.join(ROOT, '__tests__', 'fixtures', 'bench-functions.ts');
const REMOTE_FIXTURE = path.join(ROOT, '__tests__', 'fixtures', 'remote-functions.ts');

/** Copy the plain CommonJS files the build copies too (`npm run build`: executors' and the launcher). */
function copyCjs(fromDir: string, toDir: string): void {
  for (const entry of fs.readdirSync(fromDir, { withFileTypes: true })) {
    const from = path.join(fromDir, entry.name);
    if (entry.isDirectory()) copyCjs(from, path.join(toDir, entry.name));
    else if (/\.(cjs|d\.cts)$/.test(entry.name)) {
      fs.mkdirSync(toDir, { recursive: true });
      fs.copyFileSync(from, path.join(toDir, entry.name));
    }
  }
}

describe('unsync bench from the built package', () => {
  let pkg: string;
  let launcher: string;

  beforeAll(() => {
    pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-dist-cli-'));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
    // tsc emits even when a file elsewhere in the tree is mid-edit with a type error: check the output, not the exit code.
    spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(pkg, 'dist')], { cwd: ROOT, stdio: 'pipe' });
    copyCjs(path.join(ROOT, 'src'), path.join(pkg, 'dist', 'src'));
    launcher = path.join(pkg, 'dist', 'src', 'cli', 'unsync.cjs');
    expect(fs.existsSync(path.join(pkg, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
  }, 60_000);

  afterAll(async () => {
    await killSpawned();
    fs.rmSync(pkg, { recursive: true, force: true });
  });

  it('runs the compiled CLI, which registers a TypeScript loader for a .ts module, and prints JSON', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
    delete env.UNSYNC_CLI_SOURCE;
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [launcher, 'bench', `${FIXTURE}#tinyAdd`, '--args', '[1, 2]', '--calls', '3', '--warmup', '1', '--json'],
        { cwd: ROOT, env, timeout: 30_000 },
        (error, stdout, stderr) => {
          const exit = (error as { code?: unknown } | null)?.code;
          resolve({ code: error === null ? 0 : typeof exit === 'number' ? exit : null, stdout, stderr });
        },
      );
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.name).toBe('tinyAdd');
    // Every executor ran the .ts module: this process through the loader the CLI registered, the workers through theirs.
    expect(result.results.map((e: { executor: string; calls: number; failures: number }) => [e.executor, e.calls, e.failures])).toEqual([
      ['loop', 3, 0],
      ['thread', 3, 0],
      ['process', 3, 0],
    ]);
  }, 30_000);

  it('runs `unsync worker` on a .ts module: the compiled worker command registers a loader for it too', async () => {
    const redis = await startRedis();
    try {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
      delete env.UNSYNC_CLI_SOURCE;
      const child = spawnTracked(process.execPath, [launcher, 'worker', REMOTE_FIXTURE, '--redis', redis.url], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
      // Before the fix the compiled command `require`d the .ts module with no loader: a SyntaxError, exit 1.
      const started = await new Promise<boolean>((resolve) => {
        child.stderr!.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('taking jobs')) resolve(true);
        });
        void exited.then(() => resolve(false));
      });
      expect({ started, stderr: started ? '' : stderr }).toEqual({ started: true, stderr: '' });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await redis.stop();
    }
  }, 30_000);
});
