/**
 * The errors of the streams (src/streams): asyncio's `IncompleteReadError`,
 * `LimitOverrunError` and `ConnectionResetError` for `StreamReader` / `StreamWriter`, and
 * Trio's `ClosedResourceError` / `BrokenResourceError` for `SocketStream`. Branded like
 * every unsync error (`./errors.ts`).
 */
import { defineBrand, hasErrorBrand } from './errors';

/**
 * The stream ended before a read got what it asked for: thrown by `readexactly(n)` when
 * EOF comes first, and by `readuntil(sep)` when EOF comes before the separator (asyncio's
 * `IncompleteReadError`). `partial` holds the bytes that were read (and consumed);
 * `expected` is the byte count asked for, or `null` for `readuntil`.
 *
 * Compare {@link LimitOverrunError}: there the data is still coming but is too long, and
 * nothing was consumed.
 */
export class IncompleteReadError extends Error {
  /** The bytes read before EOF (already removed from the reader's buffer). */
  readonly partial: Buffer;
  /** How many bytes were expected, or `null` when reading up to a separator. */
  readonly expected: number | null;
  constructor(partial: Buffer, expected: number | null, options?: ErrorOptions) {
    const wanted = expected === null ? 'undefined' : String(expected);
    super(`${partial.length} bytes read on a total of ${wanted} expected bytes`, options);
    this.partial = partial;
    this.expected = expected;
    defineBrand(this, 'IncompleteReadError');
  }
}

/**
 * `readuntil(sep)` / `readline()` hit the reader's buffer `limit` before finding the
 * separator, or found it beyond the limit (asyncio's `LimitOverrunError`). `consumed` is
 * how many bytes to skip to get past the data that was looked at. `readuntil` leaves the
 * data in the buffer; `readline` discards it before throwing, so the next line can be read.
 *
 * Compare {@link IncompleteReadError}: there the stream ended; here it did not.
 */
export class LimitOverrunError extends Error {
  /** Number of bytes to consume to skip the overrun data. */
  readonly consumed: number;
  constructor(message: string, consumed: number, options?: ErrorOptions) {
    super(message, options);
    this.consumed = consumed;
    defineBrand(this, 'LimitOverrunError');
  }
}

/**
 * The peer reset or aborted the connection (`ECONNRESET`, `EPIPE`, `ECONNABORTED`):
 * thrown by the next read, write or drain on an asyncio-style `StreamReader` /
 * `StreamWriter`. `code` is Node's error code and `cause` the original Node error.
 *
 * Compare {@link ClosedResourceError} (your own code closed the stream) and
 * {@link BrokenResourceError} (what the Trio-style `SocketStream` throws for the same event).
 */
export class ConnectionResetError extends Error {
  /** Node's error code, e.g. `'ECONNRESET'`. */
  readonly code: string | undefined;
  constructor(message = 'connection reset by peer', options?: ErrorOptions & { code?: string }) {
    super(message, options);
    this.code = options?.code;
    defineBrand(this, 'ConnectionResetError');
  }
}

/**
 * Trio's `ClosedResourceError`: *your* code closed the resource and then tried to use it
 * (a write after `close()` / `writeEof()`, a `sendAll` after `aclose()`, or a receive that
 * was pending while another task closed the stream).
 *
 * Compare {@link BrokenResourceError}: something *outside* your code broke the resource.
 */
export class ClosedResourceError extends Error {
  constructor(message = 'the resource was closed', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'ClosedResourceError');
  }
}

/**
 * Trio's `BrokenResourceError`: the resource was broken by something outside your code,
 * typically the peer resetting a connection under a `SocketStream`. `cause` is the
 * underlying error (usually a {@link ConnectionResetError}). The stream cannot be used
 * again; close it.
 *
 * Compare {@link ClosedResourceError}: there your own code closed it.
 */
export class BrokenResourceError extends Error {
  constructor(message = 'the resource is broken', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'BrokenResourceError');
  }
}

/** True for an {@link IncompleteReadError} from any realm or thread. */
export const isIncompleteReadError = (e: unknown): e is IncompleteReadError =>
  hasErrorBrand(e, 'IncompleteReadError');
/** True for a {@link LimitOverrunError} from any realm or thread. */
export const isLimitOverrunError = (e: unknown): e is LimitOverrunError => hasErrorBrand(e, 'LimitOverrunError');
/** True for a {@link ConnectionResetError} from any realm or thread. */
export const isConnectionResetError = (e: unknown): e is ConnectionResetError =>
  hasErrorBrand(e, 'ConnectionResetError');
/** True for a {@link ClosedResourceError} from any realm or thread. */
export const isClosedResourceError = (e: unknown): e is ClosedResourceError =>
  hasErrorBrand(e, 'ClosedResourceError');
/** True for a {@link BrokenResourceError} from any realm or thread. */
export const isBrokenResourceError = (e: unknown): e is BrokenResourceError =>
  hasErrorBrand(e, 'BrokenResourceError');
