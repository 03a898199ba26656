/**
 * `serveTcp`: Trio's `serve_tcp` on top of the same server machinery as `startServer`.
 */
import type { AddressInfo } from 'node:net';
import type { Unfuture } from '../core/future';
import { createTask } from '../core/task';
import { assertFunction, assertInteger, assertOptions, expected } from '../core/validate';
import { listen } from './server';
import { SocketStream } from './socket-stream';

/** Options for {@link serveTcp}. */
export interface ServeTcpOptions {
  /** Interface to listen on (default: every interface). */
  host?: string;
  /** Each connection reader's buffer limit in bytes (default 64 KiB). */
  limit?: number;
  /** Called once listening, with the address (how a caller learns the port picked for 0). */
  onListening?: (address: AddressInfo) => void;
}

/**
 * Serve TCP on `port` forever, running `handler(stream)` as a task per connection (Trio's
 * `serve_tcp`); the stream is closed when the handler returns.
 *
 * Never resolves. Cancelling it (or the task awaiting it) stops listening, cancels every
 * handler and settles once all connections are closed. Trio's rule for failures: a handler
 * that throws cancels the other handlers and the returned Unfuture rejects with its error —
 * catch inside the handler what should not stop the server. Argument errors
 * (`TypeError`/`RangeError`) throw at the call; a listen error (`EADDRINUSE`, …) rejects.
 *
 * @example
 * const serving = serveTcp(async (stream) => {
 *   for (let data; (data = await stream.receiveSome(16384)).length > 0; ) await stream.sendAll(data);
 * }, 0, { host: '127.0.0.1', onListening: (a) => console.log(`listening on ${a.port}`) });
 */
export function serveTcp(
  handler: (stream: SocketStream) => unknown,
  port: number,
  options?: ServeTcpOptions,
): Unfuture<never> {
  assertFunction('handler', handler);
  assertInteger('port', port, 0, 65535);
  assertOptions('options', options, ['host', 'limit', 'onListening']);
  const { host, limit, onListening } = options ?? {};
  // Checked here, not by listen() inside the task: an argument error throws at the call.
  if (host !== undefined && typeof host !== 'string') throw new TypeError(expected('options.host', 'a string', host));
  if (limit !== undefined) assertInteger('options.limit', limit, 1);
  if (onListening !== undefined) assertFunction('options.onListening', onListening);
  return createTask(
    async () => {
      const server = await listen((reader, writer) => handler(new SocketStream(reader, writer)), host, port, {
        limit,
        failFast: true,
      });
      try {
        onListening?.(server.address());
        return await server.serveForever();
      } finally {
        server.close();
        await server.waitClosed();
      }
    },
    { name: `serveTcp(${port})` },
  );
}
