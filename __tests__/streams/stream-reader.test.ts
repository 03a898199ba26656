import { CancelledError, InvalidStateError } from '../../src/core/errors';
import {
  ConnectionResetError,
  IncompleteReadError,
  LimitOverrunError,
  isIncompleteReadError,
  isLimitOverrunError,
} from '../../src/core/stream-errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { StreamReader, attachFlowControl } from '../../src/streams/stream-reader';

const text = (b: Buffer): string => b.toString('latin1');

describe('StreamReader.read', () => {
  it('returns up to n bytes of what is buffered', async () => {
    const r = new StreamReader();
    r.feedData('hello world');
    expect(text(await r.read(5))).toBe('hello');
    expect(text(await r.read(100))).toBe(' world');
  });

  it('waits for data when the buffer is empty, and returns an empty buffer at EOF', async () => {
    const r = new StreamReader();
    const pending = r.read(10);
    expect(pending.done()).toBe(false);
    r.feedData('abc');
    expect(text(await pending)).toBe('abc');
    const atEnd = r.read(10);
    r.feedEof();
    expect((await atEnd).length).toBe(0);
    expect(r.atEof()).toBe(true);
  });

  it('reads everything until EOF with n = -1', async () => {
    const r = new StreamReader({ limit: 4 });
    const all = r.read();
    r.feedData('abcdef');
    r.feedData('ghij');
    expect(all.done()).toBe(false);
    r.feedEof();
    expect(text(await all)).toBe('abcdefghij');
  });

  it('returns an empty buffer for n = 0 without waiting', async () => {
    expect((await new StreamReader().read(0)).length).toBe(0);
  });

  it('rejects a second concurrent read with InvalidStateError', async () => {
    const r = new StreamReader();
    const first = r.read(1);
    await expect(r.read(1)).rejects.toBeInstanceOf(InvalidStateError);
    r.feedData('x');
    expect(text(await first)).toBe('x');
  });

  it('fails pending and later reads with the exception that was set', async () => {
    const r = new StreamReader();
    const pending = r.read(1);
    const reset = new ConnectionResetError();
    r.setException(reset);
    await expect(pending).rejects.toBe(reset);
    await expect(r.readline()).rejects.toBe(reset);
    expect(r.exception()).toBe(reset);
  });
});

describe('StreamReader cancellation', () => {
  it('keeps buffered data when a pending read is cancelled', async () => {
    const r = new StreamReader();
    const pending = r.readexactly(6);
    r.feedData('abc');
    expect(pending.cancel('stop')).toBe(true);
    await expect(pending).rejects.toBeInstanceOf(CancelledError);
    r.feedData('def');
    expect(text(await r.readexactly(6))).toBe('abcdef');
  });

  it('cancels the read a task is suspended on when the task is cancelled', async () => {
    const r = new StreamReader();
    const steps: string[] = [];
    const task = createTask(async () => {
      try {
        await r.readline();
        steps.push('read');
      } catch (error) {
        steps.push((error as Error).name);
        throw error;
      }
    });
    await sleep(0);
    task.cancel();
    await expect(task).rejects.toBeInstanceOf(CancelledError);
    expect(steps).toEqual(['CancelledError']);
    // The reader is free again: a new read may wait.
    r.feedData('next\n');
    expect(text(await r.readline())).toBe('next\n');
  });
});

describe('StreamReader.readexactly', () => {
  it('waits until exactly n bytes arrived, across chunks', async () => {
    const r = new StreamReader();
    const f = r.readexactly(5);
    r.feedData('ab');
    r.feedData('cdefg');
    expect(text(await f)).toBe('abcde');
    expect(r.bufferedSize).toBe(2);
  });

  it('throws IncompleteReadError with the partial bytes and expected count at EOF', async () => {
    const r = new StreamReader();
    r.feedData('abc');
    r.feedEof();
    const error = await r.readexactly(5).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isIncompleteReadError(error)).toBe(true);
    expect(error).toBeInstanceOf(IncompleteReadError);
    expect(text((error as IncompleteReadError).partial)).toBe('abc');
    expect((error as IncompleteReadError).expected).toBe(5);
    expect(r.atEof()).toBe(true);
  });

  it('rejects a negative count with RangeError', () => {
    expect(() => new StreamReader().readexactly(-1)).toThrow(RangeError);
  });
});

describe('StreamReader.readuntil', () => {
  it('returns data up to and including a multi-byte separator split across chunks', async () => {
    const r = new StreamReader();
    const f = r.readuntil('\r\n');
    r.feedData('GET / HTTP/1.1\r');
    r.feedData('\nHost: x\r\n');
    expect(text(await f)).toBe('GET / HTTP/1.1\r\n');
    expect(text(await r.readuntil('\r\n'))).toBe('Host: x\r\n');
  });

  it('throws IncompleteReadError (expected null) when EOF comes before the separator', async () => {
    const r = new StreamReader();
    r.feedData('no newline');
    r.feedEof();
    const error = (await r.readuntil().then(
      () => undefined,
      (e: unknown) => e,
    )) as IncompleteReadError;
    expect(error.name).toBe('IncompleteReadError');
    expect(text(error.partial)).toBe('no newline');
    expect(error.expected).toBeNull();
  });

  it('throws LimitOverrunError and leaves the data when no separator fits in the limit', async () => {
    const r = new StreamReader({ limit: 8 });
    r.feedData('0123456789');
    const error = (await r.readuntil('\n').then(
      () => undefined,
      (e: unknown) => e,
    )) as LimitOverrunError;
    expect(isLimitOverrunError(error)).toBe(true);
    expect(error.consumed).toBeGreaterThan(8);
    expect(r.bufferedSize).toBe(10);
  });

  it('throws LimitOverrunError when the separator is found beyond the limit', async () => {
    const r = new StreamReader({ limit: 4 });
    r.feedData('abcdefg\n');
    const error = (await r.readuntil('\n').then(
      () => undefined,
      (e: unknown) => e,
    )) as LimitOverrunError;
    expect(error).toBeInstanceOf(LimitOverrunError);
    expect(error.consumed).toBe(7);
    expect(text(await r.readexactly(8))).toBe('abcdefg\n');
  });

  it('rejects an empty separator with RangeError', () => {
    expect(() => new StreamReader().readuntil('')).toThrow(RangeError);
  });
});

describe('StreamReader.readline and iteration', () => {
  it('returns the rest at EOF instead of throwing', async () => {
    const r = new StreamReader();
    r.feedData('one\ntwo');
    r.feedEof();
    expect(text(await r.readline())).toBe('one\n');
    expect(text(await r.readline())).toBe('two');
    expect((await r.readline()).length).toBe(0);
  });

  it('discards an over-long line and can read the next one', async () => {
    const r = new StreamReader({ limit: 4 });
    r.feedData('toolongline\nok\n');
    await expect(r.readline()).rejects.toBeInstanceOf(LimitOverrunError);
    expect(text(await r.readline())).toBe('ok\n');
  });

  it('iterates over lines with for await until EOF', async () => {
    const r = new StreamReader();
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const line of r) seen.push(text(line));
    })();
    r.feedData('a\nb');
    r.feedData('\nc');
    r.feedEof();
    await consumer;
    expect(seen).toEqual(['a\n', 'b\n', 'c']);
  });
});

describe('StreamReader backpressure', () => {
  it('pauses the transport at the limit and resumes once drained below it', async () => {
    const r = new StreamReader({ limit: 10 });
    const calls: string[] = [];
    attachFlowControl(r, { pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    r.feedData('12345');
    expect(r.paused).toBe(false);
    r.feedData('67890');
    expect(r.paused).toBe(true);
    r.feedData('abc'); // the transport may still deliver a chunk already in flight
    expect(calls).toEqual(['pause']);
    expect(text(await r.read(6))).toBe('123456');
    expect(r.paused).toBe(false);
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('resumes while a read waits for more than the limit, so readexactly(n > limit) completes', async () => {
    const r = new StreamReader({ limit: 4 });
    const calls: string[] = [];
    attachFlowControl(r, { pause: () => calls.push('pause'), resume: () => calls.push('resume') });
    r.feedData('abcdef');
    expect(r.paused).toBe(true);
    const f = r.readexactly(10);
    expect(r.paused).toBe(false);
    r.feedData('ghij');
    expect(text(await f)).toBe('abcdefghij');
    expect(calls).toEqual(['pause', 'resume']);
  });
});
