/**
 * A caller's connections close when it has no remote call in flight (docs/remote.md,
 * "Connections"; src/executors/remote/idle-session.ts): a program whose remote calls are done
 * exits by itself, without `shutdown()`, as it does after pool calls. Real redis-server and a
 * real worker; the caller is a child process (__tests__/fixtures/remote-idle-caller-main.ts)
 * that connects as an ACL user of its own, so that Redis's CLIENT LIST shows its connections
 * apart from the worker's.
 */
import * as path from 'node:path';
import { Redis } from 'ioredis';
import { startWorker, type RemoteWorker } from '../../../src';
import { nativeDelay } from '../../helpers/async';
import { killSpawned, spawnTracked } from '../../helpers/child-processes';
import { startRedis, type RedisServer } from '../../helpers/redis-server';

const CALLER = path.join(__dirname, '../../fixtures/remote-idle-caller-main.ts');
const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
const QUEUE = 'idle-connections';
const USER = 'idle-caller';
/** Far longer than the program needs: a caller still alive then is held by something. */
const EXIT_DEADLINE_MS = 20_000;

let redis: RedisServer;
let admin: Redis;
let worker: RemoteWorker;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  await admin.call('ACL', 'SETUSER', USER, 'on', '>secret', '~*', '&*', '+@all');
  worker = await startWorker({ modules: [MODULE], connection: redis.url, queue: QUEUE });
});

afterAll(async () => {
  await killSpawned();
  await worker?.close();
  admin?.disconnect();
  await redis?.stop();
});

/** How many connections the caller holds open in Redis now. */
async function callerConnections(): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` user=${USER} `)).length;
}

it('closes its connections once idle, opens them again for the next call, and lets the program exit without shutdown()', async () => {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', CALLER, `redis://${USER}:secret@127.0.0.1:${redis.port}`, QUEUE, '200'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));

  while (!output.includes('first 1\n')) await nativeDelay(10);
  // Its queue, event reader and publisher were open for the call; idle, they close.
  while ((await callerConnections()) > 0) await nativeDelay(20);
  child.stdin!.end();

  const deadline = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
  const code = await exited;
  clearTimeout(deadline);
  expect(code).toBe(0); // 'SIGKILL': something kept it alive
  const lines = output.trim().split('\n');
  expect(lines.slice(0, 2)).toEqual(['first 1', 'second 2']);
  expect(JSON.parse(lines[2]!)).toEqual({ submitted: 2, completed: 2, running: 0, queued: 0 });
  expect(await callerConnections()).toBe(0);
});
