/** Types of `./process-wire.cjs` (see that file for the behaviour). */

/**
 * What to hand to the IPC channel's `send` for `message`: the message itself when JSON
 * carries it exactly, else a `{ type: 'v8', data }` envelope holding its V8 structured clone.
 * A clone over 256 KiB is written to a file in `folder` (when given) and the envelope names
 * it. Throws V8's `DataCloneError` synchronously when a value cannot be cloned.
 */
export function packMessage(message: unknown, folder?: string): unknown;

/** The message `packMessage` was given, from what the channel delivered. */
export function unpackMessage(received: unknown): unknown;

/** Whether `JSON.parse(JSON.stringify(value))` rebuilds `value` exactly as a structured clone would (false is always safe). */
export function jsonExact(value: unknown): boolean;
