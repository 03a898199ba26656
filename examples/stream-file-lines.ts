// A worker streams the lines of a large file to the caller, with progress: the caller reads
// them with `for await`, watches how far the worker got through the file, and stops as soon
// as it has found what it looks for. Leaving the loop stops the generator in the worker (its
// `finally` closes the file there), and the worker stays in the pool for the next call.
// Prints what happened, the same on every run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inWorker, reportProgress, run, shutdown, toThread, unsyncRegister } from '../src';

/** Yields the lines of `file` one by one, reading it in 64 KiB blocks; reports the share read. */
export function* linesOf(file: string): Generator<string, number> {
  const fd = fs.openSync(file, 'r');
  const size = fs.fstatSync(fd).size;
  const block = Buffer.alloc(64 * 1024);
  let read = 0;
  let rest = '';
  let count = 0;
  try {
    for (;;) {
      const n = fs.readSync(fd, block, 0, block.length, read);
      if (n === 0) break;
      read += n;
      reportProgress(Math.round((read / size) * 100));
      const lines = (rest + block.toString('utf8', 0, n)).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        count++;
        yield line;
      }
    }
    if (rest !== '') yield rest;
    return count;
  } finally {
    fs.closeSync(fd);
    fs.appendFileSync(`${file}.log`, 'closed the file in the worker\n');
  }
}
unsyncRegister(linesOf);

/** Where the worker ran (a thread id): the same one serves the next call. */
export function threadOf(): number {
  return (require('node:worker_threads') as typeof import('node:worker_threads')).threadId;
}
unsyncRegister(threadOf);

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-lines-'));
  const file = path.join(dir, 'events.log');
  // 200 000 lines (about 5 MiB); the one we look for is line 120 000.
  const lines = Array.from({ length: 200_000 }, (_, i) => (i === 119_999 ? 'ERROR disk full' : `INFO event ${i + 1}`));
  fs.writeFileSync(file, lines.join('\n'));
  try {
    const before = await toThread(threadOf);
    const stream = toThread(linesOf, file);
    let percent = 0;
    stream.onProgress((p) => (percent = p as number));
    let seen = 0;
    let found: string | undefined;
    for await (const line of stream) {
      seen++;
      if (line.startsWith('ERROR')) {
        found = line;
        break; // stops the generator in the worker
      }
    }
    console.log(`found "${found}" at line ${seen}`);
    // The worker read ahead of the consumer (credit and 64 KiB blocks), but not to the end.
    console.log(`progress: the worker had read part of the file (${percent > 0 && percent < 100 ? 'yes' : `no: ${percent}%`})`);
    console.log(`worker: ${fs.readFileSync(`${file}.log`, 'utf8').trim()}`);
    console.log(`same worker afterwards: ${(await toThread(threadOf)) === before}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await shutdown();
  }
}

if (!inWorker()) run(main);
