/**
 * `openConnection`: asyncio's `open_connection` over `net.connect`.
 */
import { createConnection } from 'node:net';
import { TimeoutError } from '../core/errors';
import { Unfuture } from '../core/future';
import { cancelFuture, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { assertInteger, assertOptions, assertSignal, assertTimeout, expected, timerDelay } from '../core/validate';
import { failedFuture, mapFuture } from './future-helpers-internal';
import type { OpenConnectionOptions, StreamPair } from './options';
import { wrapSocket } from './wrap-socket-internal';

/**
 * Connect to `host:port` over TCP and resolve to a `{ reader, writer }` pair.
 *
 * Errors: Node's connection error as is (`code: 'ECONNREFUSED'`, …); `TimeoutError` after
 * `options.timeout` ms (`<= 0` expires at once); `signal.reason` when `options.signal`
 * aborts. Cancelling the returned Unfuture (or the task awaiting it) destroys the socket
 * being connected; a cancel that arrives once connected but before the result was handed
 * on settles the Unfuture as cancelled and destroys the new connection, since nobody can
 * get it any more. In every failed or cancelled case no socket is left open.
 *
 * @example
 * const { reader, writer } = await openConnection('127.0.0.1', 8888, { timeout: 5000 });
 * writer.write('Hello World!');
 * console.log((await reader.read(100)).toString());
 */
export function openConnection(host: string, port: number, options?: OpenConnectionOptions): Unfuture<StreamPair> {
  if (typeof host !== 'string') throw new TypeError(expected('host', 'a string', host));
  assertInteger('port', port, 1, 65535);
  assertOptions('options', options, ['signal', 'timeout', 'limit']);
  const { signal, timeout, limit } = options ?? {};
  assertSignal('options.signal', signal);
  assertTimeout('options.timeout', timeout);
  if (limit !== undefined) assertInteger('options.limit', limit, 1);

  if (signal?.aborted) return failedFuture(signal.reason);
  if (timeout != null && timeout <= 0) return failedFuture(timedOut(host, port, timeout));

  const socket = createConnection({ host, port, allowHalfOpen: true });
  let timer: NodeJS.Timeout | undefined;
  const cleanup = (): void => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    socket.off('connect', onConnect);
    socket.off('error', onError);
  };
  const fail = (error: unknown): void => {
    cleanup();
    socket.destroy();
    rejectFuture(future, error);
  };
  const onConnect = (): void => {
    cleanup();
    resolveFuture(future, wrapSocket(socket, limit));
  };
  const onError = (error: Error): void => fail(error);
  const onAbort = (): void => fail(signal!.reason);
  const future = pendingFuture<StreamPair>({
    onCancel: (message) => {
      cleanup();
      socket.destroy();
      cancelFuture(future, message);
    },
  });
  socket.once('connect', onConnect);
  socket.once('error', onError);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (timeout != null && timeout !== Infinity) {
    timer = setTimeout(() => fail(timedOut(host, port, timeout)), timerDelay(timeout));
  }
  // `future` settles inside the socket's callback; the task awaiting it only resumes on a
  // later microtask. A cancel in between can no longer reach `future` (it declines), and
  // the task would end cancelled with the pair dropped and its socket open. The wrapper
  // settles as cancelled then and hands the dropped pair back, to be closed.
  return mapFuture(
    future,
    (pair) => pair,
    (error) => {
      throw error;
    },
    undefined,
    ({ writer }) => writer.abort(),
  );
}

function timedOut(host: string, port: number, timeout: number): TimeoutError {
  return new TimeoutError(`connecting to ${host}:${port} timed out after ${timeout} ms`);
}
