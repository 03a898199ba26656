import { CancelledError, ClosedResourceError, isConnectionResetError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { openConnection } from '../../src/streams/open-connection';
import type { StreamWriter } from '../../src/streams/stream-writer';
import { HOST, closeAll, deferred, serve, until } from './net-helpers';

afterEach(closeAll);

describe('StreamWriter', () => {
  it('reports peername and sockname as Node address triples', async () => {
    const seen = deferred<unknown>();
    const server = await serve((_r, w) => seen.resolve(w.getExtraInfo('peername')));
    const { writer } = await openConnection(HOST, server.address().port);
    const sockname = writer.getExtraInfo('sockname');
    expect(writer.getExtraInfo('peername')).toEqual({ address: HOST, family: 'IPv4', port: server.address().port });
    expect(await seen.future).toEqual(sockname);
    expect(writer.getExtraInfo('socket').remotePort).toBe(server.address().port);
    writer.close();
    await writer.waitClosed();
  });

  it('writelines() writes every item in order', async () => {
    const got = deferred<string>();
    const server = await serve(async (reader) => got.resolve((await reader.read()).toString()));
    const { writer } = await openConnection(HOST, server.address().port);
    writer.writelines(['a\n', Buffer.from('b\n'), new Uint8Array([99, 10])]);
    writer.close();
    expect(await got.future).toBe('a\nb\nc\n');
    await writer.waitClosed();
  });

  it('half-closes with writeEof(): the peer reads EOF and can still answer', async () => {
    const server = await serve(async (reader, writer) => {
      const request = await reader.read();
      expect(reader.atEof()).toBe(true);
      writer.write(`got ${request.length} bytes`);
      await writer.drain();
    });
    const { reader, writer } = await openConnection(HOST, server.address().port);
    expect(writer.canWriteEof()).toBe(true);
    writer.write('x'.repeat(1000));
    writer.writeEof();
    expect(() => writer.write('more')).toThrow(ClosedResourceError);
    expect((await reader.read()).toString()).toBe('got 1000 bytes');
    await writer.waitClosed();
  });

  it('throws ClosedResourceError on write after close(), and isClosing() says so', async () => {
    const server = await serve(() => undefined);
    const { writer } = await openConnection(HOST, server.address().port);
    expect(writer.isClosing()).toBe(false);
    writer.close();
    expect(writer.isClosing()).toBe(true);
    expect(() => writer.write('late')).toThrow(ClosedResourceError);
    await writer.waitClosed();
    await expect(writer.drain()).rejects.toBeInstanceOf(ClosedResourceError);
  });

  it('closes through Symbol.asyncDispose', async () => {
    const server = await serve((reader) => reader.read());
    const { reader, writer } = await openConnection(HOST, server.address().port);
    await writer[Symbol.asyncDispose]();
    expect(writer.isClosing()).toBe(true);
    expect((await reader.read()).length).toBe(0);
    await until(() => server.activeConnections === 0, 2000, 'server connection closed');
  });

  it('surfaces a peer reset as ConnectionResetError on the next read and write', async () => {
    const server = await serve(async (reader, writer) => {
      await reader.read(1);
      writer.getExtraInfo('socket').resetAndDestroy();
    });
    const { reader, writer } = await openConnection(HOST, server.address().port);
    writer.write('!');
    const error = await reader.read(10).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isConnectionResetError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'ConnectionResetError', code: 'ECONNRESET' });
    expect(() => writer.write('after reset')).toThrow(expect.objectContaining({ name: 'ConnectionResetError' }));
    await expect(writer.drain()).rejects.toMatchObject({ name: 'ConnectionResetError' });
    await writer.waitClosed(); // never rejects with the connection error
    await until(() => server.activeConnections === 0, 2000, 'server side closed');
  });
});

describe('StreamWriter.drain', () => {
  /** Fill the socket's buffers towards a peer that does not read, until drain must wait. */
  function fill(writer: StreamWriter): void {
    const chunk = Buffer.alloc(1024 * 1024, 120);
    while (!writer.getExtraInfo('socket').writableNeedDrain) writer.write(chunk);
  }

  it('resolves at once while the socket is under its high-water mark', async () => {
    const server = await serve(() => undefined);
    const { writer } = await openConnection(HOST, server.address().port);
    writer.write('small');
    const drained = writer.drain();
    await drained;
    writer.close();
    await writer.waitClosed();
  });

  it('waits for Node’s drain when over the high-water mark, and resolves once the peer reads', async () => {
    const reading = deferred<void>();
    const server = await serve(async (reader) => {
      await reading.future;
      while ((await reader.read(1 << 20)).length > 0);
    });
    const { writer } = await openConnection(HOST, server.address().port);
    fill(writer);
    const drained = writer.drain();
    await sleep(20);
    expect(drained.done()).toBe(false);
    reading.resolve();
    await drained;
    writer.close();
    await writer.waitClosed();
  });

  it('rejects a drain() already waiting with ConnectionResetError when the peer resets', async () => {
    const reset = deferred<void>();
    const server = await serve(async (_reader, serverWriter) => {
      await reset.future; // never reads, so the client's buffers fill up
      serverWriter.getExtraInfo('socket').resetAndDestroy();
    });
    const { writer } = await openConnection(HOST, server.address().port);
    fill(writer);
    const steps: string[] = [];
    const drained = writer.drain().then(
      () => steps.push('drained'),
      (e: unknown) => steps.push(`drain failed: ${(e as Error).name}`),
    );
    await sleep(10);
    steps.push('reset');
    reset.resolve();
    await drained;
    expect(steps).toEqual(['reset', 'drain failed: ConnectionResetError']);
    expect(() => writer.write('after reset')).toThrow(expect.objectContaining({ name: 'ConnectionResetError' }));
    await writer.waitClosed();
    await until(() => server.activeConnections === 0, 2000, 'server side closed');
  });

  it('is cancelled with the task awaiting it; a cancelled waitClosed() then aborts the socket', async () => {
    // Never reads; waits on a library future so server.close() can cancel it.
    const server = await serve(() => deferred<void>().future);
    const { writer } = await openConnection(HOST, server.address().port);
    fill(writer);
    const task = createTask(() => writer.drain());
    await sleep(10);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    writer.close(); // cannot finish: the peer never reads
    const closing = writer.waitClosed();
    await sleep(10);
    expect(closing.done()).toBe(false);
    closing.cancel();
    await expect(closing).rejects.toBeInstanceOf(CancelledError);
    await until(() => writer.getExtraInfo('socket').destroyed, 2000, 'client socket destroyed');
    server.close();
    await server.waitClosed();
    expect(server.activeConnections).toBe(0);
  });
});
