/** Types of `./error-codec.cjs` (see that file for the behaviour). */

/** An error (or any thrown value) in a form that survives structured clone. */
export type EncodedError = EncodedErrorRecord | EncodedThrownValue;

/** A thrown `Error`, field by field. */
export interface EncodedErrorRecord {
  readonly kind: 'error';
  /** `error.constructor.name` in the worker. */
  readonly ctor: string;
  /** `error.name` in the worker. */
  readonly name: string;
  /** The unsync brand (`'CancelledError'`, …) when the error is one of unsync's. */
  readonly brand?: string;
  readonly message: string;
  /** The worker-side stack text. */
  readonly stack?: string;
  readonly cause?: EncodedError;
  /** `AggregateError#errors`. */
  readonly errors?: readonly EncodedError[];
  /** Own enumerable properties (`code`, `errno`, …). */
  readonly props?: Readonly<Record<string, EncodedError>>;
}

/** A thrown non-error value (cloned, or its `String()` when it cannot be cloned). */
export interface EncodedThrownValue {
  readonly kind: 'value';
  readonly value: unknown;
}

/** What `decodeError` needs from the caller. */
export interface DecodeContext {
  /** unsync's branded classes by brand name (built from `src/core/errors.ts`). */
  readonly branded: Readonly<Record<string, new (...args: never[]) => Error>>;
  /** The class for errors of unknown custom classes. */
  readonly RemoteError: new (...args: never[]) => Error;
  /** The caller's stack captured at submit time (its first line is dropped). */
  readonly localStack?: string;
}

/** Encode anything thrown. Never throws. */
export declare function encodeError(error: unknown): EncodedError;
/** Rebuild an encoded error with the caller's constructors (a thrown non-error comes back as itself). */
export declare function decodeError(record: EncodedError, context: DecodeContext): unknown;
/** The first value that cannot be structured-cloned: index, path inside it, V8's error. */
export declare function findUncloneable(
  values: readonly unknown[],
): { readonly index: number; readonly path: string; readonly reason: unknown } | undefined;
/** The line that separates the local stack from the worker's in a decoded error. */
export declare const WORKER_STACK_MARK: string;
