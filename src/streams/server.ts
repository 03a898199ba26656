/**
 * `startServer` and `Server`: asyncio's `start_server` over `net.Server`, with one task per
 * connection so that closing the server cancels every handler.
 */
import { createServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { InvalidStateError, isCancelledError } from '../core/errors';
import { Unfuture } from '../core/future';
import { cancelFuture, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { createTask, type Task } from '../core/task';
import { assertFunction, assertInteger, assertOptions, expected } from '../core/validate';
import { failedFuture } from './future-helpers-internal';
import type { ConnectionHandler, StartServerOptions } from './options';
import { wrapSocket } from './wrap-socket-internal';

/** @internal Settings the Trio-style `serveTcp` adds on top of `startServer`'s. */
export interface ServerSettings {
  limit: number | undefined;
  /** Trio's rule: a handler error shuts the server down and `serveForever` rejects with it. */
  failFast: boolean;
}

type ServerState = 'serving' | 'closing' | 'closed';

/**
 * A listening TCP server (asyncio's `Server`). Made by {@link startServer}.
 *
 * `close()` stops listening and cancels every connection handler (each handler's
 * connection is closed when its task ends); `waitClosed()` resolves once the listener,
 * every handler and every socket are gone. `serveForever()` waits until the server is
 * closed; cancelling it closes the server.
 *
 * @example
 * const server = await startServer(handle, '127.0.0.1', 0);
 * console.log(`Serving on ${server.address().port}`);
 * await server.serveForever();
 */
export class Server {
  readonly #server: NetServer;
  readonly #address: AddressInfo;
  readonly #handler: ConnectionHandler;
  readonly #settings: ServerSettings;
  // Invariant: changes only serving -> closing -> closed, in close() and #maybeClosed().
  #state: ServerState = 'serving';
  #listenerClosed = false;
  // Handler tasks still running; each removes itself when it ends.
  readonly #handlers = new Set<Unfuture<unknown>>();
  // Accepted sockets not closed yet (the leak check of the tests reads its size).
  readonly #sockets = new Set<Socket>();
  readonly #closeWaiters = new Set<Unfuture<void>>();
  #serving: Unfuture<never> | undefined = undefined;
  #failure: { error: unknown } | undefined = undefined;

  /** @internal Use {@link startServer}. */
  constructor(server: NetServer, handler: ConnectionHandler, settings: ServerSettings) {
    this.#server = server;
    this.#address = server.address() as AddressInfo;
    this.#handler = handler;
    this.#settings = settings;
    server.on('connection', (socket) => this.#onConnection(socket));
    // Accept errors (EMFILE, …) must not crash the process; the server keeps listening.
    server.on('error', () => {});
  }

  /** Node's `{ address, family, port }` of the listening socket (kept after close). */
  address(): AddressInfo {
    return { ...this.#address };
  }

  /** True until `close()`. */
  isServing(): boolean {
    return this.#state === 'serving';
  }

  /** Accepted connections whose socket is not closed yet. */
  get activeConnections(): number {
    return this.#sockets.size;
  }

  /**
   * Stop listening and cancel every connection handler. Idempotent; returns at once.
   * A pending `serveForever()` settles as cancelled (or rejects, for `serveTcp`'s failure).
   */
  close(): void {
    if (this.#state !== 'serving') return;
    this.#state = 'closing';
    this.#server.close(() => {
      this.#listenerClosed = true;
      this.#maybeClosed();
    });
    for (const task of this.#handlers) task.cancel('server closed');
    this.#maybeClosed();
  }

  /**
   * Wait until the server is closed: listener, handlers and sockets. Cancelling the wait
   * after `close()` aborts the sockets still closing gracefully, then stops waiting.
   */
  waitClosed(): Unfuture<void> {
    if (this.#state === 'closed') return Unfuture.fromValue(undefined);
    const future = pendingFuture<void>({
      onCancel: (message) => {
        this.#closeWaiters.delete(future);
        if (this.#state === 'closing') for (const socket of this.#sockets) socket.destroy();
        cancelFuture(future, message);
      },
    });
    this.#closeWaiters.add(future);
    return future;
  }

  /**
   * Serve until the server is closed; then this Unfuture settles as cancelled (asyncio's
   * `serve_forever`). Cancelling it closes the server and settles once it is fully closed.
   * Rejects with `InvalidStateError` when the server is closed or already served forever.
   */
  serveForever(): Unfuture<never> {
    if (this.#state !== 'serving') return failedFuture(new InvalidStateError('the server is closed'));
    if (this.#serving !== undefined) return failedFuture(new InvalidStateError('serveForever() is already running'));
    const future = pendingFuture<never>({ onCancel: () => this.close() });
    this.#serving = future;
    return future;
  }

  /** `close()` then `waitClosed()`: `await using server = await startServer(...)`. */
  [Symbol.asyncDispose](): Unfuture<void> {
    this.close();
    return this.waitClosed();
  }

  // ---- private steps ----------------------------------------------------------------

  #onConnection(socket: Socket): void {
    if (this.#state !== 'serving') {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      this.#maybeClosed();
    });
    const { reader, writer } = wrapSocket(socket, this.#settings.limit);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    let started = false;
    const release = (): void => {
      // Trio's rule: the connection ends with its handler, so a socket never leaks.
      writer.close();
      this.#handlers.delete(task);
      this.#maybeClosed();
    };
    const task: Task<unknown> = createTask(
      async () => {
        started = true;
        try {
          return await this.#handler(reader, writer);
        } catch (error) {
          if (!isCancelledError(error)) this.#onHandlerError(error);
          throw error;
        } finally {
          release();
        }
      },
      { name: `connection from ${peer}` },
    ) as Task<unknown>;
    this.#handlers.add(task);
    // A task cancelled before its first step never runs its body, so the `finally` above
    // would never release the connection (close() would then wait forever). Its signal
    // aborts on that cancel; listening to it, unlike a done callback, does not mark the
    // task observed, so debug mode still reports a failed handler nobody looked at.
    task.signal.addEventListener(
      'abort',
      () => {
        if (!started) release();
      },
      { once: true },
    );
  }

  #onHandlerError(error: unknown): void {
    // With startServer the failed task is left unobserved, so debug mode reports it.
    if (!this.#settings.failFast || this.#failure !== undefined) return;
    this.#failure = { error };
    this.close();
  }

  #maybeClosed(): void {
    if (this.#state !== 'closing' || !this.#listenerClosed) return;
    if (this.#handlers.size > 0 || this.#sockets.size > 0) return;
    this.#state = 'closed';
    const serving = this.#serving;
    if (serving !== undefined) {
      if (this.#failure !== undefined) rejectFuture(serving, this.#failure.error);
      else cancelFuture(serving, 'server closed');
    }
    const waiters = [...this.#closeWaiters];
    this.#closeWaiters.clear();
    for (const f of waiters) resolveFuture(f, undefined);
  }
}

/**
 * Listen on `host:port` (`port` 0 picks a free port; `host` null/undefined means every
 * interface) and resolve to a {@link Server} once listening (asyncio's `start_server`).
 *
 * Each connection runs `handler(reader, writer)` as its own task (see `createTask`); when
 * the handler ends, its connection is closed (gracefully, after queued bytes are sent).
 * A handler that throws is left as a failed task (debug mode reports it); the server keeps
 * serving. Errors: Node's listen error (`EADDRINUSE`, …). Cancelling the returned Unfuture
 * before it resolves stops the listener.
 *
 * @example
 * const server = await startServer(async (reader, writer) => {
 *   writer.write(await reader.read(100));
 *   await writer.drain();
 * }, '127.0.0.1', 0);
 */
export function startServer(
  handler: ConnectionHandler,
  host: string | null | undefined,
  port: number,
  options?: StartServerOptions,
): Unfuture<Server> {
  assertOptions('options', options, ['limit']);
  const limit = options?.limit;
  if (limit !== undefined) assertInteger('options.limit', limit, 1);
  return listen(handler, host, port, { limit, failFast: false });
}

/** @internal `startServer` with every setting (used by `serveTcp`). */
export function listen(
  handler: ConnectionHandler,
  host: string | null | undefined,
  port: number,
  settings: ServerSettings,
): Unfuture<Server> {
  assertFunction('handler', handler);
  if (host != null && typeof host !== 'string') throw new TypeError(expected('host', 'a string or null', host));
  assertInteger('port', port, 0, 65535);
  const netServer = createServer({ allowHalfOpen: true, pauseOnConnect: false });
  const onError = (error: Error): void => {
    netServer.close();
    rejectFuture(future, error);
  };
  const future = pendingFuture<Server>({
    onCancel: (message) => {
      netServer.off('error', onError);
      netServer.close();
      cancelFuture(future, message);
    },
  });
  netServer.once('error', onError);
  netServer.listen(port, host ?? undefined, () => {
    netServer.off('error', onError);
    if (future.done()) return;
    resolveFuture(future, new Server(netServer, handler, settings));
  });
  return future;
}
