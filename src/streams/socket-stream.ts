/**
 * `SocketStream` and `openTcpStream`: Trio's byte-stream API on top of the asyncio-style
 * reader and writer, with Trio's error contract.
 */
import { InvalidStateError, isCancelledError, isInvalidStateError } from '../core/errors';
import { BrokenResourceError, ClosedResourceError, isClosedResourceError } from '../core/stream-errors';
import { Unfuture } from '../core/future';
import { assertInteger } from '../core/validate';
import { failedFuture, mapFuture } from './future-helpers-internal';
import { openConnection } from './open-connection';
import type { OpenConnectionOptions } from './options';
import { toBuffer } from './socket-errors-internal';
import { unreadData, type StreamReader } from './stream-reader';
import type { StreamWriter } from './stream-writer';

/** Trio's default `receive_some` size when none is given. */
const DEFAULT_RECEIVE_SIZE = 64 * 1024;

/**
 * A TCP connection with Trio's `SocketStream` API: `sendAll`, `receiveSome`, `sendEof`,
 * `aclose`. Get one from {@link openTcpStream} or a `serveTcp` handler.
 *
 * Errors follow Trio: after *your* `aclose()` every call rejects with
 * `ClosedResourceError` (a receive pending in another task too); when the peer resets the
 * connection calls reject with `BrokenResourceError` (`cause`: the `ConnectionResetError`).
 * Two tasks sending (or receiving) at once get `InvalidStateError` (Trio's
 * `BusyResourceError`). Every call is cancellable.
 *
 * @example
 * const stream = await openTcpStream('127.0.0.1', port);
 * try {
 *   await stream.sendAll('ping');
 *   console.log((await stream.receiveSome(1024)).toString());
 * } finally {
 *   await stream.aclose();
 * }
 */
export class SocketStream {
  readonly #reader: StreamReader;
  readonly #writer: StreamWriter;
  #closed = false;
  #eofSent = false;
  #sending = false;

  /** @internal Use {@link openTcpStream} or `serveTcp`. */
  constructor(reader: StreamReader, writer: StreamWriter) {
    this.#reader = reader;
    this.#writer = writer;
  }

  /** The asyncio-style writer underneath (for `getExtraInfo('peername')` and the like). */
  get writer(): StreamWriter {
    return this.#writer;
  }

  /**
   * Send every byte of `data`: resolves once they have all left the socket's write buffer
   * for the operating system (`writer.drain()`), so a slow peer holds the sender back.
   * Cancelling stops the wait; bytes already handed to the socket may still be sent.
   */
  sendAll(data: Buffer | Uint8Array | string): Unfuture<void> {
    const bytes = toBuffer('data', data);
    if (this.#closed) return failedFuture(new ClosedResourceError('this stream was closed'));
    if (this.#eofSent) return failedFuture(new ClosedResourceError("can't send data after sendEof()"));
    if (this.#sending) return failedFuture(new InvalidStateError('another task is already sending on this stream'));
    try {
      this.#writer.write(bytes);
    } catch (error) {
      return failedFuture(this.#translate(error));
    }
    this.#sending = true;
    return mapFuture(
      this.#writer.drain(),
      () => undefined,
      (error) => {
        throw this.#translate(error);
      },
      () => {
        this.#sending = false;
      },
    );
  }

  /**
   * Receive between 1 and `maxBytes` bytes (default 64 KiB), waiting until some arrive;
   * an empty Buffer means the peer sent EOF.
   */
  receiveSome(maxBytes: number = DEFAULT_RECEIVE_SIZE): Unfuture<Buffer> {
    assertInteger('maxBytes', maxBytes, 1);
    if (this.#closed) return failedFuture(new ClosedResourceError('this stream was closed'));
    const reader = this.#reader;
    return mapFuture(
      reader.read(maxBytes),
      (data) => data,
      (error) => {
        throw this.#translate(error);
      },
      undefined,
      // Cancelled after the read completed: the bytes go back to the reader, not lost.
      (data) => unreadData(reader, data),
    );
  }

  /** Half-close: the peer sees EOF after the bytes already sent; receiving still works. */
  sendEof(): Unfuture<void> {
    if (this.#closed) return failedFuture(new ClosedResourceError('this stream was closed'));
    if (this.#eofSent) return Unfuture.fromValue(undefined);
    try {
      this.#writer.writeEof();
    } catch (error) {
      return failedFuture(this.#translate(error));
    }
    this.#eofSent = true;
    return Unfuture.fromValue(undefined);
  }

  /**
   * Close the stream: a receive pending in another task rejects with `ClosedResourceError`,
   * queued bytes are sent, then the socket closes. Idempotent. Cancelling it still closes,
   * abruptly (Trio's rule).
   */
  aclose(): Unfuture<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#reader.setException(new ClosedResourceError('another task closed this stream'));
      this.#writer.close();
    }
    return this.#writer.waitClosed();
  }

  /** `aclose()`: `await using stream = await openTcpStream(...)`. */
  [Symbol.asyncDispose](): Unfuture<void> {
    return this.aclose();
  }

  /** Trio's contract: our own misuse passes through; anything else broke the stream. */
  #translate(error: unknown): unknown {
    if (isClosedResourceError(error) || isInvalidStateError(error) || isCancelledError(error)) return error;
    if (this.#closed) return new ClosedResourceError('this stream was closed', { cause: error });
    return new BrokenResourceError(`the connection is broken: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
}

/**
 * Connect to `host:port` and resolve to a {@link SocketStream} (Trio's `open_tcp_stream`).
 * Options, errors and cancellation are those of `openConnection`.
 *
 * @example
 * const stream = await openTcpStream('127.0.0.1', 12345);
 */
export function openTcpStream(host: string, port: number, options?: OpenConnectionOptions): Unfuture<SocketStream> {
  return mapFuture(
    openConnection(host, port, options),
    ({ reader, writer }) => new SocketStream(reader, writer),
    (error) => {
      throw error;
    },
    undefined,
    // Cancelled after the connection was made: nobody will get the stream, close it.
    ({ writer }) => writer.abort(),
  );
}
