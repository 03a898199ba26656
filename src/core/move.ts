/**
 * `move(value)`: send a buffer or a port to a worker thread (or back) by transfer instead of
 * by copy. The mark lives in a `WeakSet` on `globalThis` (`MOVE_KEY`), which the worker side
 * reads too (src/executors/worker/moves.cjs), so a worker's `return move(buffer)` works
 * whichever copy of the library it runs.
 */
import { MessagePort } from 'node:worker_threads';
import { MOVE_KEY } from './keys.cjs';
import { expected } from './validate';

interface Moves {
  marked: WeakSet<object>;
  count: number;
}
const slots = globalThis as unknown as { [MOVE_KEY]?: Moves };

/** What `move()` accepts. */
export type Movable = ArrayBuffer | ArrayBufferView | MessagePort;

/**
 * Mark `value` to be **transferred** rather than copied when it is sent to a worker thread
 * as an argument of a call (at the top level, or one level inside an array or plain object
 * argument), or returned from a thread call. Returns `value` itself.
 *
 * - An `ArrayBuffer`, a typed array or `DataView` (its whole buffer moves), or a
 *   `MessagePort`. Anything else, and a `SharedArrayBuffer` (shared, never copied), throws
 *   `TypeError` at once.
 * - On a thread call the sender's buffer is detached afterwards (its `byteLength` is 0):
 *   zero copy, and the sender must not use it again.
 * - On a process call there is no shared memory: the value is copied and the sender's
 *   buffer is left intact. On the loop nothing is copied anyway.
 * - A mark is used once: the first send that carries the value takes it.
 *
 * @example
 * const pixels = new Uint8Array(64 * 1024 * 1024);
 * const out = await toThread(blur, move(pixels)); // pixels.byteLength === 0 now
 */
export function move<T extends Movable>(value: T): T {
  let target: object;
  if (value instanceof ArrayBuffer) target = value;
  else if (ArrayBuffer.isView(value)) {
    if (!(value.buffer instanceof ArrayBuffer)) throw new TypeError(expected('value', 'a view of an ArrayBuffer (a SharedArrayBuffer is shared, not moved)', value));
    target = value.buffer;
  } else if (value instanceof MessagePort) target = value;
  else throw new TypeError(expected('value', 'an ArrayBuffer, a typed array or DataView, or a MessagePort', value));
  let moves = slots[MOVE_KEY];
  if (moves === undefined) slots[MOVE_KEY] = moves = { marked: new WeakSet(), count: 0 };
  if (!moves.marked.has(target)) {
    moves.marked.add(target);
    moves.count++;
  }
  return value;
}
