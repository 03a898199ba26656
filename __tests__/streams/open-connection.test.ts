import { Socket, createServer, type Server as NetServer } from 'node:net';
// The module object itself (not an import-star copy), so a spy replaces what open-connection.ts calls.
import net = require('node:net');
import { CancelledError, TimeoutError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { openConnection } from '../../src/streams/open-connection';
import { HOST, closeAll, serve, until } from './net-helpers';

afterEach(async () => {
  jest.restoreAllMocks();
  await closeAll();
});

/** Make the next `createConnection` calls return `make(real)` instead (real: Node's function). */
function interceptConnect(make: (real: typeof net.createConnection, ...args: Parameters<typeof net.createConnection>) => Socket): Socket[] {
  const made: Socket[] = [];
  const real = net.createConnection;
  jest.spyOn(net, 'createConnection').mockImplementation(((...args: Parameters<typeof net.createConnection>) => {
    const socket = make(real, ...args);
    made.push(socket);
    return socket;
  }) as typeof net.createConnection);
  return made;
}

/** A port that refuses connections: bind a server to a free port, then close it. */
async function refusedPort(): Promise<number> {
  const s: NetServer = createServer();
  await new Promise<void>((resolve) => s.listen(0, HOST, resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('openConnection', () => {
  it('rejects with Node’s ECONNREFUSED error on a closed port', async () => {
    const port = await refusedPort();
    await expect(openConnection(HOST, port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('times out with TimeoutError when the timeout is not positive, before any socket exists', async () => {
    const server = await serve(() => undefined);
    await expect(openConnection(HOST, server.address().port, { timeout: 0 })).rejects.toBeInstanceOf(TimeoutError);
    await sleep(20);
    expect(server.activeConnections).toBe(0);
  });

  it('times out with TimeoutError when a connection attempt hangs, and destroys its socket', async () => {
    // A loopback connect never hangs, so the attempt is a socket that is never connected.
    const made = interceptConnect(() => new Socket());
    const steps: string[] = [];
    const attempt = openConnection(HOST, 9, { timeout: 20 });
    attempt.addDoneCallback(() => steps.push('settled'));
    await sleep(0);
    steps.push('still connecting');
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe(`connecting to ${HOST}:9 timed out after 20 ms`);
    expect(steps).toEqual(['still connecting', 'settled']);
    expect(made).toHaveLength(1);
    expect(made[0]!.destroyed).toBe(true);
    expect(made[0]!.listenerCount('connect')).toBe(0);
  });

  it('connects within a generous timeout and clears the timer', async () => {
    const server = await serve(() => undefined);
    const { writer } = await openConnection(HOST, server.address().port, { timeout: 10_000 });
    writer.close();
    await writer.waitClosed();
  });

  it('rejects with the signal’s reason when already aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('gave up'));
    await expect(openConnection(HOST, 1, { signal: ac.signal })).rejects.toThrow('gave up');
  });

  it('rejects with the signal’s reason when aborted during the attempt, leaving no connection', async () => {
    const server = await serve(() => undefined);
    const ac = new AbortController();
    const attempt = openConnection(HOST, server.address().port, { signal: ac.signal });
    ac.abort(new Error('aborted while connecting'));
    await expect(attempt).rejects.toThrow('aborted while connecting');
    await until(() => server.activeConnections === 0, 2000, 'no server connection');
  });

  it('destroys the socket when the awaiting task is cancelled', async () => {
    const server = await serve(() => undefined);
    const task = createTask(() => openConnection(HOST, server.address().port));
    // A few microtasks: the task has started and is suspended on the connect, which needs I/O.
    for (let i = 0; i < 3; i++) await Promise.resolve();
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    await sleep(20);
    await until(() => server.activeConnections === 0, 2000, 'no server connection');
  });

  it('closes the connection when a cancel arrives after it connected but before the awaiting task resumed', async () => {
    const server = await serve((reader) => reader.read()); // holds its side open until EOF
    let task: ReturnType<typeof createTask> | undefined;
    // Queued inside the very 'connect' callback, ahead of the reactions to the connection.
    interceptConnect((real, ...args) => {
      const socket = real(...args);
      socket.on('connect', () => queueMicrotask(() => task!.cancel()));
      return socket;
    });
    task = createTask(() => openConnection(HOST, server.address().port));
    const outcome = await task.then(
      () => 'fulfilled',
      (e: unknown) => (e as Error).name,
    );
    if (outcome === 'fulfilled') {
      const { writer } = task.result() as { writer: { close(): void } };
      writer.close();
    }
    expect(outcome).toBe('CancelledError');
    // Nobody got the pair, so nobody else could close it: the server side must see it end.
    await until(() => server.activeConnections === 0, 2000, 'server connection closed');
  });

  it('closes the connection when the cancel comes after openConnection fulfilled, before the task that is the future resumed', async () => {
    const server = await serve((reader) => reader.read()); // holds its side open until EOF
    const connecting = openConnection(HOST, server.address().port);
    const task = createTask(() => connecting);
    // Registered before the task subscribes: runs first, once the pair exists.
    connecting.addDoneCallback(() => task.cancel('too late'));
    const outcome = await task.then(
      () => 'fulfilled',
      (e: unknown) => (e as Error).name,
    );
    expect(connecting.state).toBe('fulfilled');
    expect(outcome).toBe('CancelledError');
    // The task dropped the pair unseen: the core's discard hook closed it.
    await until(() => server.activeConnections === 0, 2000, 'server connection closed');
  });

  it('validates its arguments with TypeError/RangeError', () => {
    expect(() => openConnection(1 as never, 80)).toThrow(TypeError);
    expect(() => openConnection(HOST, 70000)).toThrow(RangeError);
    expect(() => openConnection(HOST, 80, { nope: 1 } as never)).toThrow(TypeError);
    expect(() => openConnection(HOST, 80, { limit: 0 })).toThrow(RangeError);
  });
});
