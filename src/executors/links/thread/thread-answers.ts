/**
 * What a thread says, handed to the pool engine: the answers it left in its answer cells (in
 * line order), plain results in flat batches, single messages (an outcome, a skip, progress,
 * stream items), and its end, after which the calls it started and the ones it never started
 * are told apart by their claim cells. Part of the thread link (`./thread-link.ts`), which
 * reads each thread's port with it on the event loop, and without the loop for a caller
 * blocked in `resultSync`.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import { WorkerCrashedError } from '../../../core/executor-errors';
import type { LinkAnswer, LinkEvents, LinkExit, Slot } from '../../engine/link';
import type { CallOutcome, ItemsMessage, ProgressMessage, ResultMessage, SkippedMessage, ThreadResultBatch } from '../../protocol';
import { THREAD_RESULT_STRIDE } from '../../worker/wire.cjs';
import { ANSWERED, DONE, STARTED, STOP, type Thread, sessionCrashError } from './piscina-sessions';

type ThreadSlot = Slot<Thread>;

/** Reads what the threads of one pool say and reports it to the engine through the link's events. */
export class ThreadAnswers {
  readonly #events: LinkEvents<Thread>;

  constructor(events: LinkEvents<Thread>) {
    this.#events = events;
  }

  /**
   * One message of a thread. `dying`: read from the port of a thread that has ended, where a
   * `skipped` answer is not delivered (those calls are claimed back and sent again).
   */
  deliver(slot: ThreadSlot, message: ThreadMessage, dying = false): void {
    // The thread wrote the answers in its cells before it posted this message: they go first.
    this.deliverAnswered(slot);
    if (isResultBatch(message)) {
      this.#deliverResults(slot, message);
      this.deliverAnswered(slot);
      return;
    }
    const single = message;
    if (single.type === 'progress') {
      this.#events.progress(slot, single.id, single.value);
      return;
    }
    if (single.type === 'items') {
      this.#events.items(slot, single.id, single.values);
      return;
    }
    // A skip of an earlier send of this call (claimed back, then sent here again).
    if (single.type === 'skipped' && (dying || slot.sent.find((c) => c.id === single.id)?.cell !== single.cell)) return;
    this.#events.answer(slot, single as LinkAnswer);
  }

  /**
   * Deliver the answers the thread left in its answer cells (CELL_ANSWERED), in line order:
   * from the head of the line, while the head's cell holds its answer.
   */
  deliverAnswered(slot: ThreadSlot): void {
    const thread = slot.handle;
    for (let head = slot.sent[0]; head !== undefined; head = slot.sent[0]) {
      const answer = thread.answered(head);
      if (answer === undefined) return;
      this.#events.answer(slot, answer);
    }
  }

  /** Plain results, flat (ThreadResultBatch), in the order the thread ran their calls. */
  #deliverResults(slot: ThreadSlot, batch: ThreadResultBatch): void {
    for (let at = 0; at < batch.length; at += THREAD_RESULT_STRIDE) {
      const answer: ResultMessage = { type: 'result', id: batch[at] as number, value: batch[at + 1], startedAt: batch[at + 2] as number, endedAt: batch[at + 3] as number };
      this.#events.answer(slot, answer);
    }
  }

  /**
   * The session settled (`error`: why it rejected), or a blocked resultSync saw its dead
   * cell (`fromCell`): answers it posted first, then its end.
   */
  died(slot: ThreadSlot, thread: Thread, error: unknown, fromCell: boolean): void {
    if (thread.gone) return;
    thread.gone = true;
    // For a caller that blocks in resultSync later: this session answers no more.
    thread.markDead();
    thread.port.unref();
    // Answers the thread posted before it died are in the port: they settle their calls
    // first (a call that only shared the thread with a stopped or crashed one must not fail).
    // (skipped ones are not delivered: they are claimed below and re-sent)
    for (let m = receiveMessageOnPort(thread.port); m !== undefined; m = receiveMessageOnPort(thread.port)) {
      this.deliver(slot, m.message as ThreadMessage, true);
    }
    // Answers left in the answer cells survive the thread.
    this.deliverAnswered(slot);
    if (!fromCell) thread.port.close();
    const mismatch = protocolMismatch(error);
    const exit: LinkExit = {
      // Claimed, not just read: should the worker live after all, it must never start a
      // call that is sent elsewhere now.
      started: (call) => ran(thread.claim(call)),
      crashError: (call) => sessionCrashError(call.ref.name, error, thread.exitCode()),
      neverReady: false,
      mismatch: mismatch === undefined ? undefined : (call) => new WorkerCrashedError(`no worker thread could run \`${call.ref.name}\`: ${mismatch}`, { cause: error }),
    };
    this.#events.gone(slot, exit);
  }
}

/** What a thread posts on its port. */
export type ThreadMessage = ThreadResultBatch | CallOutcome | SkippedMessage | ProgressMessage | ItemsMessage;

function isResultBatch(message: ThreadMessage): message is ThreadResultBatch {
  return Array.isArray(message);
}

/** The message of a session refused at its handshake (the worker speaks another protocol version), if `error` is that. */
function protocolMismatch(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && message.startsWith('unsync protocol mismatch') ? message : undefined;
}

/** Whether a claim cell's previous state says the thread started the call (it runs, was asked to stop, or ended). */
export function ran(cellBefore: number): boolean {
  return cellBefore === STARTED || cellBefore === STOP || ended(cellBefore);
}

/** Whether a claim cell's state says the call has ended (its answer posted, or in the answer cells). */
export function ended(cell: number): boolean {
  return cell === DONE || cell === ANSWERED;
}

