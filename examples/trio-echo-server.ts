// Seed: Trio's tutorial echo server (trio.serve_tcp).
// Usage: tsx examples/trio-echo-server.ts [port]   (or ECHO_PORT=…)
// Default port 12345: the seed's, and the default of examples/trio-echo-client.ts, so the two
// run with no arguments; 0 picks a free port (printed; the tests use it).
// Prints "serving on 127.0.0.1:PORT"; SIGINT/SIGTERM cancels serveTcp, which closes everything.
import { currentTask, isCancelledError, run, serveTcp, type SocketStream } from '../src';

const PORT = Number(process.argv[2] ?? process.env.ECHO_PORT ?? 12345);
// How much memory to spend (at most) on each call to receiveSome.
const BUFSIZE = 16384;

let connectionCounter = 0;

/** Python's bytes repr, so the output reads like the tutorial's. */
const repr = (data: Buffer): string =>
  `b'${[...data].map((c) => (c >= 32 && c < 127 && c !== 39 && c !== 92 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`)).join('')}'`;

async function echoServer(serverStream: SocketStream): Promise<void> {
  // Assign each connection a unique number to make the prints easier to follow.
  const ident = connectionCounter++;
  console.log(`echo_server ${ident}: started`);
  try {
    for (;;) {
      const data = await serverStream.receiveSome(BUFSIZE);
      console.log(`echo_server ${ident}: received data ${repr(data)}`);
      if (data.length === 0) {
        console.log(`echo_server ${ident}: connection closed`);
        return;
      }
      console.log(`echo_server ${ident}: sending data ${repr(data)}`);
      await serverStream.sendAll(data);
    }
  } catch (error) {
    // Like Trio's Cancelled (a BaseException), cancellation must pass through.
    if (isCancelledError(error)) throw error;
    // Otherwise an error would take down the whole server (Trio's rule): report it instead.
    console.log(`echo_server ${ident}: crashed: ${String(error)}`);
  }
}

async function main(): Promise<void> {
  const self = currentTask()!;
  const stop = (): boolean => self.cancel('signal');
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    await serveTcp(echoServer, PORT, {
      host: '127.0.0.1',
      onListening: (address) => console.log(`serving on ${address.address}:${address.port}`),
    });
  } catch (error) {
    if (!isCancelledError(error)) throw error;
    console.log('server stopped');
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
  }
}

run(main);
