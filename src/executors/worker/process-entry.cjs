'use strict';
// @ts-check
/**
 * The process entry: the entry of every unsync child process: the process pool forks this file with
 * `serialization: 'json'` framing (values cross exactly as structured clones, see `./process-wire.cjs`)
 * and `UNSYNC_WORKER=process`. It speaks the protocol of
 * `../protocol.ts` over the IPC channel and runs each call with the shared core's
 * `runCallNow` (`./run-call.cjs`: locate the function, run it, encode errors), so threads and
 * processes find and run functions with exactly the same code.
 *
 * Plain CommonJS on purpose (it runs before any TypeScript loader exists); it imports only
 * Node built-ins, the shared core and the error codec.
 *
 * Ordering contract with the parent (src/executors/process-executor.ts relies on it):
 *  1. Calls run ONE at a time, in the order they arrived (a message may be an array of
 *     `call` messages: a batch, taken in order); answers go back one message each, in order.
 *  2. When a call ends, its answer is sent and the next received call is taken in the same
 *     synchronous step; a call received while the child is idle is taken at once. A taken
 *     call counts as running, and STARTS only once every answer sent before it is wholly
 *     written to the channel: at once in the usual case (`process.send` wrote it whole),
 *     else when Node reports the write done (a large answer, or a socket full because the
 *     parent is behind). Exception: while a blocked parent waits (a `sync` request is open)
 *     it reads nothing until its call ends, so the taken call starts at once. A call that ran
 *     longer than DEFER_AFTER_MS first lets one event-loop turn pass (still counting as
 *     running), so that a `cancel` that reached the child while it was blocked in
 *     synchronous code is read, and honoured by rule 3, before the next call is taken.
 *     And a call starts only through the gate (see startControlThread): the parent that
 *     must stop a head by force closes it, learns which call runs, and knows that nothing
 *     starts after it until it opens the gate again (docs/executors.md, "the gate").
 *  3. A `cancel` for a call that has not started removes it and answers it at once with a
 *     `CancelledError` ("dropped"); a `cancel` for the running (or taken) call asks it to
 *     stop (its `checkpoint()` throws, its signal aborts) and does not change the order: the
 *     call still answers in its place. If it does not end within the pool's `cancelGrace`,
 *     the parent closes the child's gate, and kills it if the call still runs.
 * Together: a call can be dropped only while an earlier call is still running, so its
 * "dropped" answer always precedes the answer of the call before it. When the parent has the
 * answers of every call before X and no "dropped" answer for X, X has started. That is how
 * the parent knows, without a message per start, which call a dead child was running.
 *
 * Blocking parents (`resultSync`, src/executors/links/process/process-sync-wait.ts): a parent blocked on
 * call X cannot read the IPC channel (only its event loop does), so it sends `sync` (X, a
 * file path) and polls for that file. The child writes X's outcome there when X ends, or at
 * once when X was answered already (the answer then sits unread in the parent's channel):
 * the child keeps its last RECENT answers for that. With `UNSYNC_SYNC_DIR` set, the child
 * also writes a `ready-<pid>` marker once it listens, so a parent blocked on a fresh pool
 * knows when it may send the first call.
 *
 * No orphans: the child exits when the IPC channel closes (the parent exited, even by
 * SIGKILL). A child busy in synchronous code cannot see that event, so a tiny watchdog thread
 * checks every half second whether the child was re-parented and SIGKILLs the process.
 */
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');
const { Worker } = require('node:worker_threads');
const { encodeError } = require('./error-codec.cjs');
const { packMessage, unpackMessage } = require('./process-wire.cjs');
const bootstrap = require('./run-call.cjs');
const { CallIO, cancelledError, currentScope } = require('./call-scope.cjs');
const { CONTROL_GATED: GATED, CONTROL_GATE_REQUEST, CONTROL_UNGATE_REQUEST, PROCESS_CONTROL_FD, PROTOCOL_VERSION } = require('./wire.cjs');
/** Slots of the child's control cells (shared by its main and control threads). */
const STOP = 0;
const STATE = 1;
const { takeTransfers } = require('./moves.cjs');
const WATCHDOG_INTERVAL_MS = 500;
/** Calls shorter than this answer at once (tiny calls pay no extra event-loop turn). */
const DEFER_AFTER_MS = 1;
/** Answers kept for a blocked parent that asks again (see the file comment). */
const RECENT = 16;
const SYNC_DIR = process.env.UNSYNC_SYNC_DIR;

/**
 * @typedef {import('./wire.cjs').CallMessage} CallMessage
 * @typedef {import('./wire.cjs').ParentMessage} ParentMessage
 * @typedef {import('./wire.cjs').CallOutcome} CallOutcome
 * @typedef {import('./wire.cjs').UnknownCallMessage} UnknownCallMessage
 * The IPC channel's stream handle, as far as this file reads it (see `channelHandle`).
 * @typedef {{ writeQueueSize: number }} ChannelHandle
 */

/**
 * Write `outcome` where a blocked parent polls for it: whole or not at all (rename). `call`
 * is the call message it answers (names the function if the value cannot be cloned).
 * @param {string} file
 * @param {CallOutcome | UnknownCallMessage} outcome
 * @param {CallMessage} [call]
 */
function writeSyncAnswer(file, outcome, call) {
  let bytes;
  try {
    bytes = v8.serialize(outcome);
  } catch (reason) {
    // Only a call's value can fail to clone (an `unknown` message is a number).
    bytes = v8.serialize(bootstrap.resultCloneFailure(/** @type {CallOutcome} */ (outcome), reason, call));
  }
  writeWhole(file, bytes);
}

/**
 * Write `file` whole or not at all (rename); nothing if the pool's folder is gone (the pool closed).
 * @param {string} file
 * @param {string | Buffer} data
 */
function writeWhole(file, data) {
  try {
    fs.writeFileSync(`${file}.part`, data);
    fs.renameSync(`${file}.part`, file);
  } catch {
    // Nobody reads the folder any more.
  }
}

/** @returns {number} milliseconds since the epoch, sub-millisecond precision (the `CallTimes` clock) */
function now() {
  return performance.timeOrigin + performance.now();
}

/**
 * The child's control thread (tiny: no loaders, 8 MB heap), three jobs that must not depend
 * on the main thread's event loop, which a synchronous call can hold for as long as it runs.
 * It reads the control pipe (PROCESS_CONTROL_FD), 32-bit little-endian frames:
 * - a positive id: a stop request; it stores the id in `control[STOP]`, which that call's
 *   `checkpoint()` reads;
 * - GATE_REQUEST: close the gate. `control[STATE]` is 0 (no call runs), a call's id (it
 *   runs) or GATED; the main thread moves it 0 -> id to start a call and id -> 0 when the call
 *   ends, with compare-and-swap. Closing: 0 -> GATED (nothing starts from now on), or id ->
 *   -id (the running call may end; then the state becomes GATED, and nothing starts). It
 *   answers on the same pipe with what ran when it closed: 0 or the id. So the parent knows
 *   exactly which call runs, and that no other starts, without stopping the process;
 * - UNGATE_REQUEST: open it again (GATED -> 0 and wake the main thread, or -id -> id);
 * - and no orphans: it SIGKILLs this process once it has been re-parented (checked every
 *   WATCHDOG_INTERVAL_MS).
 * @param {Int32Array} control
 */
function startControlThread(control) {
  const source = `
    const net = require('node:net');
    const { workerData } = require('node:worker_threads');
    const { control, fd, parent, pid } = workerData;
    setInterval(() => {
      if (process.ppid !== parent) process.kill(pid, 'SIGKILL');
    }, ${WATCHDOG_INTERVAL_MS});
    const STOP = ${STOP}, STATE = ${STATE}, GATED = ${GATED}, GATE_REQUEST = ${CONTROL_GATE_REQUEST}, UNGATE_REQUEST = ${CONTROL_UNGATE_REQUEST};
    const gate = () => {
      for (;;) {
        const s = Atomics.load(control, STATE);
        if (s === GATED || s < 0) return s === GATED ? 0 : -s;
        if (Atomics.compareExchange(control, STATE, s, s === 0 ? GATED : -s) === s) return s;
      }
    };
    const ungate = () => {
      for (;;) {
        const s = Atomics.load(control, STATE);
        if (s === GATED) {
          if (Atomics.compareExchange(control, STATE, GATED, 0) !== GATED) continue;
          Atomics.notify(control, STATE);
          return;
        }
        if (s >= 0 || Atomics.compareExchange(control, STATE, s, -s) === s) return;
      }
    };
    try {
      const pipe = new net.Socket({ fd, readable: true, writable: true });
      let rest = Buffer.alloc(0);
      pipe.on('data', (chunk) => {
        rest = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
        while (rest.length >= 4) {
          const frame = rest.readInt32LE(0);
          rest = rest.subarray(4);
          if (frame === GATE_REQUEST) {
            const answer = Buffer.alloc(4);
            answer.writeInt32LE(gate(), 0);
            pipe.write(answer);
          } else if (frame === UNGATE_REQUEST) ungate();
          else Atomics.store(control, STOP, frame);
        }
      });
      pipe.on('error', () => undefined);
    } catch {
      // No control pipe (a child not started by the pool): stop requests come by IPC only.
    }`;
  try {
    const thread = new Worker(source, {
      eval: true,
      workerData: { control, fd: PROCESS_CONTROL_FD, parent: process.ppid, pid: process.pid },
      // No loaders or user flags in the control thread: it must stay tiny.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 2 },
    });
    thread.unref();
    thread.on('error', () => undefined);
  } catch {
    // Without it the IPC 'disconnect' still ends an idle child, and 'cancel' still stops calls.
  }
}

/**
 * The IPC channel's stream handle, whose `writeQueueSize` is the bytes sent but not yet in
 * the socket (Node keeps it under an internal symbol; undefined if a Node version does not).
 * @returns {ChannelHandle | undefined}
 */
function channelHandle() {
  const key = Object.getOwnPropertySymbols(process).find((symbol) => symbol.description === 'kChannelHandle');
  // An internal slot @types/node does not declare: read as unknown, checked below.
  const handle = key === undefined ? undefined : /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (process))[key];
  return handle !== null && typeof handle === 'object' && typeof (/** @type {{ writeQueueSize?: unknown }} */ (handle)).writeQueueSize === 'number'
    ? /** @type {ChannelHandle} */ (handle)
    : undefined;
}

function startProcessWorker() {
  const channel = channelHandle();
  /** Received calls that have not started, in arrival order. */
  /** @type {CallMessage[]} */
  const pending = [];
  /** The id of the running call, or undefined when idle. */
  /** @type {number | undefined} */
  let current;
  /** The running call's message (names the function in a clone failure). */
  /** @type {CallMessage | undefined} */
  let currentCall;
  let shuttingDown = false;
  /** The last RECENT answers sent, oldest first (for `sync` requests that come after them), as sent (an uncloneable result already replaced). */
  /** @type {CallOutcome[]} */
  const recent = [];
  /** Calls a blocked parent waits for, by id: where to write their outcome. */
  /** @type {Map<number, string>} */
  const syncFiles = new Map();
  /** Sends whose callback has not come yet (what "written" means without `channel`). */
  let unwritten = 0;
  /** The call in `current` waits for earlier answers to be written before it starts (rule 2). */
  let waitingToStart = false;
  /**
   * control[STOP]: the id of the last call the parent asked to stop through the control
   * pipe; control[STATE]: 0, the running call's id, -id (it runs, the gate closes when it
   * ends) or GATED (see startControlThread).
   */
  const control = new Int32Array(new SharedArrayBuffer(8));
  /** A call waits for the gate to open (one wait at a time). */
  let waitingForGate = false;
  /** The running call's I/O (./call-scope.cjs): its progress, a stream call's items and credit. */
  /** @type {CallIO | undefined} */
  let running;
  /** @type {import('./call-scope.cjs').Transport} */
  const transport = {
    progress: (id, value) => {
      if (process.connected && process.send !== undefined) process.send(packMessage({ type: 'progress', id, value }, SYNC_DIR));
    },
    items: (id, values) => {
      if (process.connected && process.send !== undefined) process.send(packMessage({ type: 'items', id, values }, SYNC_DIR));
    },
  };
  /** The id of the last call the parent asked to stop by an IPC `cancel` (it was taken then). */
  /** @type {number | undefined} */
  let stopAsked;

  /** Whether everything sent so far is wholly in the channel. */
  const written = () => (channel !== undefined ? channel.writeQueueSize === 0 : unwritten === 0);

  /** `process.send`'s callback: the message is wholly in the channel (or the channel failed). */
  const onWritten = () => {
    unwritten--;
    startIfAllowed();
  };

  /**
   * Send `message`; returns what was sent (a `CloneError` outcome for an uncloneable result of `call`).
   * @param {CallOutcome} message
   * @param {CallMessage} [call]
   * @returns {CallOutcome}
   */
  const send = (message, call) => {
    if (!process.connected || process.send === undefined) return message;
    let packed;
    try {
      packed = packMessage(message, SYNC_DIR);
    } catch (reason) {
      // An uncloneable result throws here, synchronously (packMessage clones it).
      message = bootstrap.resultCloneFailure(message, reason, call);
      packed = packMessage(message, SYNC_DIR);
    }
    unwritten++;
    process.send(packed, undefined, undefined, onWritten);
    return message;
  };

  /** @param {CallOutcome} outcome */
  const finish = (outcome) => {
    if (outcome.endedAt - outcome.startedAt > DEFER_AFTER_MS) {
      // Two immediates put one poll phase in between: incoming cancels are read (rule 2).
      setImmediate(() => setImmediate(answer, outcome));
    } else {
      answer(outcome);
    }
  };

  /** @param {CallOutcome} outcome */
  const answer = (outcome) => {
    const call = currentCall;
    current = undefined;
    currentCall = undefined;
    const sent = send(outcome, call);
    if (recent.push(sent) > RECENT) recent.shift();
    const file = syncFiles.get(outcome.id);
    if (file !== undefined) {
      syncFiles.delete(outcome.id);
      writeSyncAnswer(file, sent, call);
    }
    startNext(); // same synchronous step: rule 2 of the ordering contract
    if (shuttingDown && current === undefined && process.connected) process.disconnect();
  };

  /**
   * Take the first received call (from now on it counts as running: a `cancel` for it asks
   * it to stop instead of dropping it) and start it once every answer sent so far is wholly written, at once if a
   * blocked parent waits (rule 2).
   */
  const startNext = () => {
    if (current !== undefined || pending.length === 0) return;
    const message = /** @type {CallMessage} */ (pending.shift()); // not empty
    current = message.id;
    currentCall = message;
    waitingToStart = true;
    startIfAllowed();
  };

  /**
   * Start the taken call if rule 2 lets it (every answer sent before it is written, or a
   * blocked parent waits) and the gate is open.
   */
  const startIfAllowed = () => {
    if (!waitingToStart) return;
    const call = /** @type {CallMessage} */ (currentCall); // taken with waitingToStart (startNext)
    if (!written() && syncFiles.size === 0) return;
    // The gate: a call starts only by moving the state from 0 to its id (see startControlThread).
    if (Atomics.compareExchange(control, STATE, 0, call.id) !== 0) {
      waitForGate();
      return;
    }
    waitingToStart = false;
    run(call);
  };

  /** The parent closed the gate: wait (without blocking the event loop) until it opens. */
  const waitForGate = () => {
    if (waitingForGate) return;
    waitingForGate = true;
    // Atomics.waitAsync is in Node 20 but not in this project's ES2022 lib typings.
    const waitAsync = /** @type {{ waitAsync(a: Int32Array, i: number, v: number): { async: boolean, value: unknown } }} */ (/** @type {unknown} */ (Atomics)).waitAsync;
    const opened = () => {
      waitingForGate = false;
      startIfAllowed();
    };
    const result = waitAsync(control, STATE, GATED);
    if (result.async) /** @type {Promise<unknown>} */ (result.value).then(opened);
    else opened();
  };

  /** The running call `id` ended: the state goes back to 0, or to GATED if the gate closed meanwhile. */
  const leaveGate = (/** @type {number} */ id) => {
    if (Atomics.compareExchange(control, STATE, id, 0) !== id) Atomics.store(control, STATE, GATED);
  };

  /** @param {CallMessage} message */
  const run = (message) => {
    const id = message.id;
    const io = (running = new CallIO(id, transport, message.stream));
    /** @param {CallOutcome} outcome */
    const ended = (outcome) => {
      leaveGate(id);
      if (running === io) running = undefined;
      io.end(); // the last value reported goes before the answer
      if (outcome.type === 'result') takeTransfers([outcome.value]); // copied to the parent: the mark is used up
      finish(outcome);
    };
    // A located function with a plain result finishes in this same step (no microtasks).
    const outcome = bootstrap.runCallNow(message, () => stopAsked === id || Atomics.load(control, STOP) === id, io);
    if (typeof outcome.then === 'function') outcome.then(ended);
    else ended(outcome);
  };

  process.on('message', (received) => {
    // What the parent sends: one message, or a batch of calls.
    const message = /** @type {ParentMessage | CallMessage[]} */ (unpackMessage(received));
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
          syncFiles.delete(message.id); // a blocked parent that waited for it gave up
          const at = now();
          send({ type: 'error', id: message.id, phase: 'run', error: encodeError(cancelledError(`call ${message.id} was cancelled before it started`)), startedAt: at, endedAt: at });
        } else if (message.id === current) {
          // Taken or running: ask it to stop (its checkpoint() throws, its signal aborts).
          stopAsked = current;
          const scope = currentScope();
          if (scope !== undefined && scope.id === current) scope.stop();
        }
        break;
      }
      case 'credit':
        if (running !== undefined && running.id === message.id) running.credit?.add(message.n);
        break;
      case 'sync': {
        const done = recent.find((o) => o.id === message.id);
        if (done !== undefined) writeSyncAnswer(message.file, done);
        else if (current === message.id || pending.some((m) => m.id === message.id)) {
          syncFiles.set(message.id, message.file);
          startIfAllowed(); // the parent is blocked from now on: rule 2's exception
        }
        else writeSyncAnswer(message.file, { type: 'unknown', id: message.id });
        break;
      }
      case 'shutdown':
        shuttingDown = true;
        if (current === undefined && pending.length === 0 && process.connected) process.disconnect();
        break;
      default:
        break;
    }
  });
  process.on('disconnect', () => process.exit(0));
  startControlThread(control);
  if (SYNC_DIR !== undefined) {
    try {
      fs.writeFileSync(path.join(SYNC_DIR, `ready-${process.pid}`), '');
    } catch {
      // No folder: the parent never blocks on this pool before 'ready'.
    }
  }
  // With a callback, a channel the parent already closed (it exited, or shut the pool down
  // while this child started) is reported there, not as an uncaught 'error' with a stack:
  // 'disconnect' then ends this child quietly.
  if (process.connected && process.send !== undefined) process.send(packMessage({ type: 'ready', pid: process.pid, version: PROTOCOL_VERSION }), undefined, undefined, () => undefined);
}

if (process.env.UNSYNC_WORKER === 'process' && typeof process.send === 'function') {
  startProcessWorker();
}
