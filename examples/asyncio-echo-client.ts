// Seed: asyncio "Streams", the echo client (asyncio.open_connection).
// Usage: tsx examples/asyncio-echo-client.ts [port] [message]   (or ECHO_PORT=…; default 8888)
import { openConnection, run } from '../src';

const PORT = Number(process.argv[2] ?? process.env.ECHO_PORT ?? 8888);
const MESSAGE = process.argv[3] ?? 'Hello World!';

async function tcpEchoClient(message: string): Promise<void> {
  const { reader, writer } = await openConnection('127.0.0.1', PORT);
  console.log(`Send: '${message}'`);
  writer.write(message);
  await writer.drain();
  const data = await reader.read(100);
  console.log(`Received: '${data.toString()}'`);
  console.log('Close the connection');
  writer.close();
  await writer.waitClosed();
}

run(() => tcpEchoClient(MESSAGE));
