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
const { trackLiveness } = require('./liveness-table.cjs');

// This worker's entry in its pool's liveness table (./liveness-table.cjs): its death is
// recorded there even between sessions, when no session's exit handler is installed, and a
// parent blocked in resultSync is woken to look. (A worker that runs out of memory runs no
// exit handler: its death is not recorded.)
const { unsyncLiveness: liveness, unsyncSignal: signal } = workerData ?? {};
if (liveness instanceof Int32Array && signal instanceof Int32Array) {
  trackLiveness(liveness, signal, threadId, (onExit) => process.on('exit', onExit));
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
