/**
 * `fn.with(options)` on decorated functions and `toThread.with` / `toProcess.with`: per-call
 * signal, timeout, executor and name, validated at `.with()` time; calls not made through
 * `.with()` are unaffected.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  isCancelledError,
  isTimeoutError,
  shutdown,
  sleep,
  statistics,
  toProcess,
  toThread,
  unsync,
  withOptions,
} from '../../src';
import { errorOf } from '../helpers/async';
import * as W from '../fixtures/with-functions';
import * as C from '../fixtures/cooperative-functions';

afterAll(() => shutdown());

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-with-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function traceFile(): string {
  return path.join(dir, `trace-${++n}.txt`);
}
function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}
/** Calls of the decorated function `name` so far, wherever they ran. */
function callsOf(name: string): number {
  const entry = statistics().decorated.find((d) => d.name === name);
  return Object.values(entry?.calls ?? {}).reduce((a: number, b) => a + (b ?? 0), 0);
}
/** Resolve once `file` has the line `line` (a worker wrote it). */
async function traced(file: string, line: string): Promise<void> {
  while (!lines(file).includes(line)) await sleep(5);
}

describe('fn.with(options)', () => {
  it('keeps name and length, and leaves calls made without it as they were', async () => {
    const w = W.whereThread.with({ executor: 'loop' });
    expect(w.name).toBe('whereThread');
    expect(w.length).toBe(1);
    expect(await w('a')).toBe('a@main');
    expect(await W.whereThread('b')).toBe('b@thread');
  });

  it('sends a call to the executor it names: loop, thread or process', async () => {
    const onLoop = W.whereThread.with({ executor: 'loop' })('x');
    expect(onLoop.executor).toBe('loop');
    const onProcess = W.whereThread.with({ executor: 'process' })('y');
    expect(onProcess.executor).toBe('process');
    expect(await onProcess).toBe('y@process');
    const file = traceFile();
    const onThread = W.tracedOnLoop.with({ executor: 'thread' })(file);
    expect(onThread.executor).toBe('thread');
    expect(await onThread).toBe('thread');
    expect(await onLoop).toBe('x@main');
  });

  it('names the call', async () => {
    const f = W.whereThread.with({ name: 'where-1' })('n');
    expect(f.getName()).toBe('where-1');
    await f;
    const g = W.sleepLongOnThread.with({ executor: 'loop', name: 'sleeper' })(traceFile());
    expect(g.getName()).toBe('sleeper');
    g.cancel();
    await errorOf(g);
  });

  it('a signal aborted before the call: the Unfuture is cancelled and nothing runs', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    const file = traceFile();
    const before = [callsOf('tracedOnLoop'), callsOf('tracedOnProcess')];
    const onLoop = W.tracedOnLoop.with({ signal: controller.signal })(file);
    const onProcess = W.tracedOnProcess.with({ signal: controller.signal })(file);
    for (const f of [onLoop, onProcess]) {
      expect(f.cancelled()).toBe(true);
      const error = await errorOf(f);
      expect(isCancelledError(error)).toBe(true);
      expect((error as Error).message).toContain('gone');
    }
    expect(onProcess.executor).toBe('process');
    const after = [callsOf('tracedOnLoop'), callsOf('tracedOnProcess')];
    expect(after).toEqual(before);
    expect(lines(file)).toEqual([]);
  });

  it('a signal aborted during a thread call cancels it there: its finally runs', async () => {
    const controller = new AbortController();
    const file = traceFile();
    const f = W.sleepLongOnThread.with({ signal: controller.signal })(file);
    await traced(file, 'started');
    controller.abort();
    expect(isCancelledError(await errorOf(f))).toBe(true);
    expect(f.cancelled()).toBe(true);
    await traced(file, 'finally');
    expect(lines(file)).toEqual(['started', 'finally']);
  });

  it('a signal aborted during a loop task cancels it at its await', async () => {
    const controller = new AbortController();
    const file = traceFile();
    const f = W.sleepLongOnThread.with({ executor: 'loop', signal: controller.signal })(file);
    await traced(file, 'started');
    controller.abort();
    expect(isCancelledError(await errorOf(f))).toBe(true);
    expect(lines(file)).toEqual(['started', 'finally']);
  });

  it('a signal that aborts after the call settled changes nothing', async () => {
    const controller = new AbortController();
    const f = W.whereThread.with({ signal: controller.signal })('s');
    expect(await f).toBe('s@thread');
    controller.abort();
    expect(f.cancelled()).toBe(false);
    expect(f.result()).toBe('s@thread');
  });

  it('a timeout given to .with() overrides the decorator\'s, and null removes it', async () => {
    const file = traceFile();
    const f = W.sleepLongOnThread.with({ timeout: 50 })(file);
    expect(isTimeoutError(await errorOf(f))).toBe(true);
    const spin = await import('../fixtures/decorated-functions');
    // spinOnThreadWithTimeout has timeout: 200; with null it would spin forever, so cancel it.
    const g = spin.spinOnThreadWithTimeout.with({ timeout: null })();
    const h = spin.spinOnThreadWithTimeout();
    expect(isTimeoutError(await errorOf(h))).toBe(true);
    expect(g.done()).toBe(false);
    g.cancel();
    expect(isCancelledError(await errorOf(g))).toBe(true);
  });

  it('.with() of a .with() function merges: the later options win', async () => {
    const w = W.whereThread.with({ executor: 'loop', name: 'first' }).with({ name: 'second' });
    const f = w('m');
    expect(f.executor).toBe('loop');
    expect(f.getName()).toBe('second');
    expect(await w.with({ executor: 'thread' })('t')).toBe('t@thread');
  });

  it('a static method called through .with() keeps its class as this', async () => {
    expect(await withOptions(W.Shapes.sidesTimes, { name: 's' })(3)).toBe(12);
    expect(await (W.Shapes.sidesTimes as unknown as typeof W.whereThread).with({ name: 's' })('2' as never)).toBe(8);
  });

  it('an instance method called through .with() uses the this it is called with', async () => {
    class Counter {
      constructor(readonly base: number) {}
      @unsync({ executor: 'loop' })
      plus(n: number): number {
        return this.base + n;
      }
    }
    const c = new Counter(10);
    expect(await withOptions(c.plus, { name: 'plus' }).call(c, 5)).toBe(15);
  });

  it('validates options at .with() time, listing the valid ones', () => {
    expect(() => W.whereThread.with({ exector: 'thread' } as never)).toThrow(
      /Unknown option `exector` in `options`; valid options are: `signal`, `timeout`, `name`, `highWaterMark`, `executor`/,
    );
    expect(() => W.whereThread.with({ executor: 'gpu' } as never)).toThrow(TypeError);
    expect(() => W.whereThread.with({ executor: 'auto' } as never)).toThrow(/one of 'loop', 'thread', 'process'/);
    expect(() => W.whereThread.with({ timeout: 0 })).toThrow(RangeError);
    expect(() => W.whereThread.with({ timeout: '5' } as never)).toThrow(TypeError);
    expect(() => W.whereThread.with({ signal: {} } as never)).toThrow(/Expected `options.signal` to be an AbortSignal/);
    expect(() => W.whereThread.with({ name: '' })).toThrow(TypeError);
    expect(() => W.whereThread.with({ highWaterMark: 4 })).toThrow(/applies to generator functions only/);
    expect(() => W.whereThread.with(undefined as never)).toThrow(/Expected `options` to be an options object/);
    expect(() => withOptions((() => 1) as never, {})).toThrow(/decorated with @unsync/);
  });
});

describe('toThread.with / toProcess.with', () => {
  it('apply a timeout and a name to each call', async () => {
    const file = traceFile();
    const f = toThread.with({ timeout: 50, name: 'sleeper' })(C.sleepLong, file);
    expect(f.getName()).toBe('sleeper');
    expect(isTimeoutError(await errorOf(f))).toBe(true);
    const g = toProcess.with({ name: 'who' })(C.workerId);
    expect(g.getName()).toBe('who');
    expect(await g).toMatch(/^\d+:0$/);
  });

  it('a signal aborted before the call: cancelled, nothing submitted', async () => {
    const controller = new AbortController();
    controller.abort();
    const thread = toThread.with({ signal: controller.signal });
    await toThread(C.workerId); // the pool exists: its statistics count what reaches it
    const before = statistics().executors.thread!;
    const f = thread(C.workerId);
    expect(f.cancelled()).toBe(true);
    expect(f.executor).toBe('thread');
    const after = statistics().executors.thread!;
    expect(after.completed + after.cancelled + after.queued + after.running).toBe(before.completed + before.cancelled + before.queued + before.running);
  });

  it('a signal aborted during a process call cancels it there', async () => {
    const controller = new AbortController();
    const file = traceFile();
    const f = toProcess.with({ signal: controller.signal })(C.sleepLong, file);
    await traced(file, 'started');
    controller.abort();
    expect(isCancelledError(await errorOf(f))).toBe(true);
    await traced(file, 'finally');
  });

  it('validate options at .with() time', () => {
    expect(() => toThread.with({ executor: 'thread' } as never)).toThrow(/valid options are: `signal`, `timeout`, `name`, `highWaterMark`$/);
    expect(() => toProcess.with({ timeout: -1 })).toThrow(RangeError);
    expect(() => toThread.with({ highWaterMark: 0 })).toThrow(RangeError);
    expect(() => toThread.with({ highWaterMark: 2 })(C.workerId)).toThrow(/applies to generator functions only/);
  });
});
