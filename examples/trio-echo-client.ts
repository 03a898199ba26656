// Seed: Trio's tutorial echo client: a sender and a receiver in one nursery.
// Usage: tsx examples/trio-echo-client.ts [port] [count] [intervalMs]
//   (or ECHO_PORT=…; default port 12345, 3 echoes, 1000 ms between sends)
// Instead of sys.exit() the client stops after `count` echoes; if the server closes the
// connection first, the receiver cancels the nursery (Trio's cancel_scope.cancel()).
import { openNursery, openTcpStream, run, sleep, type Nursery, type SocketStream } from '../src';

const PORT = Number(process.argv[2] ?? process.env.ECHO_PORT ?? 12345);
const COUNT = Number(process.argv[3] ?? 3);
const INTERVAL = Number(process.argv[4] ?? 1000);
// How much memory to spend (at most) on each call to receiveSome.
const BUFSIZE = 16384;
const DATA = Buffer.from('async can sometimes be confusing, but I believe in you!');

/** Python's bytes repr, so the output reads like the tutorial's. */
const repr = (data: Buffer): string =>
  `b'${[...data].map((c) => (c >= 32 && c < 127 && c !== 39 && c !== 92 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`)).join('')}'`;

async function sender(clientStream: SocketStream): Promise<void> {
  console.log('sender: started!');
  for (let i = 0; i < COUNT; i++) {
    console.log(`sender: sending ${repr(DATA)}`);
    await clientStream.sendAll(DATA);
    if (i < COUNT - 1) await sleep(INTERVAL);
  }
}

async function receiver(clientStream: SocketStream, nursery: Nursery): Promise<void> {
  console.log('receiver: started!');
  let received = 0;
  while (received < COUNT * DATA.length) {
    const data = await clientStream.receiveSome(BUFSIZE);
    console.log(`receiver: got data ${repr(data)}`);
    if (data.length === 0) {
      console.log('receiver: connection closed');
      nursery.cancel();
      return;
    }
    received += data.length;
  }
  console.log(`receiver: got all ${COUNT} echoes`);
}

async function parent(): Promise<void> {
  console.log(`parent: connecting to 127.0.0.1:${PORT}`);
  const clientStream = await openTcpStream('127.0.0.1', PORT);
  try {
    await openNursery(async (nursery) => {
      console.log('parent: spawning sender...');
      nursery.startSoon(sender, clientStream);

      console.log('parent: spawning receiver...');
      nursery.startSoon(receiver, clientStream, nursery);
    });
  } finally {
    await clientStream.aclose();
  }
  console.log('parent: done');
}

run(parent);
