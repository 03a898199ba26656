'use strict';
/**
 * The entry of every unsync child process: the process pool forks this file with
 * `serialization: 'advanced'` and `UNSYNC_WORKER=process`. It speaks the protocol of
 * `./protocol.ts` over the IPC channel and runs each call with the shared bootstrap's
 * `runCall` (`./bootstrap.cjs`: locate the function, run it, encode errors), so threads and
 * processes find and run functions with exactly the same code.
 *
 * Plain CommonJS on purpose (it runs before any TypeScript loader exists); it imports only
 * Node built-ins, the shared bootstrap and the error codec.
 *
 * Ordering contract with the parent (src/executors/process-executor.ts relies on it):
 *  1. Calls run ONE at a time, in the order they arrived (a message may be an array of
 *     `call` messages: a batch, taken in order); answers go back one message each, in order.
 *  2. When a call ends, its answer is sent and the next received call starts in the same
 *     synchronous step; a call received while the child is idle starts at once. A call that
 *     ran longer than DEFER_AFTER_MS first lets one event-loop turn pass (still counting as
 *     running), so that a `cancel` that reached the child while it was blocked in synchronous
 *     code is read, and honoured by rule 3, before the next call could start.
 *  3. A `cancel` for a call that has not started removes it and answers it at once with a
 *     `CancelledError` ("dropped"); a `cancel` for the running call is ignored (the parent
 *     kills the child).
 * Together: a call can be dropped only while an earlier call is still running, so its
 * "dropped" answer always precedes the answer of the call before it. When the parent has the
 * answers of every call before X and no "dropped" answer for X, X has started. That is how
 * the parent knows, without a message per start, which call a dead child was running.
 *
 * No orphans: the child exits when the IPC channel closes (the parent exited, even by
 * SIGKILL). A child busy in synchronous code cannot see that event, so a tiny watchdog thread
 * checks every half second whether the child was re-parented and SIGKILLs the process.
 */
const { Worker } = require('node:worker_threads');
const { encodeError } = require('./error-codec.cjs');
const bootstrap = require('./bootstrap.cjs');

const BRAND = Symbol.for('unsync.error.brand');
const PROTOCOL_VERSION = 1;
const WATCHDOG_INTERVAL_MS = 500;
/** Calls shorter than this answer at once (tiny calls pay no extra event-loop turn). */
const DEFER_AFTER_MS = 1;

function cancelledBeforeStart(id) {
  const error = new Error(`call ${id} was cancelled before it started`);
  Object.defineProperty(error, BRAND, { value: 'CancelledError', enumerable: false });
  Object.defineProperty(error, 'name', { value: 'CancelledError', enumerable: false, writable: true, configurable: true });
  return error;
}

function now() {
  return performance.timeOrigin + performance.now();
}

/** SIGKILL this process from another thread once the parent is gone (see the file comment). */
function startOrphanWatchdog() {
  const source = `
    const { workerData } = require('node:worker_threads');
    setInterval(() => {
      if (process.ppid !== workerData.parent) process.kill(workerData.pid, 'SIGKILL');
    }, ${WATCHDOG_INTERVAL_MS});`;
  try {
    const watchdog = new Worker(source, {
      eval: true,
      workerData: { parent: process.ppid, pid: process.pid },
      // No loaders or user flags in the watchdog: it must stay tiny.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
    });
    watchdog.unref();
    watchdog.on('error', () => undefined);
  } catch {
    // Without the watchdog the IPC 'disconnect' still ends an idle child.
  }
}

function startProcessWorker() {
  /** Received calls that have not started, in arrival order. */
  const pending = [];
  /** The id of the running call, or undefined when idle. */
  let current;
  let shuttingDown = false;

  const send = (message) => {
    if (!process.connected) return;
    try {
      process.send(message);
    } catch (reason) {
      // With 'advanced' serialization an uncloneable result throws here, synchronously.
      process.send(bootstrap.resultCloneFailure(message, reason));
    }
  };

  const finish = (outcome) => {
    if (outcome.endedAt - outcome.startedAt > DEFER_AFTER_MS) {
      // Two immediates put one poll phase in between: incoming cancels are read (rule 2).
      setImmediate(() => setImmediate(answer, outcome));
    } else {
      answer(outcome);
    }
  };

  const answer = (outcome) => {
    current = undefined;
    send(outcome);
    startNext(); // same synchronous step: rule 2 of the ordering contract
    if (shuttingDown && current === undefined) process.disconnect();
  };

  const startNext = () => {
    if (current !== undefined || pending.length === 0) return;
    const message = pending.shift();
    current = message.id;
    bootstrap.runCall(message).then(finish);
  };

  process.on('message', (message) => {
    if (Array.isArray(message)) {
      // A batch of `call` messages (the parent sends calls picked together as one message).
      for (const call of message) pending.push(call);
      startNext();
      return;
    }
    if (message === null || typeof message !== 'object') return;
    switch (message.type) {
      case 'call':
        pending.push(message);
        startNext();
        break;
      case 'cancel': {
        const index = pending.findIndex((m) => m.id === message.id);
        if (index >= 0) {
          pending.splice(index, 1);
          const at = now();
          send({ type: 'error', id: message.id, phase: 'run', error: encodeError(cancelledBeforeStart(message.id)), startedAt: at, endedAt: at });
        }
        break;
      }
      case 'shutdown':
        shuttingDown = true;
        if (current === undefined && pending.length === 0) process.disconnect();
        break;
      default:
        break;
    }
  });
  process.on('disconnect', () => process.exit(0));
  startOrphanWatchdog();
  process.send({ type: 'ready', pid: process.pid, version: PROTOCOL_VERSION });
}

if (process.env.UNSYNC_WORKER === 'process' && typeof process.send === 'function') {
  startProcessWorker();
}
