'use strict';
// @ts-check
/**
 * The wire constants both sides of a pool read: the parent (src/executors/*.ts) and the
 * worker side (this folder). One source: no other file spells these numbers.
 * The message shapes are typed in ./wire.d.cts, for the TypeScript side (through
 * ../protocol.ts) and the worker side's JSDoc alike.
 */

/** Bumped on any incompatible change to the protocol; the handshake checks it (3: batches of thread calls; 4: progress messages; 5: stream calls, items and credit; 6: the process gate replaces the freeze; 7: a call may ask for its CPU time, answers carry cpuMs / preemptedMs; 8: thread calls and plain results travel flat, functions by a per-thread table, primitive results in answer cells). */
const PROTOCOL_VERSION = 8;

/** Slots per call in a thread's call batch, and per result in its result batch (see ./wire.d.cts). */
const THREAD_CALL_STRIDE = 4;
const THREAD_RESULT_STRIDE = 4;

/*
 * A thread call's claim cell (one `Int32Array` slot shared by the parent and the thread).
 * Moves: SENT -> STARTED (the thread, before it starts the call) or SENT -> CANCELLED (the
 * parent: the call never starts; the thread answers `skipped`); STARTED -> STOP (the parent
 * asks the running call to stop: `checkpoint()` throws); STARTED -> DONE (the thread, when
 * the call has ended, before it posts the answer) or STARTED -> ANSWERED (see there). Every move is a compare-and-swap, so
 * exactly one side wins: a cancel that finds DONE knows the call finished and touches nothing.
 */
const CELL_SENT = 0;
const CELL_STARTED = 1;
const CELL_CANCELLED = 2;
const CELL_STOP = 3;
const CELL_DONE = 4;
/**
 * STARTED -> ANSWERED (the thread, instead of DONE): the call has ended with a primitive
 * result (a number, `undefined`, `null`, a boolean), which the thread wrote into the call's
 * answer cells (`ANSWER_SLOTS` of a `Float64Array` shared like the claim cells) before the
 * move, and posted no answer. The parent reads it there, in the call's turn, whenever it
 * reads answers; so an answer a thread holds is never lost, even if the thread dies next.
 */
const CELL_ANSWERED = 5;

/** Answer cells per call: tag (ANSWER_* | ANSWER_THENABLE), value, startedAt, endedAt. */
const ANSWER_SLOTS = 4;
/** What an answer cell's tag says the value is (the value slot holds a number only for ANSWER_NUMBER). */
const ANSWER_NUMBER = 0;
const ANSWER_UNDEFINED = 1;
const ANSWER_NULL = 2;
const ANSWER_TRUE = 3;
const ANSWER_FALSE = 4;
/** Added to the tag when the function returned a thenable (`CallTimes.thenable`). */
const ANSWER_THENABLE = 8;

/**
 * The child process's control pipe: the file descriptor (after stdin, stdout, stderr and
 * the IPC channel) on which the parent writes the id of a call to stop, as a 32-bit
 * little-endian integer per request. The child's control thread reads it (see
 * ../process-entry.cjs), so a request reaches a child whose main thread is busy.
 */
const PROCESS_CONTROL_FD = 4;

/**
 * Frames of the control pipe besides stop requests (which are call ids, always positive):
 * close the child's gate and answer which call runs (CONTROL_GATE_REQUEST), or open it
 * again (CONTROL_UNGATE_REQUEST). CONTROL_GATED is the gate cell's closed state.
 */
const CONTROL_GATE_REQUEST = -1;
const CONTROL_UNGATE_REQUEST = -2;
const CONTROL_GATED = 0x7fffffff;

module.exports = { PROTOCOL_VERSION, THREAD_CALL_STRIDE, THREAD_RESULT_STRIDE, PROCESS_CONTROL_FD, CONTROL_GATE_REQUEST, CONTROL_UNGATE_REQUEST, CONTROL_GATED, CELL_SENT, CELL_STARTED, CELL_CANCELLED, CELL_STOP, CELL_DONE, CELL_ANSWERED, ANSWER_SLOTS, ANSWER_NUMBER, ANSWER_UNDEFINED, ANSWER_NULL, ANSWER_TRUE, ANSWER_FALSE, ANSWER_THENABLE };
