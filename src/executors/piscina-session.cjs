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

// This worker's slot in its pool's liveness table (see LIVENESS_SLOTS in
// piscina-sessions.ts): its death is marked there even between sessions, when no session's
// exit handler is installed, and a parent blocked in resultSync is woken to look.
const { unsyncLiveness: liveness, unsyncSignal: signal, unsyncSlots: slots } = workerData ?? {};
if (liveness instanceof Int32Array && signal instanceof Int32Array) {
  const slot = Atomics.add(liveness, 0, 1) % slots;
  Atomics.store(liveness, 2 + 2 * slot, 0);
  Atomics.store(liveness, 1 + 2 * slot, threadId);
  process.on('exit', () => {
    Atomics.store(liveness, 2 + 2 * slot, 1);
    Atomics.add(signal, 1, 1);
    Atomics.notify(signal, 1);
  });
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
