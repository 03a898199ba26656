/**
 * `StreamReader`: asyncio's stream reader over a byte buffer that a socket feeds.
 *
 * Every read is a small *attempt* function that either completes from the buffer, throws,
 * or answers WAIT. A read that has to wait parks as the single pending read (asyncio allows
 * one reader at a time) and its attempt is re-run on every feed. The pending read is a
 * producer-owned Unfuture: cancelling it (or the task awaiting it) just drops the attempt,
 * and no buffered byte is lost.
 */
import { InvalidStateError } from '../core/errors';
import { IncompleteReadError, LimitOverrunError, isIncompleteReadError, isLimitOverrunError } from '../core/stream-errors';
import { Unfuture } from '../core/future';
import { cancelFuture, pendingFuture, rejectFuture, resolveFuture } from '../core/future-internal';
import { assertInteger, assertOptions } from '../core/validate';
import { ByteBuffer } from './byte-buffer-internal';
import { failedFuture } from './future-helpers-internal';
import { toBuffer } from './socket-errors-internal';

/** The reader's default buffer limit: 64 KiB, as in asyncio. */
export const DEFAULT_LIMIT = 64 * 1024;

/** What a reader needs from its transport to apply backpressure. */
export interface ReaderFlowControl {
  /** Stop delivering data: the reader's buffer is over its limit. */
  pause(): void;
  /** Deliver data again: the buffer drained below the limit. */
  resume(): void;
}

/** Options for `new StreamReader()`. */
export interface StreamReaderOptions {
  /** Buffer limit in bytes (default 64 KiB): backpressure threshold and `readuntil` bound. */
  limit?: number;
}

const WAIT: unique symbol = Symbol('wait');
type Attempt<T> = () => T | typeof WAIT;

let attachFlow: (reader: StreamReader, flow: ReaderFlowControl) => void;
let unread: (reader: StreamReader, data: Buffer) => void;

/** Connect `reader` to its transport's pause/resume. Internal API (used by the socket wiring). */
export function attachFlowControl(reader: StreamReader, flow: ReaderFlowControl): void {
  attachFlow(reader, flow);
}

/**
 * Put `data`, which a completed read took, back at the front of the buffer: a wrapper
 * future (receiveSome) that was cancelled after its read completed hands the bytes back
 * instead of losing them. Internal API.
 */
export function unreadData(reader: StreamReader, data: Buffer): void {
  unread(reader, data);
}

/**
 * Reads bytes from a connection (asyncio's `StreamReader`). Get one from `openConnection`
 * or a `startServer` handler; `new StreamReader()` plus `feedData` / `feedEof` gives a
 * detached reader (useful in tests).
 *
 * Only one read may wait at a time; a second concurrent read rejects with
 * `InvalidStateError`. Every read returns an Unfuture: cancelling it (or the task awaiting
 * it) leaves the buffered data in place for the next read.
 *
 * Backpressure: once `limit` bytes are buffered and no read is waiting, the socket is
 * paused; it resumes when the buffer drops below `limit` or a read needs more bytes (so a
 * `readexactly(n)` with `n > limit` still completes).
 *
 * @example
 * const { reader, writer } = await openConnection('127.0.0.1', port);
 * for await (const line of reader) console.log(line.toString().trimEnd());
 */
export class StreamReader {
  readonly #buffer = new ByteBuffer();
  readonly #limit: number;
  #eof = false;
  #exception: Error | undefined = undefined;
  // Invariant: at most one pending read; its attempt answered WAIT at the last feed.
  #pending: (() => void) | undefined = undefined;
  #flow: ReaderFlowControl | undefined = undefined;
  // Invariant: #paused is true exactly while #flow.pause() is in effect.
  #paused = false;

  static {
    attachFlow = (reader, flow) => {
      reader.#flow = flow;
      reader.#updateFlow();
    };
    unread = (reader, data) => {
      reader.#buffer.unshift(data);
      reader.#wake();
    };
  }

  constructor(options?: StreamReaderOptions) {
    assertOptions('options', options, ['limit']);
    const limit = options?.limit ?? DEFAULT_LIMIT;
    assertInteger('options.limit', limit, 1);
    this.#limit = limit;
  }

  /** The buffer limit in bytes. */
  get limit(): number {
    return this.#limit;
  }

  /** Bytes received and not read yet. */
  get bufferedSize(): number {
    return this.#buffer.size;
  }

  /** True while backpressure has the transport paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /** True once EOF was fed and the buffer is empty (asyncio's `at_eof`). */
  atEof(): boolean {
    return this.#eof && this.#buffer.size === 0;
  }

  /** The error set by `setException` (a reset connection), or `undefined`. */
  exception(): Error | undefined {
    return this.#exception;
  }

  // ---- protocol side: the socket wiring calls these -------------------------------

  /** Append received bytes and wake the pending read. */
  feedData(data: Buffer | Uint8Array | string): void {
    if (this.#eof) return; // bytes after EOF cannot happen on TCP; ignore rather than corrupt.
    this.#buffer.push(toBuffer('data', data));
    this.#wake();
  }

  /** Mark the end of the stream and wake the pending read. Idempotent. */
  feedEof(): void {
    if (this.#eof) return;
    this.#eof = true;
    this.#wake();
  }

  /** Fail the pending read and every later read with `error` (kept for good). */
  setException(error: Error): void {
    if (this.#exception !== undefined) return;
    this.#exception = error;
    this.#wake();
  }

  // ---- reads ----------------------------------------------------------------------

  /**
   * Read up to `n` bytes; with `n < 0` (the default) read until EOF. Waits only when the
   * buffer is empty; resolves to an empty Buffer at EOF.
   */
  read(n = -1): Unfuture<Buffer> {
    assertInteger('n', n);
    if (n === 0) return Unfuture.fromValue(Buffer.alloc(0));
    return this.#operation(() => {
      this.#throwIfFailed();
      if (n < 0) return this.#eof ? this.#buffer.takeAll() : WAIT;
      if (this.#buffer.size > 0) return this.#buffer.take(n);
      return this.#eof ? Buffer.alloc(0) : WAIT;
    });
  }

  /**
   * Read exactly `n` bytes. Rejects with `IncompleteReadError` (its `partial` holds what
   * was read, now consumed) when EOF comes first.
   */
  readexactly(n: number): Unfuture<Buffer> {
    assertInteger('n', n, 0);
    return this.#operation(() => {
      this.#throwIfFailed();
      if (this.#buffer.size >= n) return this.#buffer.take(n);
      if (this.#eof) throw new IncompleteReadError(this.#buffer.takeAll(), n);
      return WAIT;
    });
  }

  /**
   * Read up to and including `separator` (default `'\n'`).
   *
   * Rejects with `IncompleteReadError` (`partial`: everything left, consumed) on EOF before
   * the separator, and with `LimitOverrunError` when the separator is not within `limit`
   * bytes; then the data stays buffered and `error.consumed` says how much to skip.
   */
  readuntil(separator: Buffer | Uint8Array | string = '\n'): Unfuture<Buffer> {
    const sep = toBuffer('separator', separator);
    if (sep.length === 0) throw new RangeError('Expected `separator` to be at least one byte long, got an empty one');
    return this.#operation(this.#untilAttempt(sep));
  }

  /**
   * Read one `\n`-terminated line. At EOF returns what is left (possibly empty, never
   * throws `IncompleteReadError`). On a line longer than `limit` it discards the line (or
   * the overrun data) and rejects with `LimitOverrunError`, so the next line can be read.
   */
  readline(): Unfuture<Buffer> {
    const sep = Buffer.from('\n');
    const until = this.#untilAttempt(sep);
    return this.#operation(() => {
      try {
        return until();
      } catch (error) {
        if (isIncompleteReadError(error)) return error.partial;
        if (isLimitOverrunError(error)) {
          const data = this.#buffer.flatten();
          if (data.subarray(error.consumed, error.consumed + 1).equals(sep)) this.#buffer.discard(error.consumed + 1);
          else this.#buffer.takeAll();
        }
        throw error;
      }
    });
  }

  /** Iterate over lines (`readline()`) until EOF: `for await (const line of reader)`. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    const iterator = {
      next: () =>
        this.readline().then((line): IteratorResult<Buffer> =>
          line.length === 0 ? { done: true, value: undefined } : { done: false, value: line },
        ) as unknown as Promise<IteratorResult<Buffer>>,
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  // ---- private steps ----------------------------------------------------------------

  #throwIfFailed(): void {
    if (this.#exception !== undefined) throw this.#exception;
  }

  /** The attempt of `readuntil(sep)`; remembers where the next search starts. */
  #untilAttempt(sep: Buffer): Attempt<Buffer> {
    let offset = 0;
    return () => {
      this.#throwIfFailed();
      const data = this.#buffer.flatten();
      const found = data.indexOf(sep, offset);
      if (found >= 0) {
        if (found > this.#limit) throw new LimitOverrunError('Separator is found, but chunk is longer than limit', found);
        return this.#buffer.take(found + sep.length);
      }
      offset = Math.max(0, data.length + 1 - sep.length);
      if (offset > this.#limit) throw new LimitOverrunError('Separator is not found, and chunk exceed the limit', offset);
      if (this.#eof) throw new IncompleteReadError(this.#buffer.takeAll(), null);
      return WAIT;
    };
  }

  /** Complete `attempt` now, or park it as the pending read. */
  #operation<T>(attempt: Attempt<T>): Unfuture<T> {
    if (this.#pending !== undefined) {
      return failedFuture(new InvalidStateError('another read is already waiting for data on this StreamReader'));
    }
    let first: T | typeof WAIT;
    try {
      first = attempt();
    } catch (error) {
      this.#updateFlow();
      return failedFuture(error);
    }
    if (first !== WAIT) {
      this.#updateFlow();
      return Unfuture.fromValue(first);
    }
    const future = pendingFuture<T>({
      onCancel: (message) => {
        if (this.#pending === retry) this.#pending = undefined;
        this.#updateFlow();
        cancelFuture(future, message);
      },
    });
    const retry = (): void => {
      let outcome: T | typeof WAIT;
      try {
        outcome = attempt();
      } catch (error) {
        this.#pending = undefined;
        rejectFuture(future, error);
        return;
      }
      if (outcome === WAIT) return;
      this.#pending = undefined;
      resolveFuture(future, outcome);
    };
    this.#pending = retry;
    this.#updateFlow();
    return future;
  }

  #wake(): void {
    this.#pending?.();
    this.#updateFlow();
  }

  /** Pause when the buffer is full and nobody waits for more; resume otherwise. */
  #updateFlow(): void {
    if (this.#flow === undefined) return;
    const full = this.#buffer.size >= this.#limit && this.#pending === undefined && !this.#eof;
    if (full && !this.#paused) {
      this.#paused = true;
      this.#flow.pause();
    } else if (!full && this.#paused) {
      this.#paused = false;
      this.#flow.resume();
    }
  }
}
