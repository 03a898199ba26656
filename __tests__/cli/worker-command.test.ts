/**
 * `unsync worker <module...>` (src/cli/worker-command.ts): its flags (one line naming flag,
 * value and what is accepted; exit 2), and the command itself in its own process over a
 * private redis-server: one line a job with --verbose, refused jobs beside served ones, and
 * on SIGTERM a graceful shutdown whose stopped call goes back to waiting and is finished by
 * another worker, then a summary. Every process spawned here is killed in afterAll, also
 * when a test failed or timed out first (../helpers/child-processes.ts).
 */
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { parseCommand } from '../../src/cli/args';
import { UsageError } from '../../src/cli/usage-error';
import { startWorker } from '../../src';
import { RemoteExecutor } from '../../src/executors/remote/remote-executor';
import { killSpawned, spawnTracked, spawnedAlive } from '../helpers/child-processes';
import { startRedis, type RedisServer } from '../helpers/redis-server';

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(ROOT, 'src', 'cli', 'unsync.cjs');
const MODULE = path.join(ROOT, '__tests__', 'fixtures', 'remote-functions.ts');

function usageError(argv: string[]): UsageError {
  try {
    parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parseCommand(${JSON.stringify(argv)}) did not throw`);
}

describe('unsync worker flags', () => {
  it('reads every worker flag, with several modules', () => {
    expect(
      parseCommand(['worker', './a.ts', 'b.js', '--redis', 'rediss://:pw@h:6380/1', '--queue=jobs', '--concurrency', '4', '--executor', 'thread', '--grace', '0', '--verbose']),
    ).toEqual({ command: 'worker', modules: ['./a.ts', 'b.js'], redis: 'rediss://:pw@h:6380/1', queue: 'jobs', concurrency: 4, executor: 'thread', grace: 0, verbose: true });
    expect(parseCommand(['worker', 'a.ts'])).toMatchObject({ redis: 'redis://127.0.0.1:6379', queue: undefined, executor: undefined, grace: undefined, verbose: false });
  });

  it.each([
    [['worker'], "missing <module...> after 'worker'; expected the modules that register the functions to run"],
    [['worker', 'a.ts', '--executor', 'remote'], "--executor got 'remote'; expected one of loop, thread, process"],
    [['worker', 'a.ts', '--redis', 'http://h:6379'], "--redis got 'http://h:6379'; expected a Redis URL starting with 'redis://' or 'rediss://'"],
    [['worker', 'a.ts', '--queue', 'a:b'], "--queue got 'a:b'; expected a queue name (not empty, no ':')"],
    [['worker', 'a.ts', '--grace', '-5'], "--grace got '-5'; expected an integer >= 0 (milliseconds)"],
    [['worker', 'a.ts', '--concurrency', '0'], "--concurrency got '0'; expected an integer >= 1"],
    [['worker', 'a.ts', '--json'], "--json applies to 'bench' and 'inspect', not 'worker'"],
    [['bench', './jobs#hash', '--verbose'], "--verbose applies to 'worker', not 'bench'"],
  ])('%j is one line naming the flag, the value and what is accepted (exit 2)', (argv, message) => {
    const error = usageError(argv as string[]);
    expect([error.message, error.exitCode]).toEqual([message, 2]);
  });
});

describe('processes a test spawns', () => {
  it('are all killed by killSpawned (each file calls it in afterAll), stopped ones too', async () => {
    const forever = ['-e', 'setInterval(() => undefined, 1000)'];
    const running = spawnTracked(process.execPath, forever, { stdio: 'ignore' });
    const stopped = spawnTracked(process.execPath, forever, { stdio: 'ignore' });
    await new Promise((resolve) => stopped.once('spawn', resolve));
    stopped.kill('SIGSTOP');
    expect(spawnedAlive()).toBeGreaterThanOrEqual(2);
    await killSpawned();
    expect([running.signalCode, stopped.signalCode, spawnedAlive()]).toEqual(['SIGKILL', 'SIGKILL', 0]);
  });
});

describe('unsync worker, running', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    // The CLI process, even when a test failed or timed out before its own cleanup.
    await killSpawned();
    await redis?.stop();
  });

  // Two processes start here (the CLI under tsx, a second worker): more than the default 30 s on a loaded machine.
  it('serves calls, refuses a job that is not one, and on SIGTERM requeues the running call, prints a summary and exits 0', async () => {
    const queue = 'cli-worker';
    const child = spawnTracked(process.execPath, [LAUNCHER, 'worker', path.relative(ROOT, MODULE), '--redis', redis.url, '--queue', queue, '--verbose', '--grace', '100'], {
      cwd: ROOT,
      env: { ...process.env, UNSYNC_CLI_SOURCE: 'src' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const lines: { pattern: RegExp; resolve: () => void }[] = [];
    const until = (pattern: RegExp): Promise<void> =>
      pattern.test(stdout + stderr) ? Promise.resolve() : new Promise((resolve) => lines.push({ pattern, resolve }));
    const onData = (): void => {
      for (const w of [...lines]) if (w.pattern.test(stdout + stderr)) lines.splice(lines.indexOf(w), 1) && w.resolve();
    };
    child.stdout!.on('data', (c: Buffer) => ((stdout += c.toString()), onData()));
    child.stderr!.on('data', (c: Buffer) => ((stderr += c.toString()), onData()));
    // 'close', not 'exit': the output is read after it, and a process can exit before the
    // parent has read its last lines.
    const exited = new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)));
    const caller = new RemoteExecutor({ connection: redis.url, queue });
    const raw = new Queue(queue, { connection: { url: redis.url } });
    let other: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      await Promise.race([until(/taking jobs from queue 'cli-worker'/), exited.then((code) => Promise.reject(new Error(`exited ${code}: ${stderr}`)))]);
      expect(await caller.submit({ file: MODULE, name: 'echo' }, ['hi'])).toBe('hi');
      const refused = await raw.add('x', { protocol: 2, module: 'package.json', name: 'constructor', payload: '[]' });
      await until(/refused constructor job /);
      // The call the shutdown stops: it runs 30 s unless stopped.
      const long = caller.submit<string>({ file: MODULE, name: 'napThenReturn' }, [30_000, 'finished elsewhere']);
      await new Promise((resolve) => long.onProgress(resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/ completed echo job \S+ \d+ ms\n/);
      expect(stdout).toMatch(new RegExp(`refused constructor job ${refused.id} \\d+ ms: \`constructor\` of package\\.json is not registered`));
      expect(stdout).toMatch(/ requeued napThenReturn job /);
      expect(stdout).toMatch(/unsync worker: 3 job\(s\): 1 completed, 0 failed, 0 cancelled, 1 refused, 1 requeued\n$/);
      // Nothing lost: the job waits whole, and the next worker runs it for the same caller.
      const [waiting] = await raw.getJobs(['waiting']);
      expect(waiting).toMatchObject({ name: 'napThenReturn', stalledCounter: 0 });
      expect(long.done()).toBe(false);
      other = await startWorker({ modules: [MODULE], connection: redis.url, queue });
      // The same job starts again there (its progress reaches the same Unfuture); it would
      // sleep 30 s again, so the caller cancels it, and the new worker stops it.
      await new Promise((resolve) => long.onProgress(resolve));
      long.cancel();
      await expect(long).rejects.toThrow();
      expect(long.cancelled()).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await other?.close();
      await caller.close({ force: true });
      await raw.close();
    }
  }, 90_000);
});
