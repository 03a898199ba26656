import { createServer, type Server as NetServer } from 'node:net';
import { CancelledError, TimeoutError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { openConnection } from '../../src/streams/open-connection';
import { HOST, closeAll, serve, until } from './net-helpers';

afterEach(closeAll);

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

  it('validates its arguments with TypeError/RangeError', () => {
    expect(() => openConnection(1 as never, 80)).toThrow(TypeError);
    expect(() => openConnection(HOST, 70000)).toThrow(RangeError);
    expect(() => openConnection(HOST, 80, { nope: 1 } as never)).toThrow(TypeError);
    expect(() => openConnection(HOST, 80, { limit: 0 })).toThrow(RangeError);
  });
});
