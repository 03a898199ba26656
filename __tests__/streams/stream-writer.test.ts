import { CancelledError } from '../../src/core/errors';
import { ClosedResourceError, isConnectionResetError } from '../../src/core/stream-errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { openConnection } from '../../src/streams/open-connection';
import type { Server } from '../../src/streams/server';
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

  /** A server that reads (and drops) everything it receives, but only once `startReading()` is called. */
  async function serveReadingLater(): Promise<{ server: Server; startReading: () => void }> {
    const reading = deferred<void>();
    const server = await serve(async (reader) => {
      await reading.future;
      while ((await reader.read(1 << 20)).length > 0);
    });
    return { server, startReading: () => reading.resolve() };
  }

  /** Start `writer.drain()` and record how it ends in `steps` ('drained' or 'drain failed: <error name>'). */
  function recordDrain(writer: StreamWriter, steps: string[]): Promise<unknown> {
    return writer.drain().then(
      () => steps.push('drained'),
      (e: unknown) => steps.push(`drain failed: ${(e as Error).name}`),
    );
  }

  it('resolves at once when nothing is queued', async () => {
    const server = await serve(() => undefined);
    const { writer } = await openConnection(HOST, server.address().port);
    expect(writer.drain().done()).toBe(true);
    writer.write('small');
    await writer.drain();
    expect(writer.getExtraInfo('socket').writableLength).toBe(0);
    expect(writer.drain().done()).toBe(true);
    writer.close();
    await writer.waitClosed();
  });

  it('waits for bytes still queued under the high-water mark, until the buffer is empty', async () => {
    const { server, startReading } = await serveReadingLater();
    const { writer } = await openConnection(HOST, server.address().port);
    const socket = writer.getExtraInfo('socket');
    // Small writes until the kernel stops taking them: the last one stays queued in this
    // process, under the high-water mark (where asyncio's drain() would return at once).
    const chunk = Buffer.alloc(socket.writableHighWaterMark / 4, 120);
    for (let sent = 0; socket.writableLength === 0; sent += chunk.length) {
      if (sent > 1 << 30) throw new Error('the kernel never stopped taking bytes');
      writer.write(chunk);
    }
    const steps = [`queued ${socket.writableLength} bytes, over the high-water mark: ${socket.writableNeedDrain}`];
    const drained = writer.drain().then(() => steps.push(`drained, ${socket.writableLength} bytes queued`));
    await sleep(20); // the peer does not read: nothing can drain meanwhile
    steps.push('peer reads');
    startReading();
    await drained;
    expect(steps).toEqual([`queued ${chunk.length} bytes, over the high-water mark: false`, 'peer reads', 'drained, 0 bytes queued']);
    writer.close();
    await writer.waitClosed();
  });

  it('waits while over the high-water mark too, and resolves once the peer reads, with nothing left queued', async () => {
    const { server, startReading } = await serveReadingLater();
    const { writer } = await openConnection(HOST, server.address().port);
    fill(writer);
    const drained = writer.drain();
    await sleep(20);
    expect(drained.done()).toBe(false);
    startReading();
    await drained;
    expect(writer.getExtraInfo('socket').writableLength).toBe(0);
    writer.close();
    await writer.waitClosed();
  });

  it('leaves nothing queued after each await, writing a large payload to a peer that reads slowly', async () => {
    const reading = deferred<void>();
    const received = deferred<Buffer>();
    const server = await serve(async (reader) => {
      await reading.future;
      const parts: Buffer[] = [];
      for (let part; (part = await reader.read(64 * 1024)).length > 0; ) {
        parts.push(part);
        await sleep(1); // a slow consumer
      }
      received.resolve(Buffer.concat(parts));
    });
    const { writer } = await openConnection(HOST, server.address().port);
    const socket = writer.getExtraInfo('socket');
    // Bytes [from, from + length) of an endless, position-dependent pattern.
    const pattern = (from: number, length: number): Buffer => {
      const out = Buffer.allocUnsafe(length);
      for (let k = 0; k < length; k++) out[k] = ((from + k) * 31) % 251;
      return out;
    };
    const slice = socket.writableHighWaterMark / 2; // each write alone stays under the mark
    const steps: string[] = [];
    const leftAfterDrain: number[] = [];
    // Until the kernel's buffers are full (the peer does not read yet), then 1 MiB more.
    let sent = 0;
    for (let fullAt = -1; fullAt === -1 || sent < fullAt + (1 << 20); ) {
      writer.write(pattern(sent, slice));
      sent += slice;
      if (fullAt === -1 && socket.writableLength > 0) {
        fullAt = sent;
        steps.push('kernel full: the peer starts reading');
        reading.resolve();
      }
      await writer.drain();
      if (socket.writableLength !== 0) leftAfterDrain.push(socket.writableLength);
    }
    steps.push('all written and drained');
    writer.writeEof();
    const got = await received.future;
    expect(steps).toEqual(['kernel full: the peer starts reading', 'all written and drained']);
    expect(leftAfterDrain).toEqual([]);
    expect(got.length).toBe(sent);
    expect(got.equals(pattern(0, sent))).toBe(true);
    await writer.waitClosed();
  });

  it('rejects a drain() already waiting with ClosedResourceError when the socket is aborted', async () => {
    const server = await serve(() => deferred<void>().future); // never reads
    const { writer } = await openConnection(HOST, server.address().port);
    fill(writer);
    const steps: string[] = [];
    const drained = recordDrain(writer, steps);
    await sleep(10);
    steps.push('abort');
    writer.abort(); // drops the queued bytes: the buffer is empty, but nothing was sent
    await drained;
    expect(steps).toEqual(['abort', 'drain failed: ClosedResourceError']);
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
    const drained = recordDrain(writer, steps);
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
