// Seed: asyncio "Streams", the echo server (asyncio.start_server + serve_forever).
// Usage: tsx examples/asyncio-echo-server.ts [port]   (or ECHO_PORT=…)
// Default port 8888: the seed's, and the default of examples/asyncio-echo-client.ts, so the two
// run with no arguments; 0 picks a free port (printed; the tests use it).
// Prints "Serving on ('127.0.0.1', PORT)"; SIGINT/SIGTERM closes the server cleanly.
import { currentTask, isCancelledError, run, startServer, type StreamReader, type StreamWriter } from '../src';

const PORT = Number(process.argv[2] ?? process.env.ECHO_PORT ?? 8888);

async function handleEcho(reader: StreamReader, writer: StreamWriter): Promise<void> {
  const data = await reader.read(100);
  const message = data.toString();
  const addr = writer.getExtraInfo('peername');
  console.log(`Received '${message}' from ('${addr?.address}', ${addr?.port})`);
  console.log(`Send: '${message}'`);
  writer.write(data);
  await writer.drain();
  console.log('Close the connection');
  writer.close();
}

async function main(): Promise<void> {
  const server = await startServer(handleEcho, '127.0.0.1', PORT);
  const addr = server.address();
  console.log(`Serving on ('${addr.address}', ${addr.port})`);
  // Python stops on Ctrl-C; here a signal cancels this task, which closes the server.
  const self = currentTask()!;
  const stop = (): boolean => self.cancel('signal');
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    await server.serveForever();
  } catch (error) {
    if (!isCancelledError(error)) throw error;
  } finally {
    server.close();
    await server.waitClosed();
    process.off('SIGINT', stop).off('SIGTERM', stop);
  }
  console.log('Server closed');
}

run(main);
