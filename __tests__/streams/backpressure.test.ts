import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { CancelledError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { openConnection } from '../../src/streams/open-connection';
import type { StreamReader } from '../../src/streams/stream-reader';
import { HOST, closeAll, deferred, serve, until } from './net-helpers';

afterEach(closeAll);

const LIMIT = 16 * 1024;
// Node hands sockets' data over in chunks of at most 64 KiB: the buffer may pass the limit
// by at most one chunk before the pause takes effect.
const MAX_CHUNK = 64 * 1024;

const digest = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const payload = (size: number): Buffer => Buffer.from(Array.from({ length: size }, (_, i) => (i * 31) % 251));

describe('payloads larger than the reader limit', () => {
  it('echoes 2 MiB through readexactly() intact', async () => {
    const size = 2 * 1024 * 1024;
    const server = await serve(
      async (reader, writer) => {
        const data = await reader.readexactly(size);
        writer.write(data);
        await writer.drain();
      },
      { limit: LIMIT },
    );
    const sent = payload(size);
    const { reader, writer } = await openConnection(HOST, server.address().port, { limit: LIMIT });
    writer.write(sent);
    const echoed = await reader.readexactly(size);
    expect(digest(echoed)).toBe(digest(sent));
    writer.close();
    await writer.waitClosed();
  });

  it('streams 4 MiB through bounded read(n) calls', async () => {
    const size = 4 * 1024 * 1024;
    const server = await serve(
      async (reader, writer) => {
        for (let chunk; (chunk = await reader.read(LIMIT)).length > 0; ) {
          writer.write(chunk);
          await writer.drain();
        }
      },
      { limit: LIMIT },
    );
    const sent = payload(size);
    const { reader, writer } = await openConnection(HOST, server.address().port, { limit: LIMIT });
    const receiving = reader.read(); // until EOF
    writer.write(sent);
    writer.writeEof();
    expect(digest(await receiving)).toBe(digest(sent));
    await writer.waitClosed();
  });
});

describe('a slow reader', () => {
  it('pauses the socket so its buffer stays bounded by the limit plus one chunk', async () => {
    const size = 8 * 1024 * 1024;
    const start = deferred<void>();
    const report = deferred<{ max: number; pausedSeen: boolean; total: number }>();
    let serverReader: StreamReader | undefined;
    let serverSocket: Socket | undefined;
    const server = await serve(
      async (reader, serverWriter) => {
        serverReader = reader;
        serverSocket = serverWriter.getExtraInfo('socket');
        await start.future;
        let max = reader.bufferedSize;
        let pausedSeen = reader.paused;
        let total = 0;
        for (let chunk; (chunk = await reader.read(4096)).length > 0; ) {
          total += chunk.length;
          max = Math.max(max, reader.bufferedSize + chunk.length);
          pausedSeen ||= reader.paused;
          if (total % (256 * 1024) < 4096) await sleep(1); // a slow consumer
        }
        report.resolve({ max, pausedSeen, total });
      },
      { limit: LIMIT },
    );
    const { writer } = await openConnection(HOST, server.address().port);
    writer.write(payload(size));
    const sending = writer.drain();
    // While nobody reads, the server's buffer fills to the limit and the socket pauses.
    await until(() => serverReader !== undefined && serverReader.paused, 5000, 'reader paused');
    await sleep(50);
    expect(serverSocket!.isPaused()).toBe(true);
    expect(serverReader!.bufferedSize).toBeGreaterThanOrEqual(LIMIT);
    expect(serverReader!.bufferedSize).toBeLessThan(LIMIT + MAX_CHUNK);
    // The sender is held back by TCP flow control rather than the server buffering it all.
    expect(sending.done()).toBe(false);
    start.resolve();
    await sending;
    writer.writeEof();
    const { max, pausedSeen, total } = await report.future;
    expect(total).toBe(size);
    expect(pausedSeen).toBe(true);
    expect(max).toBeLessThan(LIMIT + MAX_CHUNK);
    await writer.waitClosed();
  });
});

describe('cancelling a pending read', () => {
  it('leaves no socket behind once the cancelled client closes', async () => {
    const server = await serve((reader) => reader.read()); // holds the connection until EOF
    const client = createTask(async () => {
      const { reader, writer } = await openConnection(HOST, server.address().port);
      try {
        await reader.read(100); // the server never sends
      } finally {
        writer.close();
        await writer.waitClosed();
      }
    });
    await until(() => server.activeConnections === 1, 2000, 'connection accepted');
    await sleep(10);
    client.cancel();
    await expect(client).rejects.toBeInstanceOf(CancelledError);
    await until(() => server.activeConnections === 0, 2000, 'server connection closed');
  });
});
