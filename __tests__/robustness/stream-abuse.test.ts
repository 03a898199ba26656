/**
 * Abuse the TCP streams: resets mid-read, reads cancelled while data arrives, servers closed
 * with handlers blocked, rapid connect/cancel cycles. Nothing may leak (handles are
 * counted), every error is a named, branded class.
 */
import { createServer, type Socket } from 'node:net';
import { errorBrandOf, isCancelledError } from '../../src/core/errors';
import {
  isBrokenResourceError,
  isClosedResourceError,
  isConnectionResetError,
  isIncompleteReadError,
} from '../../src/core/stream-errors';
import type { Unfuture } from '../../src/core/future';
import { allTasks, createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { openConnection } from '../../src/streams/open-connection';
import { Server, startServer } from '../../src/streams/server';
import { serveTcp } from '../../src/streams/serve-tcp';
import { openTcpStream } from '../../src/streams/socket-stream';
import type { StreamReader } from '../../src/streams/stream-reader';
import type { StreamWriter } from '../../src/streams/stream-writer';
import { activeResources, drainTasks, macroTurns, microTurns, settledWithin } from './helpers';

const HOST = '127.0.0.1';
const servers: Server[] = [];

async function serve(handler: (r: StreamReader, w: StreamWriter) => unknown): Promise<Server> {
  const server = await startServer(handler, HOST, 0);
  servers.push(server);
  return server;
}

/** Every socket wrap the process holds (client and accepted ones). */
const sockets = (): number => activeResources('TCPSocketWrap');

/** Poll (event-loop turns, bounded) until `predicate` holds. */
async function eventually(predicate: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
  }
}

let socketsBefore = 0;
beforeEach(() => {
  socketsBefore = sockets();
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.close();
    await settledWithin(server.waitClosed(), 3000, 'server.waitClosed()');
  }
  await eventually(() => sockets() <= socketsBefore, 'every socket closed');
  expect(await drainTasks()).toEqual([]);
});

/** A named, branded library error (or Node's own system error with a code). */
function expectNamedError(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  const named = errorBrandOf(error) !== undefined || typeof (error as NodeJS.ErrnoException).code === 'string';
  if (!named) throw new Error(`not a named error: ${String(error)}`);
}

it('a peer reset in the middle of readexactly() surfaces as ConnectionResetError and frees the connection', async () => {
  const seen: unknown[] = [];
  const server = await serve(async (reader) => {
    try {
      await reader.readexactly(1000);
    } catch (e) {
      seen.push(e);
    }
  });
  for (let i = 0; i < 10; i++) {
    const { writer } = await openConnection(HOST, server.address().port);
    writer.write(Buffer.alloc(100 + i * 50, 7));
    await writer.drain();
    await macroTurns(i % 3);
    writer.getExtraInfo('socket').resetAndDestroy();
  }
  await eventually(() => seen.length === 10, 'every handler saw the reset');
  for (const e of seen) {
    expectNamedError(e);
    // Either the reset, or (when the RST raced the data) an EOF with a partial read.
    expect(isConnectionResetError(e) || isIncompleteReadError(e)).toBe(true);
  }
  await eventually(() => server.activeConnections === 0, 'server connections closed');
});

it('cancelling reads while data keeps arriving never loses or duplicates a byte', async () => {
  const total = 4000;
  const sent = Buffer.from(Array.from({ length: total }, (_, i) => i % 251));
  const server = await serve(async (_reader, writer) => {
    for (let off = 0; off < total; off += 97) {
      writer.write(sent.subarray(off, Math.min(total, off + 97)));
      await writer.drain();
      if (off % 3 === 0) await sleep(0);
    }
  });
  const { reader, writer } = await openConnection(HOST, server.address().port);
  const received: Buffer[] = [];
  for (let k = 0; received.reduce((n, b) => n + b.length, 0) < total; k++) {
    const read: Unfuture<Buffer> = k % 2 === 0 ? reader.readexactly(1 + (k % 13)) : reader.read(1 + (k % 29));
    if (k % 3 === 0) await microTurns(k % 7);
    else await macroTurns(k % 2);
    read.cancel('test');
    await settledWithin(read);
    if (read.state === 'fulfilled') received.push(read.result());
    else if (read.state === 'rejected') {
      // EOF before enough bytes for the last readexactly: the partial bytes are still data.
      const e = read.exception();
      expect(isIncompleteReadError(e)).toBe(true);
      received.push((e as { partial: Buffer }).partial);
    }
    if (k > 20_000) throw new Error('no progress');
  }
  expect(Buffer.concat(received).equals(sent)).toBe(true);
  writer.close();
  await writer.waitClosed();
});

it('closing a server cancels handlers blocked in reads and frees every socket', async () => {
  const outcomes: string[] = [];
  const server = await serve(async (reader) => {
    try {
      await reader.readuntil('never');
      outcomes.push('read');
    } catch (e) {
      outcomes.push(isCancelledError(e) ? 'cancelled' : String(e));
      throw e;
    }
  });
  const clients = [];
  for (let i = 0; i < 8; i++) clients.push(await openConnection(HOST, server.address().port));
  await eventually(() => server.activeConnections === 8, 'all connections accepted');
  await eventually(() => allTasks().size === 8, 'all handlers blocked');
  server.close();
  await settledWithin(server.waitClosed(), 3000, 'waitClosed');
  expect(outcomes).toEqual(Array(8).fill('cancelled'));
  expect(server.activeConnections).toBe(0);
  for (const { reader, writer } of clients) {
    expect((await reader.read()).length).toBe(0); // EOF: the server closed its side
    writer.close();
    await writer.waitClosed();
  }
});

it('many rapid connect/cancel cycles leave no socket behind', async () => {
  const server = await serve(async (reader, writer) => {
    writer.write(await reader.read(10));
  });
  const port = server.address().port;
  for (let k = 0; k < 60; k++) {
    const connecting = openConnection(HOST, port);
    if (k % 2 === 0) await microTurns(k % 5);
    else await macroTurns(k % 4);
    if (connecting.cancel('cycle')) {
      await settledWithin(connecting);
      expect(connecting.state).toBe('cancelled');
    } else {
      const { writer } = connecting.result();
      writer.abort();
    }
  }
  // A task cancelled while awaiting a connection must not keep the socket either.
  for (let k = 0; k < 20; k++) {
    const task = createTask(async () => {
      const { writer } = await openConnection(HOST, port);
      try {
        await sleep(1000);
      } finally {
        writer.close();
      }
    });
    await macroTurns(k % 4);
    task.cancel();
    await settledWithin(task);
  }
  await eventually(() => server.activeConnections === 0, 'server side closed');
});

it('serveTcp: a failing handler cancels the others blocked in receiveSome; everything closes', async () => {
  const boom = new Error('handler failed');
  let port = 0;
  let connected = 0;
  const outcomes: string[] = [];
  const serving = serveTcp(
    async (stream) => {
      const n = ++connected;
      try {
        const data = await stream.receiveSome(10);
        if (n === 4) throw boom;
        outcomes.push(`got ${data.length}`);
        await stream.receiveSome(10);
      } catch (e) {
        if (e !== boom) outcomes.push(isCancelledError(e) ? 'cancelled' : String(e));
        throw e;
      }
    },
    0,
    { host: HOST, onListening: (a) => (port = a.port) },
  );
  await eventually(() => port !== 0, 'listening');
  const streams = [];
  for (let i = 0; i < 4; i++) {
    const stream = await openTcpStream(HOST, port);
    streams.push(stream);
    await eventually(() => connected === i + 1, 'connection handled');
    await stream.sendAll('x');
  }
  await settledWithin(serving, 3000, 'serveTcp');
  expect(serving.exception()).toBe(boom);
  expect(outcomes.slice(0, 3)).toEqual(['got 1', 'got 1', 'got 1']);
  expect(outcomes.slice(3)).toEqual(['cancelled', 'cancelled', 'cancelled']);
  for (const stream of streams) {
    // The server closed every connection: EOF, or a reset if it aborted.
    try {
      expect((await stream.receiveSome()).length).toBe(0);
    } catch (e) {
      expectNamedError(e);
      expect(isBrokenResourceError(e) || isClosedResourceError(e)).toBe(true);
    }
    await stream.aclose();
  }
});

it('a handler task cancelled before its first step still releases its connection (server closes)', async () => {
  // The window between a connection being accepted and its handler task starting: another
  // 'connection' listener closes the server in that very callback.
  const net = createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => net.listen(0, HOST, resolve));
  let ran = 0;
  const server = new Server(net, () => void ran++, { limit: undefined, failFast: false });
  net.on('connection', () => server.close());
  const { reader, writer } = await openConnection(HOST, server.address().port);
  await settledWithin(server.waitClosed(), 3000, 'waitClosed with an unstarted handler');
  expect(ran).toBe(0);
  expect(server.activeConnections).toBe(0);
  expect((await reader.read()).length).toBe(0);
  writer.close();
  await writer.waitClosed();
});

it('a task cancelled in receiveSome right as data arrives still sees the cancellation', async () => {
  const server = await serve(async (reader, writer) => {
    writer.write(await reader.read(10));
    await reader.read(10);
  });
  const stream = await openTcpStream(HOST, server.address().port);
  const socket: Socket = stream.writer.getExtraInfo('socket');
  const steps: string[] = [];
  const task = createTask(async () => {
    const data = await stream.receiveSome(10);
    steps.push(`received ${data.length}`);
    await sleep(20);
    steps.push('ran past the next await');
  });
  await macroTurns(2);
  // Listeners run in order: the reader is fed first (its read fulfils), then the task is
  // cancelled in the same callback, before the receiveSome wrapper has copied the result.
  socket.on('data', () => task.cancel('stop'));
  await stream.sendAll('ping');
  await settledWithin(task);
  expect(task.state).toBe('cancelled');
  expect(steps).not.toContain('ran past the next await');
  // The bytes the cancelled receive had taken were given back to the stream.
  expect((await stream.receiveSome(10)).toString()).toBe('ping');
  await stream.aclose();
});

it('openTcpStream cancelled after the connection was made closes the socket it would have returned', async () => {
  const server = await serve(async (reader) => {
    await reader.read();
  });
  for (let k = 0; k < 30; k++) {
    const task = createTask(() => openTcpStream(HOST, server.address().port));
    await macroTurns(k % 3);
    await microTurns(k % 5);
    task.cancel();
    await settledWithin(task);
    if (task.state === 'fulfilled') await (task.result() as { aclose(): PromiseLike<void> }).aclose();
  }
  await eventually(() => server.activeConnections === 0, 'server side closed');
});
