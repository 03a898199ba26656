/**
 * Shared loopback helpers for the streams tests (not a test file itself).
 */
import { Unfuture } from '../../src/core/future';
import { sleep } from '../../src/combinators/sleep';
import { startServer, type Server } from '../../src/streams/server';
import type { ConnectionHandler, StartServerOptions } from '../../src/streams/options';

export const HOST = '127.0.0.1';

/** Servers opened by a test, closed in afterEach. */
const opened: Server[] = [];

/** Start a loopback server on a free port and remember it for {@link closeAll}. */
export async function serve(handler: ConnectionHandler, options?: StartServerOptions): Promise<Server> {
  const server = await startServer(handler, HOST, 0, options);
  opened.push(server);
  return server;
}

/** Close every server started with {@link serve} and wait until each is fully closed. */
export async function closeAll(): Promise<void> {
  const servers = opened.splice(0);
  for (const server of servers) {
    server.close();
    await server.waitClosed();
  }
}

/** Poll `predicate` every few ms until it holds (fails the test after `ms`). */
export async function until(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A future resolved by hand (for handing values out of a server handler). */
export function deferred<T>(): { future: Unfuture<T>; resolve: (value: T) => void } {
  const c = Unfuture.withResolvers<T>();
  return { future: c.future, resolve: (v) => void c.resolve(v) };
}
