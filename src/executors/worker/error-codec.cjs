'use strict';
// @ts-check
/**
 * The one encode/decode pair for values that cross a thread or process boundary.
 *
 * Plain CommonJS on purpose: the worker bootstrap (`./run-call.cjs`) must load it before
 * any TypeScript loader exists, and the caller imports the same file (typed by
 * `./error-codec.d.cts`), so both sides run exactly this code.
 *
 * - `encodeError(e)` (worker side) turns anything thrown into a structured-clone-safe
 *   record: class, unsync brand, message, stack, `cause` and `errors` (recursively), own
 *   enumerable properties such as `code`. A thrown non-error value travels as itself.
 * - `decodeError(record, context)` (caller side) rebuilds it with the *caller's*
 *   constructors: built-in classes from this module's realm (so `instanceof RangeError`
 *   holds inside jest's vm realm, where this file is loaded by jest), unsync's branded
 *   classes from `context.branded`, anything else as `context.RemoteError`.
 * - `findUncloneable(values)` says which value cannot be structured-cloned and why.
 *
 * It imports nothing but Node built-ins.
 */

/**
 * @typedef {import('./wire.cjs').EncodedError} EncodedError
 * @typedef {import('./wire.cjs').EncodedErrorRecord} EncodedErrorRecord
 * An error whose other properties (`code`, the brand, ...) are read as unknown.
 * @typedef {Error & { [key: string | symbol]: unknown }} ErrorLike
 * A class of error `decodeError` builds an instance of (never by running its constructor).
 * @typedef {new (...args: never[]) => Error} ErrorClass
 * What `decodeError` needs from the caller: `DecodeContext` in ./error-codec.d.cts (this file
 * cannot name its own declaration file: the architecture test counts that as a circle).
 * @typedef {{ readonly branded: Readonly<Record<string, ErrorClass>>, readonly RemoteError: ErrorClass, readonly localStack?: string }} DecodeContext
 */

const BRAND = Symbol.for('unsync.error.brand');
const BUILTIN = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']);
const SKIPPED_PROPS = new Set(['name', 'message', 'stack', 'cause', 'errors']);
const MAX_DEPTH = 8;
const WORKER_STACK_MARK = '    --- the call ran in a worker; its stack: ---';

/**
 * @param {unknown} value
 * @returns {value is ErrorLike}
 */
function isError(value) {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/**
 * @param {unknown} value
 * @returns {boolean}
 */
function cloneable(value) {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function describe(value) {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Encode a thrown value (an `EncodedError`). Never throws.
 * @param {unknown} error
 * @param {number} [depth] how deep in `cause`/`errors`/properties this value sits
 * @returns {EncodedError}
 */
function encodeError(error, depth = 0) {
  if (!isError(error) || depth > MAX_DEPTH) {
    return { kind: 'value', value: cloneable(error) ? error : describe(error) };
  }
  let ctor = 'Error';
  try {
    ctor = (error.constructor && error.constructor.name) || 'Error';
  } catch {
    /* a hostile getter: keep 'Error' */
  }
  /** @type {{ -readonly [K in keyof EncodedErrorRecord]: EncodedErrorRecord[K] }} */
  const record = {
    kind: 'error',
    ctor,
    name: safeString(error.name, ctor),
    message: safeString(error.message, ''),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
  };
  const brand = error[BRAND];
  if (typeof brand === 'string') record.brand = brand;
  if ('cause' in error) record.cause = encodeError(error.cause, depth + 1);
  if (Array.isArray(error.errors)) record.errors = error.errors.map((e) => encodeError(e, depth + 1));
  /** @type {Record<string, EncodedError>} */
  const props = {};
  let any = false;
  for (const key of Object.keys(error)) {
    if (SKIPPED_PROPS.has(key)) continue;
    let value;
    try {
      value = error[key];
    } catch {
      continue;
    }
    props[key] = encodeError(value, depth + 1);
    any = true;
  }
  if (any) record.props = props;
  return record;
}

/**
 * @param {unknown} value
 * @param {string} fallback
 * @returns {string}
 */
function safeString(value, fallback) {
  return typeof value === 'string' ? value : fallback;
}

/**
 * Rebuild what `encodeError` made, with the caller's constructors.
 * @param {EncodedError} record
 * @param {DecodeContext} context
 * @returns {unknown}
 */
function decodeError(record, context) {
  if (record === null || typeof record !== 'object' || record.kind !== 'error') {
    return record && record.kind === 'value' ? record.value : record;
  }
  const branded = (context && context.branded) || {};
  const RemoteError = context && context.RemoteError;
  /** @type {ErrorClass} */
  let Ctor;
  /** @type {string | undefined} */
  let remoteName;
  if (record.brand !== undefined && typeof branded[record.brand] === 'function') {
    Ctor = branded[record.brand];
  } else if (record.brand === undefined && BUILTIN.has(record.ctor)) {
    // One of the BUILTIN names: an error class of this realm.
    Ctor = /** @type {Record<string, ErrorClass>} */ (/** @type {unknown} */ (globalThis))[record.ctor];
  } else if (record.ctor === 'DOMException' && typeof globalThis.DOMException === 'function') {
    Ctor = globalThis.DOMException;
  } else if (typeof RemoteError === 'function') {
    Ctor = RemoteError;
    remoteName = record.name && record.name !== 'Error' ? record.name : record.ctor;
  } else {
    Ctor = Error;
  }
  // Build without running the class's own constructor (its signature is unknown here):
  // Error's constructor with `Ctor` as new.target gives a real error object whose
  // prototype is the caller's class.
  const error = /** @type {ErrorLike} */ (
    Ctor === globalThis.DOMException ? new globalThis.DOMException(record.message, record.name) : Reflect.construct(Error, [record.message], Ctor)
  );
  const hidden = (/** @type {string | symbol} */ key, /** @type {unknown} */ value) => Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: false });
  if (remoteName !== undefined) {
    hidden(BRAND, 'RemoteError');
    hidden('name', 'RemoteError');
    error.remoteName = remoteName;
  } else if (record.brand !== undefined && Ctor !== Error) {
    hidden(BRAND, record.brand);
    hidden('name', record.brand);
  } else if (record.name !== error.name) {
    hidden('name', record.name);
  }
  if (record.cause !== undefined) hidden('cause', decodeError(record.cause, context));
  if (record.errors !== undefined) hidden('errors', record.errors.map((e) => decodeError(e, context)));
  if (record.props !== undefined) {
    for (const key of Object.keys(record.props)) {
      try {
        error[key] = decodeError(record.props[key], context);
      } catch {
        hidden(key, decodeError(record.props[key], context));
      }
    }
  }
  const header = remoteName !== undefined ? `RemoteError [${remoteName}]: ${record.message}` : `${error.name}: ${record.message}`;
  const local = context && typeof context.localStack === 'string' ? context.localStack.split('\n').slice(1).join('\n') : '';
  hidden('stack', [header, local, record.stack !== undefined ? `${WORKER_STACK_MARK}\n${record.stack}` : ''].filter(Boolean).join('\n'));
  return error;
}

/**
 * The first of `values` that cannot be structured-cloned: its index, the path inside it
 * that fails (`''` for the value itself, else like `.options.onDone` or `[2]`), and V8's
 * error. `undefined` when everything clones.
 * @param {readonly unknown[]} values
 * @returns {{ index: number, path: string, reason: unknown } | undefined}
 */
function findUncloneable(values) {
  for (let index = 0; index < values.length; index++) {
    let reason;
    try {
      structuredClone(values[index]);
      continue;
    } catch (error) {
      reason = error;
    }
    return { index, path: pathToUncloneable(values[index], 0), reason };
  }
  return undefined;
}

/**
 * @param {unknown} value
 * @param {number} depth
 * @returns {string}
 */
function pathToUncloneable(value, depth) {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return '';
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!cloneable(value[i])) return `[${i}]${pathToUncloneable(value[i], depth + 1)}`;
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      if (!cloneable(k)) return `.<Map key ${describe(k)}>`;
      if (!cloneable(v)) return `.get(${describe(k)})${pathToUncloneable(v, depth + 1)}`;
    }
  } else if (proto === Object.prototype || proto === null) {
    const object = /** @type {Record<string, unknown>} */ (value);
    for (const key of Object.keys(object)) if (!cloneable(object[key])) return `.${key}${pathToUncloneable(object[key], depth + 1)}`;
  }
  return '';
}

module.exports = { encodeError, decodeError, findUncloneable, WORKER_STACK_MARK };
