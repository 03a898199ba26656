/**
 * Progress channels: the values a running call or task reports (`reportProgress`), on
 * their way to the `onProgress` callbacks of its Unfuture.
 *
 * A channel exists only for a future that was reported on or listened to (a WeakMap, so a
 * future costs nothing for it otherwise). Delivery runs on the caller's event loop (an
 * immediate): values reported faster than the caller takes them are coalesced, the last
 * one wins; and when the future settles, a value still on its way is delivered first,
 * synchronously, so the last value reported before the end always arrives before the
 * Unfuture settles. A leaf module: it imports nothing of the library.
 */

/** A progress callback. */
export type ProgressCallback = (value: unknown) => void;

/**
 * Set by the runtime so a throwing progress callback is reported (debug logger) without
 * failing the call; unset, it becomes a process warning.
 */
export const progressHooks: { onCallbackError: ((error: unknown) => void) | undefined } = {
  onCallbackError: undefined,
};

class ProgressChannel {
  listeners: ProgressCallback[] = [];
  // The value on its way (boxed: `undefined` is a value too).
  pending: { value: unknown } | undefined = undefined;
  scheduled = false;
  readonly deliver = (): void => {
    this.scheduled = false;
    const held = this.pending;
    this.pending = undefined;
    if (held === undefined) return;
    // A callback removed by an earlier one (or before delivery) gets nothing.
    for (const callback of [...this.listeners]) {
      if (!this.listeners.includes(callback)) continue;
      try {
        callback(held.value);
      } catch (error) {
        reportCallbackError(error);
      }
    }
  };
}

const channels = new WeakMap<object, ProgressChannel>();
// Channels not yet closed by a settle; while 0, settling looks nothing up.
let open = 0;

function channelOf(target: object): ProgressChannel {
  let channel = channels.get(target);
  if (channel === undefined) {
    channel = new ProgressChannel();
    channels.set(target, channel);
    open++;
  }
  return channel;
}

function reportCallbackError(error: unknown): void {
  const hook = progressHooks.onCallbackError;
  if (hook !== undefined) hook(error);
  else process.emitWarning(`unsync: an onProgress callback threw (the call goes on): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

/** Register `callback` for the progress of `target` (a pending future); returns its remover. */
export function listenProgress(target: object, callback: ProgressCallback): () => void {
  const channel = channelOf(target);
  channel.listeners.push(callback);
  return () => {
    const index = channel.listeners.indexOf(callback);
    if (index >= 0) channel.listeners.splice(index, 1);
  };
}

/** `target` (a pending future) made progress: deliver `value` on a later turn of the loop. */
export function emitProgress(target: object, value: unknown): void {
  const channel = channelOf(target);
  channel.pending = { value };
  if (!channel.scheduled) {
    channel.scheduled = true;
    setImmediate(channel.deliver);
  }
}

/** `target` settles: deliver what is on its way now, and close its channel. Cheap when none is open. */
export function settleProgress(target: object): void {
  if (open === 0) return;
  const channel = channels.get(target);
  if (channel === undefined) return;
  channels.delete(target);
  open--;
  channel.deliver();
  channel.listeners = [];
}
