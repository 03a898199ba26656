/**
 * Turning Node's socket errors into unsync's stream errors, in one place.
 */
import { ConnectionResetError } from '../core/stream-errors';
import { expected } from '../core/validate';

// Error codes that mean "the peer broke the connection".
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** A `ConnectionResetError` for a peer reset (with the Node error as `cause`), else `error` itself. */
export function translateSocketError(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && RESET_CODES.has(code)) {
    return new ConnectionResetError(`connection reset by peer (${code})`, { cause: error, code });
  }
  return error;
}

/** Normalise `data` to a Buffer, or throw the standard `TypeError`. */
export function toBuffer(name: string, data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  throw new TypeError(expected(name, 'a Buffer, Uint8Array or string', data));
}
