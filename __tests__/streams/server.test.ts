import { CancelledError, InvalidStateError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { openConnection } from '../../src/streams/open-connection';
import { startServer } from '../../src/streams/server';
import type { StreamReader } from '../../src/streams/stream-reader';
import type { StreamWriter } from '../../src/streams/stream-writer';
import { HOST, closeAll, deferred, serve, until } from './net-helpers';

afterEach(closeAll);

async function echoLines(reader: StreamReader, writer: StreamWriter): Promise<void> {
  for await (const line of reader) {
    writer.write(line);
    await writer.drain();
  }
}

describe('startServer', () => {
  it('listens on a free port and reports Node’s address triple', async () => {
    const server = await serve(() => undefined);
    const address = server.address();
    expect(address).toMatchObject({ address: HOST, family: 'IPv4' });
    expect(address.port).toBeGreaterThan(0);
    expect(server.isServing()).toBe(true);
  });

  it('validates its arguments with TypeError/RangeError, before listening', () => {
    const ok = (): undefined => undefined;
    expect(() => startServer(1 as never, HOST, 0)).toThrow(new TypeError('Expected `handler` to be a function, got 1 (number)'));
    expect(() => startServer(ok, 1 as never, 0)).toThrow(TypeError);
    expect(() => startServer(ok, HOST, -1)).toThrow(RangeError);
    expect(() => startServer(ok, HOST, 65536)).toThrow(RangeError);
    expect(() => startServer(ok, HOST, 1.5)).toThrow(TypeError);
    expect(() => startServer(ok, HOST, 0, { nope: 1 } as never)).toThrow(TypeError);
    expect(() => startServer(ok, HOST, 0, { limit: 0 })).toThrow(RangeError);
  });

  it('rejects with EADDRINUSE when the port is taken', async () => {
    const server = await serve(() => undefined);
    await expect(startServer(() => undefined, HOST, server.address().port)).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('serves many concurrent clients, each on its own handler task', async () => {
    const server = await serve(echoLines);
    const clients = Array.from({ length: 50 }, async (_, i) => {
      const { reader, writer } = await openConnection(HOST, server.address().port);
      const lines: string[] = [];
      for (let j = 0; j < 5; j++) {
        writer.write(`client ${i} line ${j}\n`);
        await writer.drain();
        lines.push((await reader.readline()).toString());
      }
      writer.close();
      await writer.waitClosed();
      return lines;
    });
    const results = await Promise.all(clients);
    results.forEach((lines, i) => expect(lines).toEqual([0, 1, 2, 3, 4].map((j) => `client ${i} line ${j}\n`)));
    await until(() => server.activeConnections === 0, 5000, 'all connections closed');
  });

  it('closes a connection when its handler returns, so the client reads EOF', async () => {
    const server = await serve(async (_reader, writer) => {
      writer.write('bye\n');
    });
    const { reader, writer } = await openConnection(HOST, server.address().port);
    expect((await reader.read()).toString()).toBe('bye\n');
    expect(reader.atEof()).toBe(true);
    writer.close();
    await until(() => server.activeConnections === 0, 2000, 'server side closed');
  });

  it('cancels every handler on close() and waitClosed() resolves once all sockets are gone', async () => {
    const steps: string[] = [];
    const started = deferred<void>();
    let count = 0;
    const server = await serve(async (reader) => {
      if (++count === 3) started.resolve();
      try {
        await reader.read(10);
        steps.push('read');
      } catch (error) {
        steps.push((error as Error).name);
        throw error;
      }
    });
    const pairs = await Promise.all([1, 2, 3].map(() => openConnection(HOST, server.address().port)));
    await started.future;
    await sleep(10);
    server.close();
    await server.waitClosed();
    expect(steps).toEqual(['CancelledError', 'CancelledError', 'CancelledError']);
    expect(server.activeConnections).toBe(0);
    for (const { reader, writer } of pairs) {
      expect((await reader.read()).length).toBe(0);
      writer.close();
      await writer.waitClosed();
    }
  });

  it('aborts connections still flushing when waitClosed() is cancelled after close()', async () => {
    const filled = deferred<void>();
    const server = await serve(async (_reader, writer) => {
      // The client never reads: fill this side until Node holds bytes it cannot send.
      const chunk = Buffer.alloc(1 << 20, 120);
      while (!writer.getExtraInfo('socket').writableNeedDrain) writer.write(chunk);
      filled.resolve();
      await deferred<void>().future;
    });
    const { writer: client } = await openConnection(HOST, server.address().port);
    try {
      await filled.future;
      server.close(); // cancels the handler; its connection starts a graceful close that cannot finish
      const closing = server.waitClosed();
      await sleep(20);
      expect(closing.done()).toBe(false);
      expect(server.activeConnections).toBe(1);
      closing.cancel();
      await expect(closing).rejects.toBeInstanceOf(CancelledError);
      await until(() => server.activeConnections === 0, 2000, 'flushing connection aborted');
      await server.waitClosed();
    } finally {
      // Before the client aborts (which would free the server's socket too), not after.
      client.abort();
      await client.waitClosed();
    }
  });

  it('refuses new connections after close()', async () => {
    const server = await serve(() => undefined);
    const port = server.address().port;
    server.close();
    await server.waitClosed();
    await expect(openConnection(HOST, port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('Server.serveForever', () => {
  it('settles as cancelled when the server is closed', async () => {
    const server = await serve(() => undefined);
    const forever = server.serveForever();
    server.close();
    await expect(forever).rejects.toBeInstanceOf(CancelledError);
    expect(server.isServing()).toBe(false);
  });

  it('closes the server when the task awaiting it is cancelled', async () => {
    const server = await serve(() => undefined);
    const main = createTask(() => server.serveForever());
    await sleep(0);
    main.cancel();
    await expect(main).rejects.toBeInstanceOf(CancelledError);
    expect(server.isServing()).toBe(false);
    await server.waitClosed();
  });

  it('rejects a second concurrent call and a call after close with InvalidStateError', async () => {
    const server = await serve(() => undefined);
    const forever = server.serveForever();
    await expect(server.serveForever()).rejects.toBeInstanceOf(InvalidStateError);
    server.close();
    await expect(forever).rejects.toBeInstanceOf(CancelledError);
    await expect(server.serveForever()).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('supports Symbol.asyncDispose', async () => {
    const server = await startServer(() => undefined, HOST, 0);
    await server[Symbol.asyncDispose]();
    expect(server.isServing()).toBe(false);
  });
});
