import type { AddressInfo } from 'node:net';
import { CancelledError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { serveTcp } from '../../src/streams/serve-tcp';
import { openTcpStream, type SocketStream } from '../../src/streams/socket-stream';
import type { Unfuture } from '../../src/core/future';
import { HOST, deferred } from './net-helpers';

async function echo(stream: SocketStream): Promise<void> {
  for (let data; (data = await stream.receiveSome(16384)).length > 0; ) await stream.sendAll(data);
}

/** Start `serveTcp` on a free loopback port; resolves with the serving future and the port. */
async function start(handler: (s: SocketStream) => unknown): Promise<{ serving: Unfuture<never>; port: number }> {
  const listening = deferred<AddressInfo>();
  const serving = serveTcp(handler, 0, { host: HOST, onListening: listening.resolve });
  return { serving, port: (await listening.future).port };
}

describe('serveTcp', () => {
  it('serves every connection with the handler until cancelled', async () => {
    const { serving, port } = await start(echo);
    const streams = await Promise.all([1, 2, 3].map(() => openTcpStream(HOST, port)));
    await Promise.all(streams.map((s, i) => s.sendAll(`hello ${i}`)));
    const replies = await Promise.all(streams.map((s) => s.receiveSome()));
    expect(replies.map(String)).toEqual(['hello 0', 'hello 1', 'hello 2']);
    serving.cancel();
    await expect(serving).rejects.toBeInstanceOf(CancelledError);
    // Cancelling the server cancelled the handlers, which closed their connections.
    for (const s of streams) {
      expect((await s.receiveSome()).length).toBe(0);
      await s.aclose();
    }
  });

  it('stops when the task awaiting it is cancelled', async () => {
    const listening = deferred<AddressInfo>();
    const main = createTask(() => serveTcp(echo, 0, { host: HOST, onListening: listening.resolve }));
    const { port } = await listening.future;
    main.cancel();
    await expect(main).rejects.toBeInstanceOf(CancelledError);
    await expect(openTcpStream(HOST, port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects with a handler’s error after cancelling the other handlers (Trio’s rule)', async () => {
    const steps: string[] = [];
    let n = 0;
    const { serving, port } = await start(async (stream) => {
      if (++n === 1) {
        try {
          await stream.receiveSome();
        } catch (error) {
          steps.push(`first: ${(error as Error).name}`);
          throw error;
        }
      } else {
        await stream.receiveSome();
        throw new Error('handler crashed');
      }
    });
    const quiet = await openTcpStream(HOST, port);
    await sleep(10);
    const loud = await openTcpStream(HOST, port);
    await loud.sendAll('boom');
    await expect(serving).rejects.toThrow('handler crashed');
    expect(steps).toEqual(['first: CancelledError']);
    await quiet.aclose();
    await loud.aclose();
  });

  it('validates its arguments with TypeError/RangeError at the call, before listening', () => {
    expect(() => serveTcp(1 as never, 0)).toThrow(new TypeError('Expected `handler` to be a function, got 1 (number)'));
    expect(() => serveTcp(echo, 70000)).toThrow(RangeError);
    expect(() => serveTcp(echo, 0, { nope: 1 } as never)).toThrow(TypeError);
    expect(() => serveTcp(echo, 0, { limit: 0 })).toThrow(RangeError);
    expect(() => serveTcp(echo, 0, { onListening: 1 as never })).toThrow(TypeError);
    expect(() => serveTcp(echo, 0, { host: 1 as never })).toThrow(TypeError);
  });
});
