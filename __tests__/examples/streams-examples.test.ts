/**
 * The seed's stream examples (asyncio's echo server/client, Trio's echo server/client) run
 * as real processes on loopback, in every pairing: each server is started on a free port
 * (ECHO_PORT=0), the client is pointed at it, then the server is stopped with SIGTERM and
 * both outputs are checked. Each pair also runs once with no arguments, as the seed runs
 * them: server and client must agree on the seed's port (asyncio 8888, Trio 12345).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const example = (file: string): string => path.join(ROOT, 'examples', file);

const DATA = "b'async can sometimes be confusing, but I believe in you!'";

interface ServerRun {
  port: number;
  /** SIGTERM the server; resolves with all its output lines and exit code. */
  stop(): Promise<{ lines: string[]; code: number | null; stderr: string }>;
}

const children = new Set<ChildProcess>();

afterEach(() => {
  // A failed test must not leave a server process behind.
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});

/** The environment without ECHO_PORT: the examples fall back to their default port. */
function withoutEchoPort(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ECHO_PORT;
  return env;
}

/**
 * Start a server example and resolve once it printed its port: on a free port (ECHO_PORT=0),
 * or with `{ defaultPort: true }` on the port it picks when given none.
 */
function startServerExample(file: string, options: { defaultPort?: boolean } = {}): Promise<ServerRun> {
  const env = options.defaultPort === true ? withoutEchoPort() : { ...process.env, ECHO_PORT: '0' };
  const child = spawn(TSX, [example(file)], { cwd: ROOT, env });
  children.add(child);
  let stdout = '';
  let stderr = '';
  // 'close', not 'exit': a process can exit before the parent has read its last output
  // (seen under load: the server's final line missing from `stop()`'s lines).
  const exited = new Promise<number | null>((resolve) => child.once('close', (code: number | null) => resolve(code)));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', () => reject(new Error(`${file} exited early: ${stderr}`)));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /^(?:Serving on \('127\.0\.0\.1', (\d+)\)|serving on 127\.0\.0\.1:(\d+))$/m.exec(stdout);
      if (match === null) return;
      child.stdout.removeAllListeners('data');
      child.stdout.on('data', (more: Buffer) => (stdout += more.toString()));
      resolve({
        port: Number(match[1] ?? match[2]),
        stop: async () => {
          child.kill('SIGTERM');
          const code = await exited;
          children.delete(child);
          return { lines: stdout.split('\n').filter((l) => l.length > 0), code, stderr };
        },
      });
    });
  });
}

/** Run a client example to completion (ECHO_PORT unset: the port comes from `args` or the default). */
function runClient(file: string, args: string[]): Promise<{ lines: string[]; code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [example(file), ...args], { cwd: ROOT, env: withoutEchoPort(), timeout: 30_000 }, (error, stdout, stderr) => {
      const exit = (error as { code?: unknown } | null)?.code;
      const code = error === null ? 0 : typeof exit === 'number' ? exit : 1;
      resolve({ lines: stdout.split('\n').filter((l) => l.length > 0), code, stderr });
    });
  });
}

const ASYNCIO_CLIENT_LINES = ["Send: 'Hello World!'", "Received: 'Hello World!'", 'Close the connection'];

/** Check the Trio client's output for `count` echoes (chunking of received data may vary). */
function expectTrioClient(lines: string[], port: number, count: number): void {
  expect(lines.slice(0, 5)).toEqual([
    `parent: connecting to 127.0.0.1:${port}`,
    'parent: spawning sender...',
    'parent: spawning receiver...',
    'sender: started!',
    `sender: sending ${DATA}`,
  ]);
  expect(lines.filter((l) => l.startsWith('sender: sending')).length).toBe(count);
  const received = lines
    .filter((l) => l.startsWith('receiver: got data '))
    .map((l) => l.slice("receiver: got data b'".length, -1))
    .join('');
  expect(received).toBe(DATA.slice(2, -1).repeat(count));
  expect(lines).toContain('receiver: started!');
  expect(lines.slice(-2)).toEqual([`receiver: got all ${count} echoes`, 'parent: done']);
}

/** Check the asyncio server's output for one echoed message. */
function expectAsyncioServer(lines: string[], port: number, message: string): void {
  expect(lines[0]).toBe(`Serving on ('127.0.0.1', ${port})`);
  expect(lines[1]).toMatch(new RegExp(`^Received '${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}' from \\('127\\.0\\.0\\.1', \\d+\\)$`));
  expect(lines.slice(2)).toEqual([`Send: '${message}'`, 'Close the connection', 'Server closed']);
}

describe('stream examples', () => {
  jest.setTimeout(60_000);

  it('asyncio echo client against the asyncio echo server', async () => {
    const server = await startServerExample('asyncio-echo-server.ts');
    const client = await runClient('asyncio-echo-client.ts', [String(server.port)]);
    const out = await server.stop();
    expect(client.stderr).toBe('');
    expect(client.lines).toEqual(ASYNCIO_CLIENT_LINES);
    expect(client.code).toBe(0);
    expectAsyncioServer(out.lines, server.port, 'Hello World!');
    expect(out.stderr).toBe('');
  });

  it('Trio echo client (sender and receiver in a nursery) against the Trio echo server', async () => {
    const server = await startServerExample('trio-echo-server.ts');
    const client = await runClient('trio-echo-client.ts', [String(server.port), '3', '20']);
    const out = await server.stop();
    expect(client.stderr).toBe('');
    expectTrioClient(client.lines, server.port, 3);
    expect(client.code).toBe(0);
    expect(out.lines[0]).toBe(`serving on 127.0.0.1:${server.port}`);
    expect(out.lines[1]).toBe('echo_server 0: started');
    expect(out.lines.filter((l) => l.startsWith('echo_server 0: sending data')).length).toBeGreaterThanOrEqual(1);
    expect(out.lines.slice(-3)).toEqual(["echo_server 0: received data b''", 'echo_server 0: connection closed', 'server stopped']);
    expect(out.stderr).toBe('');
  });

  it('Trio echo client against the asyncio echo server', async () => {
    const server = await startServerExample('asyncio-echo-server.ts');
    const client = await runClient('trio-echo-client.ts', [String(server.port), '1', '20']);
    const out = await server.stop();
    expect(client.stderr).toBe('');
    expectTrioClient(client.lines, server.port, 1);
    expectAsyncioServer(out.lines, server.port, DATA.slice(2, -1));
  });

  it('asyncio echo client against the Trio echo server', async () => {
    const server = await startServerExample('trio-echo-server.ts');
    const client = await runClient('asyncio-echo-client.ts', [String(server.port), 'Hello Trio!']);
    const out = await server.stop();
    expect(client.lines).toEqual(["Send: 'Hello Trio!'", "Received: 'Hello Trio!'", 'Close the connection']);
    expect(out.lines).toEqual([
      `serving on 127.0.0.1:${server.port}`,
      'echo_server 0: started',
      "echo_server 0: received data b'Hello Trio!'",
      "echo_server 0: sending data b'Hello Trio!'",
      "echo_server 0: received data b''",
      'echo_server 0: connection closed',
      'server stopped',
    ]);
  });
});

describe('stream examples run with no arguments, as the seed runs them', () => {
  jest.setTimeout(60_000);

  it('the asyncio echo server listens on 8888, where the asyncio echo client connects', async () => {
    const server = await startServerExample('asyncio-echo-server.ts', { defaultPort: true });
    const client = await runClient('asyncio-echo-client.ts', []);
    const out = await server.stop();
    expect(server.port).toBe(8888);
    expect(client.stderr).toBe('');
    expect(client.lines).toEqual(ASYNCIO_CLIENT_LINES);
    expectAsyncioServer(out.lines, 8888, 'Hello World!');
  });

  it('the Trio echo server listens on 12345, where the Trio echo client connects', async () => {
    const server = await startServerExample('trio-echo-server.ts', { defaultPort: true });
    const client = await runClient('trio-echo-client.ts', []); // 3 echoes, 1 s apart
    const out = await server.stop();
    expect(server.port).toBe(12345);
    expect(client.stderr).toBe('');
    expectTrioClient(client.lines, 12345, 3);
    expect(out.lines[0]).toBe('serving on 127.0.0.1:12345');
    expect(out.lines.slice(-3)).toEqual(["echo_server 0: received data b''", 'echo_server 0: connection closed', 'server stopped']);
  });
});
