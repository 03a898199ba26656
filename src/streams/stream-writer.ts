/**
 * `StreamWriter`: asyncio's stream writer over a `net.Socket`. It also owns the socket's
 * lifecycle events ('error', 'close', 'drain') and reports a broken connection to the
 * reader, so one object decides when the connection is gone.
 */
import type { AddressInfo, Socket } from 'node:net';
import { ClosedResourceError } from '../core/stream-errors';
import { Unfuture } from '../core/future';
import { cancelFuture, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { failedFuture } from './future-helpers-internal';
import { toBuffer, translateSocketError } from './socket-errors-internal';
import type { StreamReader } from './stream-reader';

/** Names accepted by `StreamWriter.getExtraInfo`. */
export type ExtraInfoName = 'peername' | 'sockname' | 'socket';

/**
 * Writes bytes to a connection (asyncio's `StreamWriter`). Get one from `openConnection`
 * or a `startServer` handler.
 *
 * `write()` queues bytes at once; `drain()` waits until the socket has handed every queued
 * byte to the operating system (stricter than asyncio, which waits only while the buffer is
 * over its high-water mark), so it is the flow-control point. A connection the
 * peer reset makes `write()` throw and `drain()` reject with `ConnectionResetError`; use
 * after your own `close()` / `writeEof()` gives `ClosedResourceError`.
 *
 * @example
 * writer.write('hello\n');
 * await writer.drain();
 * writer.close();
 * await writer.waitClosed();
 */
export class StreamWriter {
  readonly #socket: Socket;
  readonly #reader: StreamReader | undefined;
  // The connection error (translated), kept for good once seen.
  #error: Error | undefined = undefined;
  #closing = false;
  #eofSent = false;
  // Invariant: #closed is true exactly once the socket emitted 'close'; then both waiter sets are empty.
  #closed = false;
  // drain() callers waiting for the socket's write buffer to empty (writableLength === 0).
  readonly #drainWaiters = new Set<Unfuture<void>>();
  readonly #closeWaiters = new Set<Unfuture<void>>();

  /** @internal Use `openConnection` or `startServer`. */
  constructor(socket: Socket, reader?: StreamReader) {
    this.#socket = socket;
    this.#reader = reader;
    socket.on('error', (error) => this.#onError(error));
    // Our writes carry #onFlushed; 'drain' (the buffer emptied after going over its
    // high-water mark) also covers bytes someone wrote to the socket directly.
    socket.on('drain', () => this.#onFlushed());
    socket.once('close', () => this.#onClose());
  }

  /**
   * Queue `data` for sending (a string is sent as UTF-8). Never waits: call `drain()` to
   * respect flow control. Throws `ConnectionResetError` once the peer reset the connection
   * and `ClosedResourceError` after `close()` or `writeEof()`.
   */
  write(data: Buffer | Uint8Array | string): void {
    const bytes = toBuffer('data', data);
    this.#assertWritable();
    this.#socket.write(bytes, this.#onFlushed);
  }

  /** `write()` each item in order. */
  writelines(lines: Iterable<Buffer | Uint8Array | string>): void {
    for (const line of lines) this.write(line);
  }

  /**
   * Wait until the socket's write buffer is empty (`socket.writableLength === 0`: every byte
   * queued so far has been handed to the operating system); resolves at once when nothing
   * is queued. This is stricter than asyncio's `drain()`, which returns as soon as the buffer
   * is under its high-water mark: here a resolved drain means nothing is left in this
   * process. While other tasks keep writing to the same writer, it waits for a moment when
   * everything they queued has gone too.
   *
   * Cancelling only stops the wait: the queued bytes stay queued. Rejects with the connection
   * error (`ConnectionResetError`) when the peer resets, also while waiting, and with
   * `ClosedResourceError` if the socket is closed, or closes while bytes are still queued.
   *
   * @example
   * writer.write(largePayload);
   * await writer.drain(); // writer.getExtraInfo('socket').writableLength === 0
   */
  drain(): Unfuture<void> {
    if (this.#error !== undefined) return failedFuture(this.#error);
    if (this.#closed || this.#socket.destroyed) return failedFuture(new ClosedResourceError('the connection is closed'));
    if (this.#socket.writableLength === 0) return Unfuture.fromValue(undefined);
    const future = pendingFuture<void>({
      onCancel: (message) => {
        this.#drainWaiters.delete(future);
        cancelFuture(future, message);
      },
    });
    this.#drainWaiters.add(future);
    return future;
  }

  /**
   * Close the connection: stop accepting writes, send what is queued, then close the socket
   * (asyncio's `close`). Idempotent; returns at once; `waitClosed()` waits for the end.
   */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#socket.destroyed) return;
    // end() flushes queued bytes and sends FIN; destroy() then frees the socket even if the
    // peer keeps its half open (we allow half-open sockets for writeEof()).
    this.#socket.end(() => this.#socket.destroy());
  }

  /** Close at once, dropping queued bytes (asyncio's `transport.abort()`). Idempotent. */
  abort(): void {
    this.#closing = true;
    this.#socket.destroy();
  }

  /** True after `close()`/`abort()` or once the socket is closed or destroyed. */
  isClosing(): boolean {
    return this.#closing || this.#socket.destroyed;
  }

  /**
   * Wait until the socket is fully closed. Never rejects with the connection error (reads
   * and writes report that). Cancelling it after `close()` aborts the socket (Trio's rule: a
   * cancelled close still closes, less gracefully); before `close()` it only stops waiting.
   */
  waitClosed(): Unfuture<void> {
    if (this.#closed) return Unfuture.fromValue(undefined);
    const future = pendingFuture<void>({
      onCancel: (message) => {
        this.#closeWaiters.delete(future);
        if (this.#closing) this.#socket.destroy();
        cancelFuture(future, message);
      },
    });
    this.#closeWaiters.add(future);
    return future;
  }

  /**
   * Half-close: send FIN after the queued bytes; the peer reads EOF while this side can
   * still read. Later writes throw `ClosedResourceError`. Idempotent.
   */
  writeEof(): void {
    if (this.#eofSent) return;
    this.#assertWritable();
    this.#eofSent = true;
    this.#socket.end();
  }

  /** True: TCP sockets support half-close. */
  canWriteEof(): boolean {
    return true;
  }

  /**
   * Connection details (asyncio's `get_extra_info`): `'peername'` and `'sockname'` give
   * Node's `{ address, family, port }`, `'socket'` the `net.Socket`; `defaultValue` when
   * unknown (e.g. after the socket is gone).
   */
  getExtraInfo(name: 'peername' | 'sockname'): AddressInfo | undefined;
  getExtraInfo<D>(name: 'peername' | 'sockname', defaultValue: D): AddressInfo | D;
  getExtraInfo(name: 'socket'): Socket;
  getExtraInfo(name: ExtraInfoName, defaultValue?: unknown): unknown {
    const socket = this.#socket;
    switch (name) {
      case 'peername':
        if (socket.remoteAddress === undefined) return defaultValue;
        return { address: socket.remoteAddress, family: socket.remoteFamily!, port: socket.remotePort! };
      case 'sockname': {
        const address = socket.address();
        return 'port' in address ? address : defaultValue;
      }
      case 'socket':
        return socket;
      default:
        return defaultValue;
    }
  }

  /** `close()` then `waitClosed()`: `await using writer = ...`. */
  [Symbol.asyncDispose](): Unfuture<void> {
    this.close();
    return this.waitClosed();
  }

  // ---- private steps ----------------------------------------------------------------

  #assertWritable(): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#closing || this.#closed || this.#socket.destroyed) throw new ClosedResourceError('write after close()');
    if (this.#eofSent) throw new ClosedResourceError('write after writeEof()');
  }

  /*
   * Called with each write's completion (Node calls a write's callback once its bytes left
   * the stream's buffer, after `writableLength` dropped) and on 'drain'. An error is left to
   * the 'error' event, which settles the waiters with the translated error. A destroyed
   * socket also empties its buffer — the write in flight completes without an error — but
   * those bytes were dropped, not sent: 'close' settles the waiters with ClosedResourceError.
   */
  readonly #onFlushed = (error?: Error | null): void => {
    if (error == null && !this.#socket.destroyed && this.#socket.writableLength === 0) this.#settleDrainWaiters();
  };

  #onError(raw: Error): void {
    if (this.#error !== undefined) return;
    const error = translateSocketError(raw);
    this.#error = error;
    this.#reader?.setException(error);
    this.#settleDrainWaiters();
  }

  #onClose(): void {
    this.#closed = true;
    this.#reader?.feedEof();
    this.#settleDrainWaiters();
    const waiters = [...this.#closeWaiters];
    this.#closeWaiters.clear();
    for (const f of waiters) resolveFuture(f, undefined);
  }

  /** Wake every drain waiter: fine once the buffer is empty, failed once the connection broke or closed. */
  #settleDrainWaiters(): void {
    if (this.#drainWaiters.size === 0) return;
    const waiters = [...this.#drainWaiters];
    this.#drainWaiters.clear();
    const failure = this.#error ?? (this.#closed ? new ClosedResourceError('the connection closed while draining') : undefined);
    for (const f of waiters) {
      if (failure === undefined) resolveFuture(f, undefined);
      else rejectFuture(f, failure);
    }
  }
}
