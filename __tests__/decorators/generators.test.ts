/**
 * Decorated generator functions (`function*`, `async function*`): each call returns an
 * `UnsyncStream` of what the generator yields, on the loop, a thread or a process, as the
 * function's routing (or `.with()`) says; `inspect` says it is a generator and where its
 * stream runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { asStream, inspect, isCancelledError, isTimeoutError, shutdown, sleep, statistics, unsync, withOptions } from '../../src';
import { errorOf } from '../helpers/async';
import * as G from '../fixtures/decorated-generators';

afterAll(() => shutdown());

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-gen-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
const traceFile = (): string => path.join(dir, `trace-${++fileNo}.txt`);
const linesOf = (file: string): string[] => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);
async function lines(file: string, n: number): Promise<void> {
  while (linesOf(file).length < n) await sleep(5);
}
async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of stream) out.push(value);
  return out;
}

describe('decorated generator functions', () => {
  it('stream what they yield, in order, from the loop, a thread and a process', async () => {
    const onLoop = G.countOnLoop(3);
    const onThread = G.countOnThread(3);
    const onProcess = G.countOnProcess(3);
    expect([onLoop.executor, onThread.executor, onProcess.executor]).toEqual(['loop', 'thread', 'process']);
    expect(await collect(onLoop)).toEqual(['main:1', 'main:2', 'main:3']);
    expect(await collect(onThread)).toEqual(['thread:1', 'thread:2', 'thread:3']);
    expect(await collect(onProcess)).toEqual(['process:1', 'process:2', 'process:3']);
  });

  it("'auto' routes a generator function like any function of its kind, and inspect says so", async () => {
    const asyncGen = inspect(G.ticksAuto);
    expect(asyncGen).toMatchObject({ kind: 'async', executor: 'loop', rule: 'async', generator: true });
    expect(asyncGen.reason).toContain('generator function: each call returns a stream of what it yields, produced on the event loop');
    const blocking = inspect(G.linesAuto);
    expect(blocking).toMatchObject({ kind: 'io', executor: 'thread', generator: true });
    expect(blocking.reason).toContain('produced in a worker of the thread pool');
    expect(inspect(G.countOnProcess)).toMatchObject({ executor: 'process', rule: 'option', generator: true });
    expect(inspect(unsync((x: number) => x)).generator).toBe(false);
    expect(await collect(G.ticksAuto(3))).toEqual([0, 1, 2]);
    const file = path.join(dir, 'lines.txt');
    fs.writeFileSync(file, 'abc');
    const stream = G.linesAuto([file, file]);
    expect(stream.executor).toBe('thread');
    expect(await collect(stream)).toEqual([3, 3]);
  });

  it('leaving the loop early stops the generator in the worker: its finally runs there', async () => {
    const file = traceFile();
    const seen: number[] = [];
    for await (const value of G.endlessOnThread(file)) {
      seen.push(value);
      if (value === 2) break;
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(linesOf(file).at(-1)).toBe('finally');
  });

  it('an error arrives after every value yielded before it, with its class', async () => {
    const seen: number[] = [];
    const error = await errorOf(
      (async () => {
        for await (const value of G.failAfterOnProcess(3)) seen.push(value);
      })(),
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('failed after 3');
  });

  it('generator methods, static and instance, stream from their pools; asStream types them', async () => {
    const up = asStream(G.Sequences.upTo(3));
    expect(up.executor).toBe('thread');
    expect(await collect(up)).toEqual([1, 2, 3]);
    const multiples = asStream(new G.Sequences(5).multiples(3));
    expect(multiples.executor).toBe('process');
    expect(await collect(multiples)).toEqual([5, 10, 15]);
    expect(() => asStream((function* () {})())).toThrow(/an UnsyncStream/);
  });

  it('.with({ highWaterMark }) bounds how far the worker runs ahead of the consumer', async () => {
    const file = traceFile();
    const stream = G.endlessOnThread.with({ highWaterMark: 2 })(file);
    // Nothing consumed: the worker yields 2 values, then waits for credit.
    await lines(file, 2);
    expect((await stream.next()).value).toBe(0);
    await lines(file, 3);
    expect(linesOf(file).length).toBeLessThanOrEqual(3);
    await stream.return();
    expect(linesOf(file).at(-1)).toBe('finally');
  });

  it('.with({ executor }) moves the stream, and `name` names its call', async () => {
    expect(await collect(G.countOnThread.with({ executor: 'loop' })(2))).toEqual(['main:1', 'main:2']);
    expect(await collect(G.countOnLoop.with({ executor: 'process' })(2))).toEqual(['process:1', 'process:2']);
    const named = G.countOnThread.with({ name: 'counter' });
    expect(await collect(named(1))).toEqual(['thread:1']);
  });

  it('a signal aborted before the call: the stream is cancelled and nothing runs', async () => {
    const controller = new AbortController();
    controller.abort();
    const file = traceFile();
    const calls = statistics().decorated.find((d) => d.name === 'endlessOnThread')?.calls.thread ?? 0;
    const stream = G.endlessOnThread.with({ signal: controller.signal })(file);
    expect(stream.executor).toBe('thread');
    expect(isCancelledError(await errorOf(stream.next()))).toBe(true);
    expect(statistics().decorated.find((d) => d.name === 'endlessOnThread')?.calls.thread ?? 0).toBe(calls);
    expect(linesOf(file)).toEqual([]);
  });

  it('a signal aborted while the stream runs stops the generator (thread and loop)', async () => {
    const controller = new AbortController();
    const file = traceFile();
    const stream = G.endlessOnThread.with({ signal: controller.signal, highWaterMark: 1 })(file);
    expect((await stream.next()).value).toBe(0);
    controller.abort();
    await stream.done();
    expect(linesOf(file).at(-1)).toBe('finally');
    const loopController = new AbortController();
    const loopFile = traceFile();
    const onLoop = G.stuckOnLoop.with({ signal: loopController.signal })(loopFile);
    expect((await onLoop.next()).value).toBe(1);
    loopController.abort();
    await onLoop.done();
    expect(linesOf(loopFile)).toEqual(['finally']);
    expect(isCancelledError(await errorOf(onLoop.next()))).toBe(true);
  });

  it('a timeout stops a stream on the loop and on a thread with TimeoutError', async () => {
    const loopFile = traceFile();
    const onLoop = G.stuckOnLoop.with({ timeout: 30 })(loopFile);
    expect((await onLoop.next()).value).toBe(1);
    // The consumer gets the TimeoutError at once; the generator, awaiting inside, ends (its
    // finally runs) when that await is done: an await on the loop is not interrupted.
    expect(isTimeoutError(await errorOf(onLoop.next()))).toBe(true);
    expect(linesOf(loopFile)).toEqual([]);
    await onLoop.done();
    expect(linesOf(loopFile)).toEqual(['finally']);
    const file = traceFile();
    const onThread = G.endlessOnThread.with({ timeout: 50, highWaterMark: 1 })(file);
    expect((await onThread.next()).value).toBe(0);
    await onThread.done();
    expect(isTimeoutError(await errorOf(collect(onThread)))).toBe(true);
  });

  it('withOptions() takes a generator method, and highWaterMark only a generator', () => {
    expect(() => withOptions(G.Sequences.upTo, { highWaterMark: 4 })).not.toThrow();
    expect(() => unsync((x: number) => x).with({ highWaterMark: 4 })).toThrow(/applies to generator functions only/);
  });
});
