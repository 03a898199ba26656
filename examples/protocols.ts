// Seed: "Protocol" — the async iterator (__aiter__/__anext__) and async context manager
// (__aenter__/__aexit__) protocols, in their JavaScript forms: Symbol.asyncIterator and
// Symbol.asyncDispose (`await using`).
import { run, sleep } from '../src';

/** Reads lines until an empty one, like the seed's Reader. */
class Reader implements AsyncIterable<string> {
  readonly #lines: string[];

  constructor(lines: string[]) {
    this.#lines = [...lines];
  }

  async readline(): Promise<string> {
    await sleep(1);
    return this.#lines.shift() ?? '';
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const val = await this.readline();
      if (val === '') return; // StopAsyncIteration
      yield val;
    }
  }
}

/** Prints on entering and leaving the block, like the seed's AsyncContextManager. */
class AsyncContextManager implements AsyncDisposable {
  static async enter(): Promise<AsyncContextManager> {
    await sleep(1);
    console.log('entering context');
    return new AsyncContextManager();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await sleep(1);
    console.log('exiting context');
  }
}

async function main(): Promise<void> {
  for await (const line of new Reader(['first', 'second', ''])) console.log(`line: ${line}`);
  {
    await using _context = await AsyncContextManager.enter();
    console.log('inside the block');
  }
  console.log('after the block');
}

run(main);
