/** Types of `./error-codec.cjs` (see that file for the behaviour). */

// The encoded shapes are wire shapes (an `ErrorMessage` carries one): declared in ./wire.d.cts.
import type { EncodedError } from './wire.cjs';
export type { EncodedError, EncodedErrorRecord, EncodedErrorOrigin, EncodedThrownValue } from './wire.cjs';

/** What `decodeError` needs from the caller. */
export interface DecodeContext {
  /** unsync's branded classes by brand name (`src/executors/branded-errors.ts`). */
  readonly branded: Readonly<Record<string, new (...args: never[]) => Error>>;
  /** The class for errors of unknown custom classes. */
  readonly RemoteError: new (...args: never[]) => Error;
  /** The caller's stack captured at submit time (its first line is dropped). */
  readonly localStack?: string;
}

/** Encode anything thrown, naming where its class can be found (`origin`). Never throws. */
export declare function encodeError(error: unknown): EncodedError;
/**
 * Rebuild an encoded error with the caller's class: registered, exported by a module the
 * caller has loaded (never loaded here), unsync's, built-in, else `context.RemoteError`.
 * A thrown non-error comes back as itself.
 */
export declare function decodeError(record: EncodedError, context: DecodeContext): unknown;
/** The first value that cannot be structured-cloned: index, path inside it, V8's error. */
export declare function findUncloneable(
  values: readonly unknown[],
): { readonly index: number; readonly path: string; readonly reason: unknown } | undefined;
/** The line that separates the local stack from the worker's in a decoded error. */
export declare const WORKER_STACK_MARK: string;
