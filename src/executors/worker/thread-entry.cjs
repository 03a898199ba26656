'use strict';
// @ts-check
/**
 * The thread entry: the piscina worker module of the thread pool. piscina calls the exported
 * function with a session's init message (one piscina task = one session; see
 * ../engine/pool-engine.ts and ../links/thread/). It serves calls on the transferred `port` with `serveThread` (our
 * own protocol, claim cells, `resultSync` wake-ups), running each with the shared core
 * (./run-call.cjs), and resolves when the executor closes its end of the port, which frees
 * the worker for piscina. Plain CommonJS: it runs before any TypeScript loader.
 */
const { receiveMessageOnPort, threadId, workerData } = require('node:worker_threads');
const { locatedFunction, preferLoader, resultCloneFailure, runCallNow, runLocatedNow } = require('./run-call.cjs');
const { CallIO, currentScope } = require('./call-scope.cjs');
const { trackLiveness } = require('./liveness-table.cjs');
const { takeTransfers } = require('./moves.cjs');
const wire = require('./wire.cjs');
const { CELL_ANSWERED, CELL_DONE, CELL_SENT, CELL_STARTED, CELL_STOP, PROTOCOL_VERSION, THREAD_CALL_STRIDE, ANSWER_SLOTS, ANSWER_THENABLE } = wire;

/**
 * @typedef {import('./wire.cjs').ThreadCallMessage} ThreadCallMessage
 * @typedef {import('./wire.cjs').ThreadCallBatch} ThreadCallBatch
 * @typedef {import('./wire.cjs').ThreadCallExtras} ThreadCallExtras
 * @typedef {import('./wire.cjs').ThreadFunctionMessage} ThreadFunctionMessage
 * An entry of the session's function table; `fn` once a call located it in this worker, and
 * how long its last run took (ms; Infinity before the first).
 * @typedef {{ file: string, name: string, fn: Function | undefined, lastRunMs: number }} FunctionEntry
 * A call as the thread keeps it until it runs: the call message it stands for, and its table entry.
 * @typedef {Omit<ThreadCallMessage, 'type'> & { entry: FunctionEntry }} ThreadCall
 * @typedef {import('./wire.cjs').StopMessage} StopMessage
 * @typedef {import('./wire.cjs').CreditMessage} CreditMessage
 * @typedef {import('./wire.cjs').CallOutcome} CallOutcome
 * @typedef {import('./wire.cjs').SkippedMessage} SkippedMessage
 * @typedef {import('./wire.cjs').ThreadSessionInit} SessionInit
 */

// This worker's entry in its pool's liveness table (./liveness-table.cjs): its death is
// recorded there even between sessions, when no session's exit handler is installed, and a
// parent blocked in resultSync is woken to look. (A worker that runs out of memory runs no
// exit handler: its death is not recorded.)
const { unsyncLiveness: liveness, unsyncSignal: signal } = workerData ?? {};
if (liveness instanceof Int32Array && signal instanceof Int32Array) {
  trackLiveness(liveness, signal, threadId, (onExit) => process.on('exit', onExit));
}

/**
 * Answers in the answer cells announced together at most: the parent refills a thread's
 * pipeline when it reads its answers, so a thread announces well before its pipeline
 * (32 calls deep for tiny calls) runs dry.
 */
const ANNOUNCE_EVERY = 8;

/** A call whose function's last run was shorter than this (ms) runs while answers wait unannounced. */
const SHORT_RUN_MS = 0.1;

/**
 * The answer-cell tag of a primitive result (`ANSWER_*` of ./wire.cjs), or -1 for a value
 * that must be cloned (it goes on the port).
 * @param {unknown} value
 * @returns {number}
 */
function primitiveTag(value) {
  if (typeof value === 'number') return wire.ANSWER_NUMBER;
  if (value === undefined) return wire.ANSWER_UNDEFINED;
  if (value === null) return wire.ANSWER_NULL;
  if (value === true) return wire.ANSWER_TRUE;
  if (value === false) return wire.ANSWER_FALSE;
  return -1;
}

/**
 * The thread pool's worker loop: calls arrive on `port` in batches (several may be queued:
 * the pool pipelines; a batch is taken in order, its functions named by the session's
 * function table), run one at a time in order, and each answer goes back on `port` or, for
 * a primitive result, into the call's answer cells. Before a call starts the worker claims
 * its cell (SENT -> STARTED); a cell the parent already set to cancelled means "do not
 * start", answered with `skipped`. While the call runs, the parent may move the cell to
 * STOP (the call's `checkpoint()` throws) and post a `stop` message (its signal aborts).
 * When the call ends the cell moves STARTED -> DONE before the answer is posted, or
 * STARTED -> ANSWERED after the answer was written to the answer cells, so a cancel that
 * comes later knows the call finished. Answers in the cells are announced with one empty
 * result batch every `ANNOUNCE_EVERY` answers, before a call whose function is not known to
 * be short, and when the worker runs out of calls; they need no announcing to be safe: the
 * parent reads them even after the thread died (one that runs out of memory included). After each
 * answer, when a parent thread is blocked in `resultSync` (`signal[0] > 0`), bump
 * `signal[1]` and wake it. Runs inside a piscina session (./thread-entry.cjs); returns a
 * function that detaches it from the worker when the session ends (the worker lives on in
 * piscina's pool).
 * @param {SessionInit} init
 * @returns {() => void}
 */
function serveThread({ port, cells, answers, signal, deadCell, exitCell, tsLoader, version }) {
  if (version !== PROTOCOL_VERSION) {
    throw new Error(`unsync protocol mismatch: the pool speaks version ${version}, this worker (${__filename}) version ${PROTOCOL_VERSION}; the parent and the worker load different copies of unsync`);
  }
  preferLoader(tsLoader);
  /** The session's function table (`ThreadFunctionMessage`s), by entry. @type {FunctionEntry[]} */
  const functions = [];
  /** Calls received and not started yet, in order. @type {ThreadCall[]} */
  const pending = [];
  let busy = false;
  const wake = () => {
    if (Atomics.load(signal, 0) !== 0) {
      Atomics.add(signal, 1, 1);
      Atomics.notify(signal, 1);
    }
  };
  /**
   * @param {CallOutcome | SkippedMessage} outcome
   * @param {ThreadCall} [call]
   */
  const reply = (outcome, call) => {
    try {
      if (outcome.type !== 'result') port.postMessage(outcome);
      else {
        // A result marked with move() goes by transfer. A plain result goes flat
        // (ThreadResultBatch): no property names to clone.
        const transfer = takeTransfers([outcome.value]);
        if (outcome.thenable === undefined && outcome.cpuMs === undefined && outcome.preemptedMs === undefined) {
          port.postMessage([outcome.id, outcome.value, outcome.startedAt, outcome.endedAt], transfer);
        } else port.postMessage(outcome, transfer);
      }
    } catch (reason) {
      // Only a call's value can fail to clone (a skipped message is numbers).
      port.postMessage(resultCloneFailure(/** @type {CallOutcome} */ (outcome), reason, call));
    }
    wake();
  };
  /**
   * A `stop` message: abort the signal of the call it names, if that call still runs.
   * @param {StopMessage} message
   */
  const stop = (message) => {
    const scope = currentScope();
    if (scope !== undefined && scope.id === message.id) scope.stop();
  };
  /** The running call's I/O (./call-scope.cjs): its progress, a stream call's items and credit. */
  /** @type {CallIO | undefined} */
  let running;
  /** @type {import('./call-scope.cjs').Transport} */
  const transport = {
    progress: (id, value) => port.postMessage({ type: 'progress', id, value }),
    items: (id, values) => port.postMessage({ type: 'items', id, values }, takeTransfers(values)),
  };
  /**
   * A `credit` message: the consumer of the running stream call took `n` values.
   * @param {CreditMessage} message
   */
  const addCredit = (message) => {
    if (running !== undefined && running.id === message.id) running.credit?.add(message.n);
  };
  /**
   * A batch: the calls the parent picked for this thread together, in order (flat, see
   * `ThreadCallBatch`), queued as the thread's own records.
   * @param {ThreadCallBatch} batch
   */
  const take = (batch) => {
    for (let at = 0; at < batch.length; at += THREAD_CALL_STRIDE) {
      const head = batch[at];
      const extras = typeof head === 'number' ? undefined : /** @type {ThreadCallExtras} */ (head);
      const entry = functions[extras === undefined ? /** @type {number} */ (head) : extras.fn];
      pending.push({
        id: /** @type {number} */ (batch[at + 1]),
        cell: /** @type {number} */ (batch[at + 2]),
        args: /** @type {readonly unknown[]} */ (batch[at + 3]),
        file: entry.file,
        name: entry.name,
        cpu: extras?.cpu,
        stream: extras?.stream,
        entry,
      });
    }
  };
  /**
   * A message other than a batch: `stop`, `credit`, or a new function-table entry.
   * @param {StopMessage | CreditMessage | ThreadFunctionMessage} message
   */
  const control = (message) => {
    if (message.type === 'stop') stop(message);
    else if (message.type === 'credit') addCredit(message);
    else functions[message.fn] = { file: message.file, name: message.name, fn: locatedFunction(message.file, message.name), lastRunMs: Infinity };
  };
  /** @returns {ThreadCall | undefined} the next call to run, after any `stop` messages before it */
  const next = () => {
    if (pending.length > 0) return pending.shift();
    for (;;) {
      const received = receiveMessageOnPort(port);
      if (received === undefined) return undefined;
      /** @type {ThreadCallBatch | StopMessage | CreditMessage | ThreadFunctionMessage} */
      const message = received.message;
      if (Array.isArray(message)) {
        take(message);
        return pending.shift();
      }
      control(/** @type {StopMessage | CreditMessage | ThreadFunctionMessage} */ (message));
    }
  };
  // Answers written to the answer cells since the parent was last told (an empty result batch).
  let unannounced = 0;
  const announce = () => {
    if (unannounced === 0) return;
    unannounced = 0;
    port.postMessage([]);
  };
  /**
   * End a call with a primitive result in its answer cells (STARTED -> ANSWERED), without a
   * message. False when the value is not primitive, the call is a stream call, asked for
   * its CPU time or reported progress (its items and progress went on the port: its answer
   * follows them there, in order), or it was asked to stop meanwhile (the cell is STOP: its
   * answer goes on the port, and it ends cancelled).
   * @param {CallOutcome} outcome
   * @param {number} cell
   * @param {CallIO} io
   * @returns {boolean}
   */
  const answerInCells = (outcome, cell, io) => {
    if (outcome.type !== 'result' || io.credit !== undefined || outcome.cpuMs !== undefined || outcome.preemptedMs !== undefined || io.reported) return false;
    const tag = primitiveTag(outcome.value);
    if (tag < 0) return false;
    const at = cell * ANSWER_SLOTS;
    answers[at] = outcome.thenable === true ? tag + ANSWER_THENABLE : tag;
    answers[at + 1] = tag === wire.ANSWER_NUMBER ? /** @type {number} */ (outcome.value) : 0;
    answers[at + 2] = outcome.startedAt;
    answers[at + 3] = outcome.endedAt;
    // Written before the move: the parent reads the cells only after it sees ANSWERED.
    return Atomics.compareExchange(cells, cell, CELL_STARTED, CELL_ANSWERED) === CELL_STARTED;
  };
  const drain = async () => {
    busy = true;
    for (let call = next(); call !== undefined; call = next()) {
      const cell = call.cell;
      if (Atomics.compareExchange(cells, cell, CELL_SENT, CELL_STARTED) !== CELL_SENT) {
        reply({ type: 'skipped', id: call.id, cell });
        continue;
      }
      // The table entry keeps the function once a call located it (the first call loads its
      // module), and how long its last run took.
      const entry = call.entry;
      // Answers waiting in the cells are announced before a call that may not be short:
      // they are safe there whatever happens next, but their callers should not wait for it.
      if (!(entry.lastRunMs < SHORT_RUN_MS)) announce();
      const io = (running = new CallIO(call.id, transport, call.stream));
      const probe = () => Atomics.load(cells, cell) === CELL_STOP;
      if (entry.fn === undefined) entry.fn = locatedFunction(entry.file, entry.name);
      let outcome = entry.fn !== undefined ? runLocatedNow(entry.fn, call, probe, io) : runCallNow(call, probe, io);
      if (typeof outcome.then === 'function') outcome = await outcome;
      io.end(); // the last value reported goes before the answer
      running = undefined;
      entry.lastRunMs = outcome.endedAt - outcome.startedAt;
      if (answerInCells(outcome, cell, io)) {
        wake();
        if (++unannounced >= ANNOUNCE_EVERY) announce();
        continue;
      }
      Atomics.compareExchange(cells, cell, CELL_STARTED, CELL_DONE);
      // The parent reads the answers waiting in the cells before any message: this one counts as announcing them.
      unannounced = 0;
      reply(outcome, call);
    }
    announce();
    busy = false;
  };
  port.on('message', (/** @type {ThreadCallBatch | StopMessage | CreditMessage | ThreadFunctionMessage} */ message) => {
    if (Array.isArray(message)) {
      take(message);
      if (!busy) void drain();
      return;
    }
    control(/** @type {StopMessage | CreditMessage | ThreadFunctionMessage} */ (message));
  });
  // A parent blocked in resultSync cannot see the session end: tell it through memory.
  // The exit code (plus one) goes first: a crash error carries it.
  const onExit = (/** @type {unknown} */ code) => {
    Atomics.store(cells, exitCell, (typeof code === 'number' ? code : 1) + 1);
    Atomics.store(cells, deadCell, 1);
    Atomics.add(signal, 1, 1);
    Atomics.notify(signal, 1);
  };
  process.on('exit', onExit);
  return () => process.off('exit', onExit);
}

/**
 * Serve one session; resolves (with null) when the executor ends it by closing the port.
 * @param {SessionInit} init
 * @returns {Promise<null>}
 */
module.exports = function unsyncSession(init) {
  return new Promise((resolve) => {
    const detach = serveThread(init);
    init.port.once('close', () => {
      detach();
      resolve(null);
    });
    // Lets a caller blocked in resultSync know this session serves its port without the
    // parent's event loop (see ThreadExecutor#serving).
    // Which worker serves it: the executor looks up its exit code if it dies (out of memory).
    Atomics.store(init.cells, init.threadCell, threadId);
    Atomics.store(init.cells, init.sessionCell, 1);
  });
};
