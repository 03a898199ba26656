'use strict';
// @ts-check
/**
 * How a process-pool message crosses the IPC channel: as JSON when JSON carries it exactly,
 * else as a V8 structured clone inside a JSON envelope. Both ends of the channel (the parent
 * in `../links/process/process-child.ts`, the child in `./process-entry.cjs`) pack with `packMessage`
 * and unpack with `unpackMessage`, and fork with `serialization: 'json'`.
 *
 * Why not Node's `serialization: 'advanced'`: it builds a new V8 serializer for every message
 * sent and a deserializer for every message read, about 15-30 µs per round trip more than
 * JSON on a 2-core machine (docs/executors.md, "The wire"). For the common tiny call
 * (`{ type, id, file, name, args: [5] }`) that was a third of the round trip.
 *
 * The values accepted are still exactly structured clone's (Map, Set, Date, BigInt, typed
 * arrays, errors, cycles, `undefined`, `-0`, `NaN`...): a message goes as plain JSON only
 * when `jsonExact` proves that `JSON.parse(JSON.stringify(m))` rebuilds what a structured
 * clone would; anything else (or anything large) goes through `v8.serialize` with the same
 * serializer subclass Node's advanced IPC uses, so it clones, or throws `DataCloneError`
 * synchronously, exactly as before. The envelope of a cloned message is
 * `{ type: 'v8', data: <base64> }`, a type no protocol message has; a clone larger than
 * FILE_AFTER_BYTES goes as `{ type: 'v8', file }` instead: written whole to a file in the
 * pool's folder before the envelope is sent (so it keeps its place in the channel's order),
 * read and deleted by the receiver. Base64 inside JSON made a 4 MB buffer ~3x slower than
 * the advanced channel; the file makes it about as fast.
 *
 * Plain CommonJS: the child loads it before any TypeScript loader exists. Node built-ins only.
 */
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const { MessagePort } = require('node:worker_threads');
const { isProxy, isArrayBufferView } = require('node:util').types;

/** The `type` of the envelope of a message sent as a V8 clone. */
const CLONED = 'v8';
/**
 * The envelope of a message sent as a V8 clone: the clone inline (base64) or in a file.
 * @typedef {{ type: 'v8', data: string, file?: undefined } | { type: 'v8', file: string, data?: undefined }} ClonedEnvelope
 */
/** Most values `jsonExact` looks at (a string costs one per 64 characters) before it gives up: a large message clones instead. */
const JSON_BUDGET = 4096;
/** Clones larger than this (bytes) travel through a file when the sender has a folder. */
const FILE_AFTER_BYTES = 256 * 1024;
let fileCount = 0;

// The serializer pair of Node's own advanced IPC (lib/internal/child_process/serialization.js):
// a host object that is not an ArrayBufferView travels as a plain copy of its own properties.
const HOST_VIEW = 0;
const HOST_OTHER = 1;
// The same classes, seen with their host-object hooks: Node documents `_writeHostObject` and
// `_readHostObject` (overridable, callable on `super`), @types/node does not declare them.
const HostSerializer = /** @type {new () => v8.DefaultSerializer & { _writeHostObject(object: object): void }} */ (v8.DefaultSerializer);
const HostDeserializer = /** @type {new (data: NodeJS.TypedArray) => v8.DefaultDeserializer & { _readHostObject(): unknown }} */ (v8.DefaultDeserializer);
class WireSerializer extends HostSerializer {
  /**
   * @override
   * @param {object} object
   */
  _writeHostObject(object) {
    if (isArrayBufferView(object)) {
      this.writeUint32(HOST_VIEW);
      return super._writeHostObject(object);
    }
    if (object instanceof MessagePort) {
      // A port is a live channel to this process's threads: a copy of its properties would
      // arrive as a dead object, so it is refused (a CloneError at the caller).
      const error = new Error('a MessagePort cannot be sent to another process (it can only be moved to a thread)');
      error.name = 'DataCloneError';
      throw error;
    }
    this.writeUint32(HOST_OTHER);
    this.writeValue({ ...object });
  }
}
class WireDeserializer extends HostDeserializer {
  /** @override */
  _readHostObject() {
    if (this.readUint32() === HOST_VIEW) return super._readHostObject();
    return this.readValue();
  }
}

let budget = 0;

/**
 * Whether JSON rebuilds `value` as a structured clone would: finite numbers other than -0,
 * strings, booleans, null, and plain arrays (no holes, no extra properties) and plain
 * objects (prototype Object.prototype or null, not a Proxy) made of such values. A false
 * answer is always safe (the message is cloned instead).
 * @param {unknown} value
 * @returns {boolean}
 */
function jsonExact(value) {
  if (--budget < 0) return false;
  switch (typeof value) {
    case 'string':
      // Long strings cost budget too: a large string is cheaper as a clone (in a file) than as JSON.
      budget -= value.length >> 6;
      return budget >= 0;
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0);
    case 'object':
      break;
    default:
      return false; // undefined, bigint, symbol, function
  }
  if (value === null) return true;
  if (isProxy(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    // Holes and undefined read as undefined: rejected. Extra properties survive a clone, not JSON.
    if (proto !== Array.prototype) return false;
    const length = value.length;
    for (let i = 0; i < length; i++) if (!jsonExact(value[i])) return false;
    return Object.keys(value).length === length;
  }
  if (proto !== Object.prototype && proto !== null) return false;
  // `arguments` objects have Object.prototype too, and do not clone.
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  for (const key in value) {
    // A `toJSON` method is a function: rejected like every function.
    if (!jsonExact(/** @type {Record<string, unknown>} */ (value)[key])) return false;
  }
  return true;
}

/**
 * A protocol message (not a user value): an `undefined` field may be left out, every reader reads fields by name.
 * @param {unknown} message
 * @returns {boolean}
 */
function messageExact(message) {
  if (message === null || typeof message !== 'object' || Array.isArray(message) || Object.getPrototypeOf(message) !== Object.prototype) return false;
  for (const key in message) {
    const field = /** @type {Record<string, unknown>} */ (message)[key];
    if (field !== undefined && !jsonExact(field)) return false;
  }
  return true;
}

/**
 * Whether `message` (one protocol message or a batch of them) goes as plain JSON.
 * @param {unknown} message
 * @returns {boolean}
 */
function exact(message) {
  budget = JSON_BUDGET;
  if (!Array.isArray(message)) return messageExact(message);
  // A batch of call messages.
  for (let i = 0; i < message.length; i++) if (!messageExact(message[i])) return false;
  return true;
}

/**
 * What to hand to `send` for `message` (a protocol message or an array of them): itself, or
 * its clone envelope; `folder` (the pool's folder, optional) takes large clones. Throws V8's
 * `DataCloneError` synchronously when a value cannot be cloned (nothing is sent then).
 * @param {unknown} message
 * @param {string} [folder]
 * @returns {unknown} `message` or a {@link ClonedEnvelope}
 */
function packMessage(message, folder) {
  if (exact(message)) return message;
  const serializer = new WireSerializer();
  serializer.writeHeader();
  serializer.writeValue(message);
  const bytes = serializer.releaseBuffer();
  if (folder !== undefined && bytes.length > FILE_AFTER_BYTES) {
    const file = path.join(folder, `wire-${process.pid}-${++fileCount}`);
    try {
      fs.writeFileSync(file, bytes);
      return { type: CLONED, file };
    } catch {
      // The folder is gone (the pool is closing): inline it.
    }
  }
  return { type: CLONED, data: bytes.toString('base64') };
}

/**
 * The message `packMessage` was given, from what arrived.
 * @param {unknown} received
 * @returns {unknown}
 */
function unpackMessage(received) {
  if (received === null || typeof received !== 'object' || /** @type {{ type?: unknown }} */ (received).type !== CLONED) return received;
  const envelope = /** @type {ClonedEnvelope} */ (received);
  let bytes;
  if (typeof envelope.file === 'string') {
    bytes = fs.readFileSync(envelope.file);
    fs.rmSync(envelope.file, { force: true });
  } else {
    bytes = Buffer.from(envelope.data, 'base64');
  }
  const deserializer = new WireDeserializer(bytes);
  deserializer.readHeader();
  return deserializer.readValue();
}

module.exports = { packMessage, unpackMessage, jsonExact: (/** @type {unknown} */ value) => ((budget = JSON_BUDGET), jsonExact(value)) };
