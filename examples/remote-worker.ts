// Remote calls through Redis: this script starts its own redis-server (a free loopback port,
// nothing saved to disk), a worker in a child process (`npx unsync worker` on this file, the
// way a worker runs on another machine), and then calls the functions below on it:
// a value, an error that keeps its class, and a long call cancelled while it runs (its
// `finally` runs on the worker before the caller's await ends). Needs `redis-server` on PATH
// (apt install redis-server, brew install redis, or a container: docs/remote.md).
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { configure, isCancelledError, reportProgress, shutdown, sleep, toRemote, unsyncRegister } from '../src';

/** Runs on the worker. */
export function double(n: number): number {
  return n * 2;
}
unsyncRegister(double);

/** Runs on the worker, and throws there: the caller gets a RangeError back. */
export function checkAge(age: number): number {
  if (age < 0) throw new RangeError(`an age cannot be negative (got ${age})`);
  return age;
}
unsyncRegister(checkAge);

/** Runs on the worker for a minute unless cancelled: `sleep` is a library await, so a cancel stops it there. */
export async function longReport(): Promise<string> {
  try {
    for (let step = 1; step <= 60; step++) {
      reportProgress(step);
      await sleep(1000);
    }
    return 'report done';
  } finally {
    console.log('longReport cleaned up'); // on the worker's stdout
  }
}
unsyncRegister(longReport);

async function main(): Promise<void> {
  const redis = await startRedisServer();
  const url = `redis://127.0.0.1:${redis.port}`;
  const worker = await startWorkerProcess(url);
  try {
    configure({ remote: { connection: url } });
    console.log('double(21) =', await toRemote(double, 21));
    try {
      await toRemote(checkAge, -1);
    } catch (error) {
      console.log(`checkAge(-1) threw ${(error as Error).name}: ${(error as Error).message}`);
    }
    const report = toRemote(longReport);
    await new Promise((resolve) => report.onProgress(resolve)); // it runs on the worker now
    report.cancel();
    try {
      await report;
    } catch (error) {
      console.log('longReport:', isCancelledError(error) ? 'cancelled' : String(error));
    }
  } finally {
    await shutdown();
    await stop(worker.child);
    await stop(redis.child);
  }
  // What the worker printed (its stdout reaches us through a pipe, Redis's answers through Redis: read it last).
  for (const line of worker.printed()) console.log(`worker printed: ${line}`);
}

/** `npx unsync worker examples/remote-worker.ts --redis <url>`, resolved once it takes jobs. */
async function startWorkerProcess(url: string): Promise<{ child: ChildProcess; printed(): string[] }> {
  const cli = path.join(__dirname, '..', 'src', 'cli', 'unsync.cjs');
  // This example imports unsync from the repository's sources ('../src'), so its worker runs
  // them too (UNSYNC_CLI_SOURCE=src): with a built dist/ beside them the launcher would start
  // the compiled copy, and one process would hold two copies of the library (a project that
  // imports 'unsync' and runs `npx unsync worker` uses one, the package's).
  const env = { ...process.env, UNSYNC_CLI_SOURCE: 'src' };
  const child = spawn(process.execPath, [cli, 'worker', __filename, '--redis', url, '--grace', '1000'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('taking jobs') && resolve());
    child.once('exit', (code) => reject(new Error(`the worker exited with ${code}`)));
  });
  return { child, printed: () => out.split('\n').filter((line) => line !== '') };
}

/** redis-server on a free loopback port, no persistence. */
async function startRedisServer(): Promise<{ port: number; child: ChildProcess }> {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as net.AddressInfo;
      server.close(() => resolve(free));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Ready to accept connections') && resolve());
    child.once('error', (error) => reject(new Error(`cannot start redis-server (is it installed?): ${error.message}`)));
  });
  return { port, child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// The worker process loads this file for its functions: only the script run directly starts the demo.
if (require.main === module) void main();
