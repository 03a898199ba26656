/**
 * The one place a connected `net.Socket` becomes a reader/writer pair.
 */
import type { Socket } from 'node:net';
import type { StreamPair } from './options';
import { StreamReader, attachFlowControl } from './stream-reader';
import { StreamWriter } from './stream-writer';

/** Wire `socket` to a new reader (data, EOF, backpressure) and writer (errors, close). */
export function wrapSocket(socket: Socket, limit: number | undefined): StreamPair {
  // asyncio sets TCP_NODELAY on every TCP stream; small echoes should not wait for Nagle.
  socket.setNoDelay(true);
  const reader = new StreamReader(limit === undefined ? undefined : { limit });
  // The writer registers the 'error' listener first, so a socket error never goes unhandled.
  const writer = new StreamWriter(socket, reader);
  attachFlowControl(reader, { pause: () => socket.pause(), resume: () => socket.resume() });
  socket.on('data', (chunk: Buffer) => reader.feedData(chunk));
  socket.on('end', () => reader.feedEof());
  return { reader, writer };
}
