/**
 * Thread pool against process pool, from measurement: for a function that runs off the loop
 * often enough, send a few calls to the pool it does not use, compare what each pool adds
 * to a call, and keep the cheaper.
 *
 * What a pool adds to a call (its overhead) is the time from handing the call to a worker
 * to its answer arriving here, less the run itself: both message trips (structured clone
 * over a `MessagePort` for threads, serialization over a pipe for child processes, a large
 * buffer through a file), waking the worker, and the caller's side. The run is left out: it
 * is the same work on either pool, and measured on a busy machine its length says how busy
 * the cores were when it ran, not which pool is better. (Comparing whole costs, a function
 * probing an idle pool while its own pool was busy with other functions' calls measured
 * the idle pool several times "faster", moved there, and the next function did the same:
 * the HTTP benchmark's functions spread over both pools, four busy workers on two cores,
 * and the server answered a fraction of the requests the same functions pinned to either
 * pool did; docs/performance.md, "HTTP server".) Time queued is
 * left out too (only calls that found a worker free count), and so is a worker's first
 * call into the module.
 *
 * The comparison, and its hysteresis:
 * - once the function has run `compareAfterMs` on the pools (a comparison starts a worker in
 *   the other pool, a child process costing tens to hundreds of ms of CPU under a
 *   TypeScript loader, which a function that ran less would not earn back), and after
 *   `compareAfter` warm calls on its pool, calls go to the other pool (`probing`),
 *   each only when a worker there is ready and idle (one is started for it meanwhile) and
 *   nothing else is in flight, at most `3 × probeCalls` of them, until
 *   `2 × probeCalls` of them answered: the first half warms the other pool up (a new
 *   worker's JIT has not seen the function yet: its first calls there can cost several
 *   times its later ones) and is not compared;
 * - the lowest of the last `probeCalls` overheads on each pool are compared (`lowest`: the
 *   noise in a sample only adds to it), and the function moves only when the other pool's
 *   is lower by more than `switchMargin` (a fraction);
 * - the next comparison waits twice as many calls as the last, and after `maxFlips`
 *   comparisons the choice is final. A function that needs a process never probes threads.
 */
import type { ConcreteExecutor } from './options';

/** A comparison whose other pool took no call in `compareAfter` times this many answers here gives up its round. */
const NEVER_SENT = 16;

/** The pools compared here. */
export type Pool = 'thread' | 'process';

/**
 * The pool a function starts on, before thread against process is measured: the process pool
 * only when it needs one (its module loaded a native addon, which may not be safe in a
 * worker thread); otherwise the thread pool, blocking I/O and CPU-bound work alike. Node has
 * no global lock: a CPU-bound call runs in parallel on a thread as on a process, and a thread
 * call costs less (a structured clone over a `MessagePort` against serialization through a
 * pipe; a buffer is copied in memory, not written to a file), so the process pool is where a
 * comparison sends a function when it measures it cheaper there (docs/decorator.md, "Measuring",
 * and docs/performance.md, "HTTP server": the same workload on fixed thread and process pools).
 */
export function firstPool(needsProcess: boolean): Pool {
  return needsProcess ? 'process' : 'thread';
}

/** The thresholds this file reads (a view of the evidence thresholds). */
export interface PoolThresholds {
  readonly compareAfter: number;
  readonly compareAfterMs: number;
  readonly probeCalls: number;
  readonly switchMargin: number;
  readonly maxFlips: number;
}

/** A pool's recent overheads per call (ms), newest last; at most `probeCalls` kept. */
interface Costs {
  recent: number[];
  calls: number;
}

/** Invariant: `probe` is set only while a comparison runs; `rounds` only grows. */
export class PoolChoice {
  /** The measured choice, once a comparison decided. */
  chosen: Pool | undefined = undefined;
  reason = '';
  /** A comparison under way: calls go to `pool` while `sending`. */
  probe: { readonly pool: Pool; readonly from: Pool; sent: number; sending: boolean } | undefined = undefined;
  rounds = 0;
  /** Warm calls recorded since the last comparison ended (or since the first call). */
  callsSince = 0;
  readonly costs: Record<Pool, Costs> = { thread: { recent: [], calls: 0 }, process: { recent: [], calls: 0 } };
  /** Answers from the probed pool since the comparison began. */
  #probeAnswers = 0;
  /** Answers from the current pool since the probe stopped sending. */
  #waited = 0;

  /** Where the next off-loop call goes, given the pool chosen without measurement. */
  route(guess: Pool): Pool {
    if (this.probe?.sending === true) return this.probe.pool;
    return this.chosen ?? guess;
  }

  /** A call was sent to `pool`; true when the route changed (the probe sent enough). */
  dispatched(pool: ConcreteExecutor, t: PoolThresholds): boolean {
    const p = this.probe;
    if (p === undefined || !p.sending || p.pool !== pool) return false;
    p.sent++;
    if (p.sent < 3 * t.probeCalls) return false;
    p.sending = false; // enough sent: the rest go back while their answers come in
    this.#waited = 0;
    return true;
  }

  /**
   * A warm call on `pool` had an overhead of `costMs`; `current` is where calls go when not probing
   * (read only when no comparison runs).
   * `mayProbe` is false for a function that needs a process; `ranMs` is the function's run
   * time on the pools so far. True when the route changed.
   */
  record(pool: Pool, costMs: number, current: Pool, mayProbe: boolean, t: PoolThresholds, ranMs: number): boolean {
    const c = this.costs[pool];
    c.calls++;
    c.recent.push(costMs);
    if (c.recent.length > t.probeCalls) c.recent.shift();
    if (this.probe !== undefined) {
      // During a comparison only the probed pool's answers count towards it; the other
      // pool's (calls sent before it began) keep its recent costs fresh.
      if (pool !== this.probe.pool) {
        // All probes sent and too few answered (lost with a worker, cancelled): give up
        // this round after as many calls again; the next round is spaced as usual. And
        // when the other pool never took one (no worker of it became ready: its workers
        // fail to start, or no call could run alone there), give up after NEVER_SENT times
        // as many: a child process under a TypeScript loader takes a few hundred ms to
        // start, during which a script's short calls go on here.
        const limit = !this.probe.sending ? t.compareAfter : this.probe.sent === 0 ? t.compareAfter * NEVER_SENT : Infinity;
        if (++this.#waited < limit) return false;
        this.#giveUp(t);
        return true; // the route changed back
      }
      this.#probeAnswers++;
      return this.#probeAnswers >= 2 * t.probeCalls ? this.#decide(t) : false;
    }
    if (pool !== current) return false; // a late answer from an earlier probe
    this.callsSince++;
    if (!mayProbe || this.rounds >= t.maxFlips || t.probeCalls === 0 || ranMs < t.compareAfterMs) return false;
    if (this.callsSince < t.compareAfter * 2 ** this.rounds || c.recent.length < t.probeCalls) return false;
    const other: Pool = current === 'thread' ? 'process' : 'thread';
    this.costs[other].recent = [];
    this.#probeAnswers = 0;
    this.#waited = 0;
    this.probe = { pool: other, from: current, sent: 0, sending: true };
    return true;
  }

  /** End a round that measured too little: the function stays where it was, and `reason` says why. */
  #giveUp(t: PoolThresholds): void {
    const { pool: other, from, sent } = this.probe!;
    const measured = this.#probeAnswers;
    this.#endRound();
    this.chosen = from;
    const again = this.rounds < t.maxFlips ? ' (it tries again later)' : '';
    this.reason =
      `compared with the ${other} pool, but ${sent === 0 ? 'no call could go there (no worker of it was ready while a call ran alone)' : `only ${measured} of the ${sent} calls sent there were measured alone on a quiet machine, of the ${2 * t.probeCalls} a comparison needs`}, ` +
      `so it stays on the ${from} pool${again}`;
  }

  #endRound(): void {
    this.probe = undefined;
    this.rounds++;
    this.callsSince = 0;
  }

  #decide(t: PoolThresholds): boolean {
    const { pool: other, from: current } = this.probe!;
    this.#endRound();
    const mine = lowest(this.costs[current].recent);
    const theirs = lowest(this.costs[other].recent);
    const n = t.probeCalls;
    const words = `an overhead of ${fmt(theirs)} per call on the ${other} pool against ${fmt(mine)} on the ${current} pool (the lowest of ${n} calls each)`;
    if (theirs < mine * (1 - t.switchMargin)) {
      this.chosen = other;
      this.reason = `measured ${words}, so it moved to the ${other} pool`;
    } else {
      this.chosen = current;
      this.reason = `measured ${words}, so it stays on the ${current} pool (it moves only for a gain over ${Math.round(t.switchMargin * 100)}%)`;
    }
    return true; // probing ended: the route changed back (or over)
  }
}

/**
 * The lowest of a non-empty list: a pool's overhead as its best call measured it. What a
 * call waits for besides the pool (the caller's event loop busy with other work when the
 * answer arrives, a core taken by another program when a worker wakes) only ever adds to a
 * sample, so the lowest of several is the closest to what the pool itself costs; a median
 * would keep that noise whenever most samples met it (docs/decorator.md, "Thread or process").
 */
export function lowest(values: readonly number[]): number {
  let min = Infinity;
  for (const v of values) if (v < min) min = v;
  return min;
}

function fmt(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
}
