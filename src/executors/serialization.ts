/**
 * The caller's side of the boundary crossing: rebuild errors with this realm's classes and
 * explain values that cannot be cloned. The codec itself is `./worker/error-codec.cjs`, shared
 * with the worker bootstrap, so there is exactly one encode/decode pair.
 */
import { CloneError, RemoteError } from '../core/executor-errors';
import { brandedErrorClasses as branded } from './branded-errors';
import { decodeError, findUncloneable, type DecodeContext, type EncodedError } from './worker/error-codec.cjs';

/**
 * Rebuild an error that crossed from a worker (or any transport that carries an
 * `EncodedError`): the caller's own class when it can be found (registered with
 * `registerErrorClass`, exported by a module loaded here, unsync's, built-in), else a
 * `RemoteError`; with the `localStack` (captured when the call was submitted) followed by
 * the worker's stack. The rules are in docs/errors.md.
 */
export function decodeWorkerError(record: EncodedError, localStack?: string): unknown {
  const context: DecodeContext = { branded, RemoteError, localStack };
  return decodeError(record, context);
}

/**
 * A `CloneError` naming the first of `args` that cannot be structured-cloned and why, or
 * `undefined` when all of them clone. `label` names the call (`fib`).
 */
export function argumentCloneError(label: string, args: readonly unknown[]): CloneError | undefined {
  const found = findUncloneable(args);
  if (found === undefined) return undefined;
  const what = `argument ${found.index + 1}`;
  const where = found.path ? ` (at ${found.path})` : '';
  const why = found.reason instanceof Error || (found.reason as { message?: unknown })?.message ? (found.reason as Error).message : String(found.reason);
  return new CloneError(`${what} of \`${label}\` cannot be sent to a worker${where}: ${why}`, what, { cause: found.reason });
}
