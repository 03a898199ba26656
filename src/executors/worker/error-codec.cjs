'use strict';
// @ts-check
/**
 * The one encode/decode pair for values that cross a thread or process boundary.
 *
 * Plain CommonJS on purpose: the worker bootstrap (`./run-call.cjs`) must load it before
 * any TypeScript loader exists, and the caller imports the same file (typed by
 * `./error-codec.d.cts`), so both sides run exactly this code. The encoded record is plain
 * structured-cloneable data that names classes only by strings, so any transport (a thread's
 * port, a child's pipe, a job queue) can carry it and the caller decodes it unchanged.
 *
 * - `encodeError(e)` (where the error was thrown) turns anything thrown into a
 *   structured-clone-safe record: class name, unsync brand, message, stack, `cause` and
 *   `errors` (recursively), own enumerable properties that clone (`code`, `errno`, …; the
 *   others are dropped), and the class's `origin`: its `registerErrorClass` key and the
 *   loaded modules that export it (./error-classes.cjs).
 * - `decodeError(record, context)` (caller side) rebuilds it with the *caller's* class,
 *   the first of: the class registered under the origin's key; the class exported at one of
 *   the origin's module exports (modules the caller has loaded); unsync's branded class
 *   (`context.branded`); the built-in class of this module's realm (so `instanceof
 *   RangeError` holds inside jest's vm realm, where jest loads this file); a class the
 *   caller registered under the error's class name; else `context.RemoteError`.
 *   The class's constructor never runs (its signature is unknown): the error is made by
 *   `Error`'s constructor with the class as new.target, then given the record's fields.
 * - `findUncloneable(values)` says which value cannot be structured-cloned and why.
 *
 * The rules, for users, are in docs/errors.md. It imports nothing but Node built-ins, the
 * global keys and ./error-classes.cjs.
 */

/**
 * @typedef {import('./wire.cjs').EncodedError} EncodedError
 * @typedef {import('./wire.cjs').EncodedErrorRecord} EncodedErrorRecord
 * @typedef {import('./wire.cjs').EncodedErrorOrigin} EncodedErrorOrigin
 * An error whose other properties (`code`, the brand, ...) are read as unknown.
 * @typedef {Error & { [key: string | symbol]: unknown }} ErrorLike
 * A class of error `decodeError` builds an instance of (never by running its constructor).
 * @typedef {new (...args: never[]) => Error} ErrorClass
 * What `decodeError` needs from the caller: `DecodeContext` in ./error-codec.d.cts (this file
 * cannot name its own declaration file: the architecture test counts that as a circle).
 * @typedef {{ readonly branded: Readonly<Record<string, ErrorClass>>, readonly RemoteError: ErrorClass, readonly localStack?: string }} DecodeContext
 */

const { ERROR_BRAND } = require('../../core/keys.cjs');
const { registeredErrorClass, registeredErrorKey, exportLocations, exportedClass } = require('./error-classes.cjs');

const BRAND = ERROR_BRAND;
/** Built-in error classes that cross as themselves (the caller's realm's class of that name). */
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
  /** @type {unknown} */
  let Class;
  let ctor = 'Error';
  try {
    Class = error.constructor;
    if (typeof Class === 'function' && typeof Class.name === 'string' && Class.name !== '') ctor = Class.name;
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
  try {
    const origin = typeof Class === 'function' ? originOf(Class, ctor, record.brand) : undefined;
    if (origin !== undefined) record.origin = origin;
  } catch {
    /* a module table that throws when read: no origin, the caller falls back to RemoteError */
  }
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
    // A property that cannot be cloned (a socket, a callback) is dropped: the error still arrives.
    if (!isError(value) && !cloneable(value)) continue;
    props[key] = encodeError(value, depth + 1);
    any = true;
  }
  if (any) record.props = props;
  return record;
}

/**
 * Where the caller may find `Class` (see `EncodedErrorOrigin`); undefined for a built-in
 * class of this realm, for unsync's own classes (their brand names them) and for a class
 * neither registered nor exported by a loaded module.
 * @param {Function} Class
 * @param {string} ctor its name
 * @param {string | undefined} brand the error's unsync brand
 * @returns {EncodedErrorOrigin | undefined}
 */
function originOf(Class, ctor, brand) {
  if ((BUILTIN.has(ctor) || ctor === 'DOMException') && Class === /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis))[ctor]) return undefined;
  if (brand !== undefined && ctor === brand) return undefined;
  const registered = registeredErrorKey(Class);
  const exports = exportLocations(Class);
  if (registered === undefined && exports.length === 0) return undefined;
  return registered === undefined ? { exports } : exports.length === 0 ? { registered } : { registered, exports };
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
  /** @type {ErrorClass | undefined} */
  let Ctor = classFromOrigin(record.origin);
  /** @type {string | undefined} */
  let remoteName;
  if (Ctor !== undefined) {
    // the class itself: registered, or exported by a module the caller has loaded
  } else if (record.brand !== undefined && typeof branded[record.brand] === 'function') {
    Ctor = branded[record.brand];
  } else if (record.brand === undefined && BUILTIN.has(record.ctor)) {
    // One of the BUILTIN names: an error class of this realm.
    Ctor = /** @type {Record<string, ErrorClass>} */ (/** @type {unknown} */ (globalThis))[record.ctor];
  } else if (record.ctor === 'DOMException' && typeof globalThis.DOMException === 'function') {
    Ctor = globalThis.DOMException;
  } else if ((Ctor = asErrorClass(registeredErrorClass(record.ctor))) !== undefined) {
    // registered by the caller only, under the class's own name
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
  } else {
    if (record.brand !== undefined && Ctor !== Error) hidden(BRAND, record.brand);
    if (record.name !== error.name) hidden('name', record.name);
  }
  if (record.cause !== undefined) hidden('cause', decodeError(record.cause, context));
  if (record.errors !== undefined) hidden('errors', record.errors.map((e) => decodeError(e, context)));
  if (record.props !== undefined) {
    // Defined, not assigned: a setter of the caller's class must not run.
    for (const key of Object.keys(record.props)) {
      Object.defineProperty(error, key, { value: decodeError(record.props[key], context), writable: true, configurable: true, enumerable: true });
    }
  }
  const header = remoteName !== undefined ? `RemoteError [${remoteName}]: ${record.message}` : `${error.name}: ${record.message}`;
  const local = context && typeof context.localStack === 'string' ? context.localStack.split('\n').slice(1).join('\n') : '';
  hidden('stack', [header, local, record.stack !== undefined ? `${WORKER_STACK_MARK}\n${record.stack}` : ''].filter(Boolean).join('\n'));
  return error;
}

/**
 * The caller's class for `origin`: the class registered under its key, else the class at
 * the first of its module exports that this thread has loaded.
 * @param {EncodedErrorOrigin | undefined} origin
 * @returns {ErrorClass | undefined}
 */
function classFromOrigin(origin) {
  if (origin === undefined || origin === null || typeof origin !== 'object') return undefined;
  if (typeof origin.registered === 'string') {
    const Class = asErrorClass(registeredErrorClass(origin.registered));
    if (Class !== undefined) return Class;
  }
  if (!Array.isArray(origin.exports)) return undefined;
  for (const location of origin.exports) {
    if (!Array.isArray(location) || typeof location[0] !== 'string' || typeof location[1] !== 'string') continue;
    const Class = asErrorClass(exportedClass(location[0], location[1]));
    if (Class !== undefined) return Class;
  }
  return undefined;
}

/**
 * `value` when it is a constructor whose instances are errors of some realm (its
 * prototype chain reaches this realm's `Error.prototype`, or another realm's: an object
 * whose constructor is named `Error`, right above that realm's `Object.prototype`).
 * @param {unknown} value
 * @returns {ErrorClass | undefined}
 */
function asErrorClass(value) {
  if (typeof value !== 'function') return undefined;
  try {
    for (let p = value.prototype; p !== null && typeof p === 'object'; p = Object.getPrototypeOf(p)) {
      if (p === Error.prototype) return /** @type {ErrorClass} */ (value);
      const owner = Object.getOwnPropertyDescriptor(p, 'constructor');
      const up = Object.getPrototypeOf(p);
      if (owner && typeof owner.value === 'function' && owner.value.name === 'Error' && up !== null && Object.getPrototypeOf(up) === null) return /** @type {ErrorClass} */ (value);
    }
  } catch {
    /* a proxy that throws: not a class to build */
  }
  return undefined;
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
