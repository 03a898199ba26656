'use strict';
/**
 * The piscina worker module of the thread pool: piscina calls the exported function with a
 * session's init message (one piscina task = one session; see thread-executor.ts). It serves
 * calls on the transferred `port` with bootstrap's `serveThread` (our own protocol, claim
 * cells, `resultSync` wake-ups) and resolves when the executor closes its end of the port,
 * which frees the worker for piscina. Plain CommonJS: it runs before any TypeScript loader.
 */
const { threadId, workerData } = require('node:worker_threads');
const { serveThread } = require('./bootstrap.cjs');

// This worker's entry in its pool's liveness table (see livenessSlots in
// piscina-sessions.ts): its death is recorded there even between sessions, when no session's
// exit handler is installed, and a parent blocked in resultSync is woken to look. (A worker
// that runs out of memory runs no exit handler: its death is not recorded.)
const { unsyncLiveness: liveness, unsyncSignal: signal } = workerData ?? {};
if (liveness instanceof Int32Array && signal instanceof Int32Array) trackLiveness(liveness, signal, threadId, (onExit) => process.on('exit', onExit));

/**
 * Claim a slot of `table` for worker `id` and, through `atExit`, turn it negative when the
 * worker exits (then wake a blocked parent through `wake[1]`). Returns the slot, or -1.
 */
function trackLiveness(table, wake, id, atExit) {
  let slot = -1;
  // A free slot first, else one whose worker died; lose a race for it and look further.
  for (let pass = 0; pass < 2 && slot < 0; pass++) {
    for (let i = 0; i < table.length && slot < 0; i++) {
      const seen = Atomics.load(table, i);
      if ((pass === 0 ? seen === 0 : seen < 0) && Atomics.compareExchange(table, i, seen, id) === seen) slot = i;
    }
  }
  if (slot < 0) return -1; // more workers than slots: this one is not tracked
  atExit(() => {
    Atomics.compareExchange(table, slot, id, -id);
    Atomics.add(wake, 1, 1);
    Atomics.notify(wake, 1);
  });
  return slot;
}

/** Serve one session; resolves (with null) when the executor ends it by closing the port. */
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

// For the unit test of the table (the worker itself only runs the call above).
module.exports.trackLiveness = trackLiveness;
