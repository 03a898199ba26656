'use strict';
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

const BRAND = Symbol.for('unsync.error.brand');
const BUILTIN = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']);
const SKIPPED_PROPS = new Set(['name', 'message', 'stack', 'cause', 'errors']);
const MAX_DEPTH = 8;
const WORKER_STACK_MARK = '    --- the call ran in a worker; its stack: ---';

function isError(value) {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

function cloneable(value) {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function describe(value) {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Encode a thrown value (an `EncodedError`). Never throws. */
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

function safeString(value, fallback) {
  return typeof value === 'string' ? value : fallback;
}

/** Rebuild what `encodeError` made, with the caller's constructors. */
function decodeError(record, context) {
  if (record === null || typeof record !== 'object' || record.kind !== 'error') {
    return record && record.kind === 'value' ? record.value : record;
  }
  const branded = (context && context.branded) || {};
  const RemoteError = context && context.RemoteError;
  let Ctor;
  let remoteName;
  if (record.brand !== undefined && typeof branded[record.brand] === 'function') {
    Ctor = branded[record.brand];
  } else if (record.brand === undefined && BUILTIN.has(record.ctor)) {
    Ctor = globalThis[record.ctor];
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
  const error = Ctor === globalThis.DOMException ? new Ctor(record.message, record.name) : Reflect.construct(Error, [record.message], Ctor);
  const hidden = (key, value) => Object.defineProperty(error, key, { value, writable: true, configurable: true, enumerable: false });
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
    for (const key of Object.keys(value)) if (!cloneable(value[key])) return `.${key}${pathToUncloneable(value[key], depth + 1)}`;
  }
  return '';
}

module.exports = { encodeError, decodeError, findUncloneable, WORKER_STACK_MARK };
