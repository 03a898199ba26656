/**
 * The errors of the queues and synchronization primitives (src/primitives): asyncio's
 * `QueueEmpty` / `QueueFull`, Python 3.13's `QueueShutDown` and 3.11's
 * `BrokenBarrierError`. Branded like every unsync error (`./errors.ts`).
 */
import { defineBrand, hasErrorBrand } from './errors';

/**
 * `getNowait()` found the queue empty (asyncio's `QueueEmpty`). Only the non-blocking call
 * throws it: `get()` waits instead.
 *
 * Compare {@link QueueShutDown}: an empty queue that was shut down throws that instead,
 * because no item will ever come; and {@link QueueFull}, its mirror for `putNowait()`.
 */
export class QueueEmpty extends Error {
  constructor(message = 'the queue is empty', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'QueueEmpty');
  }
}

/**
 * `putNowait()` found a bounded queue at its `maxsize` (asyncio's `QueueFull`). Only the
 * non-blocking call throws it: `put()` waits for a free slot instead.
 *
 * Compare {@link QueueEmpty} (its mirror for `getNowait()`) and {@link QueueShutDown} (the
 * queue no longer accepts items at all).
 */
export class QueueFull extends Error {
  constructor(message = 'the queue is full', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'QueueFull');
  }
}

/**
 * The queue was shut down with `shutdown()` (Python 3.13's `QueueShutDown`): thrown by every
 * later `put`/`putNowait`, by blocked putters, and by `get`/`getNowait` once the queue is
 * drained (at once after `shutdown(true)`, which drops the remaining items). Async iteration
 * over the queue ends quietly on it.
 *
 * Compare {@link QueueEmpty}/{@link QueueFull}: those are momentary; this one is final. And
 * {@link CancelledError}: a getter cancelled by its caller sees that, not this.
 */
export class QueueShutDown extends Error {
  constructor(message = 'the queue was shut down', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'QueueShutDown');
  }
}

/**
 * A `Barrier` was aborted (`abort()`) or reset (`reset()`) while parties were waiting, or
 * `wait()` was called on a broken barrier (Python 3.11's `BrokenBarrierError`). A broken
 * barrier stays broken until `reset()`.
 *
 * Compare {@link CancelledError}: a single waiting party that is cancelled just leaves the
 * barrier, which stays usable for the others.
 */
export class BrokenBarrierError extends Error {
  constructor(message = 'the barrier is broken', options?: ErrorOptions) {
    super(message, options);
    defineBrand(this, 'BrokenBarrierError');
  }
}

/** True for a {@link QueueEmpty} from any realm or thread. */
export const isQueueEmpty = (e: unknown): e is QueueEmpty => hasErrorBrand(e, 'QueueEmpty');
/** True for a {@link QueueFull} from any realm or thread. */
export const isQueueFull = (e: unknown): e is QueueFull => hasErrorBrand(e, 'QueueFull');
/** True for a {@link QueueShutDown} from any realm or thread. */
export const isQueueShutDown = (e: unknown): e is QueueShutDown => hasErrorBrand(e, 'QueueShutDown');
/** True for a {@link BrokenBarrierError} from any realm or thread. */
export const isBrokenBarrierError = (e: unknown): e is BrokenBarrierError => hasErrorBrand(e, 'BrokenBarrierError');
