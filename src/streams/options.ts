/**
 * Option and callback types of the streams area, kept apart from the logic. The reader's
 * and writer's own constants and names (`DEFAULT_LIMIT`, `ExtraInfoName`) live in their
 * files: those import nothing from here, so this module may name their classes.
 */
import type { AddressInfo } from 'node:net';
import type { StreamReader } from './stream-reader';
import type { StreamWriter } from './stream-writer';

/** Options for {@link openConnection} (and `openTcpStream`). */
export interface OpenConnectionOptions {
  /**
   * Abort the connection attempt: the socket is destroyed and the call rejects with
   * `signal.reason`. Only the attempt is covered; the open connection ignores the signal.
   */
  signal?: AbortSignal;
  /** Give up after this many milliseconds with a `TimeoutError`; `<= 0` expires at once. */
  timeout?: number | null;
  /** The reader's buffer limit in bytes (default 64 KiB). */
  limit?: number;
}

/** Options for {@link startServer}. */
export interface StartServerOptions {
  /** Each connection reader's buffer limit in bytes (default 64 KiB). */
  limit?: number;
}

/** A connection handler of {@link startServer}; runs as its own task. */
export type ConnectionHandler = (reader: StreamReader, writer: StreamWriter) => unknown;

/** A reader and writer of one connection. */
export interface StreamPair {
  /** The receiving side. */
  readonly reader: StreamReader;
  /** The sending side. */
  readonly writer: StreamWriter;
}

/** Node's address triple, as returned by `server.address()` and `getExtraInfo('peername')`. */
export type { AddressInfo };
