import { CancelledError, InvalidStateError } from '../../src/core/errors';
import {
  ClosedResourceError,
  isBrokenResourceError,
  isClosedResourceError,
  isConnectionResetError,
} from '../../src/core/stream-errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { openTcpStream } from '../../src/streams/socket-stream';
import { HOST, closeAll, deferred, serve, until } from './net-helpers';

afterEach(closeAll);

const failure = (f: PromiseLike<unknown>): PromiseLike<unknown> =>
  f.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('SocketStream', () => {
  it('sendAll / receiveSome round-trip, and receiveSome returns empty at EOF', async () => {
    const server = await serve(async (reader, writer) => {
      writer.write(await reader.readexactly(4));
    });
    const stream = await openTcpStream(HOST, server.address().port);
    await stream.sendAll('ping');
    expect((await stream.receiveSome(1024)).toString()).toBe('ping');
    expect((await stream.receiveSome(1024)).length).toBe(0);
    await stream.aclose();
  });

  it('sendEof() half-closes: the peer sees EOF and can still answer', async () => {
    const server = await serve(async (reader, writer) => {
      const all = await reader.read();
      writer.write(`${all.length}`);
    });
    const stream = await openTcpStream(HOST, server.address().port);
    await stream.sendAll('abc');
    await stream.sendEof();
    await expect(stream.sendAll('more')).rejects.toBeInstanceOf(ClosedResourceError);
    expect((await stream.receiveSome()).toString()).toBe('3');
    await stream.aclose();
  });

  it('closes through Symbol.asyncDispose, and the server sees the connection end', async () => {
    const server = await serve((reader) => reader.read());
    const stream = await openTcpStream(HOST, server.address().port);
    await until(() => server.activeConnections === 1, 2000, 'connection accepted');
    await stream[Symbol.asyncDispose]();
    await expect(stream.sendAll('x')).rejects.toBeInstanceOf(ClosedResourceError);
    await until(() => server.activeConnections === 0, 2000, 'server connection closed');
  });

  it('rejects every call after aclose() with ClosedResourceError; aclose() is idempotent', async () => {
    const server = await serve(() => undefined);
    const stream = await openTcpStream(HOST, server.address().port);
    await stream.aclose();
    await stream.aclose();
    await expect(stream.sendAll('x')).rejects.toBeInstanceOf(ClosedResourceError);
    await expect(stream.receiveSome()).rejects.toBeInstanceOf(ClosedResourceError);
    await expect(stream.sendEof()).rejects.toBeInstanceOf(ClosedResourceError);
  });

  it('wakes a receive pending in another task with ClosedResourceError when closed', async () => {
    const server = await serve(() => deferred<void>().future);
    const stream = await openTcpStream(HOST, server.address().port);
    const receiving = createTask(() => stream.receiveSome());
    await sleep(10);
    await stream.aclose();
    const error = await failure(receiving);
    expect(isClosedResourceError(error)).toBe(true);
  });

  it('turns a peer reset into BrokenResourceError caused by ConnectionResetError', async () => {
    const server = await serve(async (reader, writer) => {
      await reader.read(1);
      writer.getExtraInfo('socket').resetAndDestroy();
    });
    const stream = await openTcpStream(HOST, server.address().port);
    await stream.sendAll('!');
    const error = (await failure(stream.receiveSome())) as Error;
    expect(isBrokenResourceError(error)).toBe(true);
    expect(isConnectionResetError(error.cause)).toBe(true);
    const sendError = await failure(stream.sendAll('after reset'));
    expect(isBrokenResourceError(sendError)).toBe(true);
    await stream.aclose();
  });

  it('rejects a second concurrent receive with InvalidStateError (Trio’s BusyResourceError)', async () => {
    const server = await serve(() => deferred<void>().future);
    const stream = await openTcpStream(HOST, server.address().port);
    const first = stream.receiveSome();
    await expect(stream.receiveSome()).rejects.toBeInstanceOf(InvalidStateError);
    first.cancel();
    await expect(first).rejects.toBeInstanceOf(CancelledError);
    await stream.aclose();
  });

  it('cancels a pending receive with its task and closes without leaking the connection', async () => {
    const server = await serve((reader) => reader.read());
    const client = createTask(async () => {
      const stream = await openTcpStream(HOST, server.address().port);
      try {
        await stream.receiveSome();
      } finally {
        await stream.aclose();
      }
    });
    await until(() => server.activeConnections === 1, 2000, 'connection accepted');
    await sleep(10);
    client.cancel();
    await expect(client).rejects.toBeInstanceOf(CancelledError);
    await until(() => server.activeConnections === 0, 2000, 'server connection closed');
  });
});
