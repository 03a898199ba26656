/**
 * The pool engine's own rules, over a scripted link: the test plays the workers (it decides
 * when a worker is ready, what it started, what it answers and when it is gone), so every
 * ordering the real links can produce is reached deterministically. The real links are
 * exercised by the executor tests (thread-executor, process-*, cooperative-cancellation).
 */
import { CancelledError, InvalidStateError, TimeoutError } from '../../../src/core/errors';
import { CloneError, WorkerCrashedError } from '../../../src/core/executor-errors';
import { QueueFull } from '../../../src/core/primitive-errors';
import type { PoolRun } from '../../../src/executors/executor';
import type { EngineAccess } from '../../../src/executors/engine/engine-access';
import type { Link, LinkEvents, LinkExit, Slot, WithdrawResult } from '../../../src/executors/engine/link';
import type { PoolCall } from '../../../src/executors/engine/pool-call';
import { PoolEngine, type EngineSettings } from '../../../src/executors/engine/pool-engine';
import { rejectionOf } from '../helpers';

/** One scripted worker. */
interface Worker {
  readonly n: number;
  ready: boolean;
  /** Batches of call ids sent to it, in order. */
  readonly batches: number[][];
  /** Ids it has started (withdraw finds them running; a gone worker had started them). */
  readonly started: Set<number>;
  /** Ids it has ended (withdraw finds them ended). */
  readonly ended: Set<number>;
  readonly stopAsked: number[];
  how: 'live' | 'retired' | 'killed';
  /** False: sends are refused as by a child whose channel closed before its exit event came. */
  reachable: boolean;
  /** Sends refused so far. */
  refused: number;
}

interface Script {
  /** Workers take calls at once (threads) or after `ready` (processes). */
  readyAtOnce: boolean;
  /** Withdrawing an unstarted call is exact ('never') or a request ('asked'). */
  exact: boolean;
  depth: number;
  idleDelay: number | undefined;
}

class ScriptedLink implements Link<Worker> {
  readonly leavingHoldsPlace = true;
  readonly workers: Worker[] = [];
  readonly log: string[] = [];
  events!: LinkEvents<Worker>;
  access!: EngineAccess<Worker>;

  constructor(readonly script: Script) {}

  start(): Worker {
    const worker: Worker = { n: this.workers.length, ready: this.script.readyAtOnce, batches: [], started: new Set(), ended: new Set(), stopAsked: [], how: 'live', reachable: true, refused: 0 };
    this.workers.push(worker);
    this.log.push(`start ${worker.n}`);
    return worker;
  }
  accepting(slot: Slot<Worker>): boolean {
    return slot.handle.ready && slot.handle.how === 'live';
  }
  starting(slot: Slot<Worker>): boolean {
    return !slot.handle.ready;
  }
  readonly pipelineMaxRunMs = Infinity;
  /** What the engine said of the pool's mean run time, call by call (see Link.depth). */
  readonly meanRuns: (number | undefined)[] = [];
  depth(meanRunMs: number | undefined): number {
    this.meanRuns.push(meanRunMs);
    return this.script.depth;
  }
  send(slot: Slot<Worker>, calls: readonly PoolCall[]): boolean {
    if (calls.some((call) => call.args[0] === 'unclonable')) throw new Error('could not be cloned');
    if (slot.handle.how !== 'live') return false;
    if (!slot.handle.reachable) {
      // An engine that retried at once would never let the exit event come: stop it spinning.
      if (++slot.handle.refused === 50) slot.handle.reachable = true;
      return false;
    }
    slot.handle.batches.push(calls.map((call) => call.args[0] as number));
    return true;
  }
  withdraw(slot: Slot<Worker>, call: PoolCall): WithdrawResult {
    const id = call.args[0] as number;
    if (slot.handle.ended.has(id)) return 'ended';
    if (slot.handle.started.has(id)) return 'running';
    this.log.push(`withdraw ${id}`);
    return this.script.exact ? 'never' : 'asked';
  }
  reclaim(slot: Slot<Worker>, call: PoolCall): boolean {
    return this.script.exact && !slot.handle.started.has(call.args[0] as number);
  }
  sendError(call: PoolCall, error: unknown): Error {
    return new CloneError(`${call.ref.name}: ${(error as Error).message}`, 'argument');
  }
  credit(_slot: Slot<Worker>, call: PoolCall, n: number): void {
    this.log.push(`credit ${call.args[0] as number} ${n}`);
  }
  requestStop(slot: Slot<Worker>, call: PoolCall): boolean {
    const id = call.args[0] as number;
    if (slot.handle.ended.has(id)) return false;
    slot.handle.stopAsked.push(id);
    this.log.push(`ask ${id}`);
    return true;
  }
  forceStop(slot: Slot<Worker>, call: PoolCall): boolean {
    if (call.state === 'done' && !call.stopRequested) return false;
    this.events.killedForCancel();
    slot.handle.how = 'killed';
    this.log.push(`force ${call.args[0] as number}`);
    return true;
  }
  retire(slot: Slot<Worker>): void {
    slot.handle.how = 'retired';
    this.log.push(`retire ${slot.handle.n}`);
  }
  kill(slot: Slot<Worker>): void {
    slot.handle.how = 'killed';
    this.log.push(`kill ${slot.handle.n}`);
  }
  setBusy(): void {}
  idleDelay(): number | undefined {
    return this.script.idleDelay;
  }
  async close(): Promise<void> {
    this.log.push('close');
  }
}

const REF = { file: '/scripted/jobs.js', name: 'job' };

function setup(script: Partial<Script> = {}, settings: Partial<EngineSettings> = {}) {
  const link = new ScriptedLink({ readyAtOnce: true, exact: true, depth: 2, idleDelay: undefined, ...script });
  const engine = new PoolEngine<Worker>(
    { kind: 'thread', maxWorkers: 1, minWorkers: 0, maxTasksPerWorker: Infinity, cancelGrace: 1000, callerStacks: false, maxQueue: Infinity, ...settings },
    (events, access) => {
      link.events = events;
      link.access = access;
      return link;
    },
  );
  const slots = (): Slot<Worker>[] => [...link.access.slots()];
  const slotOf = (n: number): Slot<Worker> => slots().find((s) => s.handle.n === n)!;
  /** Call `id` (its first argument names it in the script). */
  const submit = <T = unknown>(id: number | string, options?: Parameters<typeof engine.submit>[2]) => engine.submit<T>(REF, [id], options, submit);
  const answer = (worker: number, id: number, value: unknown = `value ${id}`) => {
    const slot = slotOf(worker);
    slot.handle.started.add(id);
    slot.handle.ended.add(id);
    const call = slot.sent.find((c) => c.args[0] === id)!;
    engine.answer(slot, { type: 'result', id: call.id, value, startedAt: 1, endedAt: 3 });
  };
  const skipped = (worker: number, id: number) => {
    const slot = slotOf(worker);
    const call = slot.sent.find((c) => c.args[0] === id)!;
    engine.answer(slot, { type: 'skipped', id: call.id });
  };
  const gone = (worker: number, exit: Partial<LinkExit> = {}) => {
    const slot = slotOf(worker);
    link.events.gone(slot, {
      started: (call) => slot.handle.started.has(call.args[0] as number),
      crashError: (call) => new WorkerCrashedError(`worker ${worker} died running ${call.args[0] as number}`),
      neverReady: false,
      ...exit,
    });
  };
  const sentIds = (worker: number) => slotOf(worker).sent.map((c) => c.args[0]);
  return { link, engine, slots, slotOf, submit, answer, skipped, gone, sentIds };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('PoolEngine: dispatch', () => {
  it('sends calls in submission order, one batch per worker per dispatch, up to the link depth', async () => {
    const { link, submit, answer } = setup({ depth: 3 });
    const results = [1, 2, 3, 4, 5].map((id) => submit(id));
    await tick();
    // Call 1 left at once (an idle worker); 2 and 3 went in one batch; 4 and 5 wait.
    expect(link.workers[0]!.batches).toEqual([[1], [2, 3]]);
    answer(0, 1);
    await tick();
    expect(link.workers[0]!.batches).toEqual([[1], [2, 3], [4]]);
    for (const id of [2, 3, 4]) answer(0, id);
    await tick();
    answer(0, 5);
    expect(await Promise.all(results)).toEqual(['value 1', 'value 2', 'value 3', 'value 4', 'value 5']);
  });

  it('fills the places that answers read together freed with one batch per worker', async () => {
    const { link, submit, answer } = setup({ depth: 3 });
    const results = [1, 2, 3, 4, 5, 6].map((id) => submit(id));
    await tick();
    expect(link.workers[0]!.batches).toEqual([[1], [2, 3]]);
    // Three answers read in one poll phase, each its own event (microtasks run between
    // them): the three places they free leave together, after the last one.
    for (const id of [1, 2, 3]) {
      answer(0, id);
      await Promise.resolve();
    }
    expect(link.workers[0]!.batches).toHaveLength(2);
    await tick();
    expect(link.workers[0]!.batches).toEqual([[1], [2, 3], [4, 5, 6]]);
    for (const id of [4, 5, 6]) answer(0, id);
    expect(await Promise.all(results)).toEqual([1, 2, 3, 4, 5, 6].map((id) => `value ${id}`));
  });

  it('tells the link the mean run time only once 8 calls were measured', async () => {
    const { link, submit, answer } = setup({ depth: 1 });
    for (let id = 1; id <= 10; id++) {
      const result = submit(id);
      submit(100 + id); // waits: the link is asked how deep to pipeline
      await tick();
      answer(0, id);
      await tick();
      answer(0, 100 + id);
      await result;
    }
    const told = link.meanRuns.map((ms) => (ms === undefined ? 'unknown' : ms));
    // Asked while 0 to 7 answers were measured: unknown. Every run took 2 ms (startedAt 1,
    // endedAt 3), so after 8 answers the moving mean (weight 1/8, from 0) is 2 * (1 - (7/8)^8).
    const known = told.findIndex((ms) => ms !== 'unknown');
    expect(known).toBeGreaterThan(0);
    expect(told.slice(known).every((ms) => typeof ms === 'number')).toBe(true);
    expect(told[known]).toBeCloseTo(2 * (1 - (7 / 8) ** 8), 10);
  });

  it('starts a worker per waiting call up to maxWorkers before pipelining', async () => {
    const { link, submit, sentIds } = setup({ depth: 4 }, { maxWorkers: 2 });
    for (const id of [1, 2, 3]) submit(id);
    await tick();
    expect(link.workers).toHaveLength(2);
    expect([sentIds(0), sentIds(1)]).toEqual([[1, 3], [2]]);
  });

  it('waits for a starting worker instead of starting one per call, and sends when it is ready', async () => {
    const { link, submit, slotOf, engine } = setup({ readyAtOnce: false, depth: 8 }, { maxWorkers: 1 });
    const first = submit(1);
    submit(2);
    await tick();
    expect(link.workers).toHaveLength(1);
    expect(first.timing.startedAt).toBeUndefined();
    expect(engine.statistics()).toMatchObject({ queued: 2, running: 0, workers: 1 });
    link.workers[0]!.ready = true;
    link.events.ready(slotOf(0));
    expect(link.workers[0]!.batches).toEqual([[1, 2]]);
    expect(first.timing.startedAt).toBeDefined(); // it heads its worker's line: it runs
  });

  it('fails only the call whose value cannot be sent, and the others of its batch still go', async () => {
    const { link, submit, answer } = setup({ depth: 4 });
    submit(1);
    const bad = submit('unclonable');
    const good = submit(3);
    await tick();
    expect(await rejectionOf(bad)).toBeInstanceOf(CloneError);
    expect(link.workers[0]!.batches).toEqual([[1], [3]]);
    answer(0, 1);
    answer(0, 3);
    expect(await good).toBe('value 3');
  });

  it('gives the observer the worker run time before the Unfuture settles, and survives one that throws', async () => {
    const { submit, answer } = setup();
    const runs: PoolRun[] = [];
    const observed = submit(1, { onRun: (run) => runs.push(run) });
    const throwing = submit(2, {
      onRun: () => {
        throw new Error('observer bug');
      },
    });
    await tick();
    answer(0, 1);
    expect(runs).toEqual([{ runMs: 2, cold: true, thenable: false }]);
    expect(await observed).toBe('value 1');
    answer(0, 2);
    expect(await throwing).toBe('value 2');
  });

  it('sends nothing more to a worker that refused a send, and runs the call on its replacement once it is gone', async () => {
    const { link, submit, gone, answer } = setup({ depth: 4 });
    const first = submit(1);
    await tick();
    link.workers[0]!.started.add(1);
    link.workers[0]!.reachable = false; // its channel closed; the exit event has not come yet
    const second = submit(2);
    const third = submit(3);
    await tick();
    await tick();
    // One refusal, then the engine waits for the worker's end instead of retrying in a loop
    // that would keep the event loop from ever delivering it.
    expect(link.workers[0]!.refused).toBe(1);
    expect(link.workers).toHaveLength(1);
    gone(0);
    await tick();
    expect(await rejectionOf(first)).toBeInstanceOf(WorkerCrashedError); // it had started there
    expect(link.workers[1]!.batches).toEqual([[2, 3]]);
    answer(1, 2);
    answer(1, 3);
    expect(await Promise.all([second, third])).toEqual(['value 2', 'value 3']);
  });

  it('validates its arguments and refuses calls once closing', async () => {
    const { engine, submit } = setup();
    expect(() => engine.submit({ file: 1 } as never, [], undefined, submit)).toThrow(TypeError);
    expect(() => submit(1, { onRun: 'yes' } as never)).toThrow(/options\.onRun/);
    void engine.close();
    expect(() => submit(2)).toThrow(InvalidStateError);
  });
});

describe('PoolEngine: maxQueue', () => {
  it('refuses a call with QueueFull once maxQueue calls wait, counting calls sent behind a running one', async () => {
    const { engine, link, submit, answer } = setup({ depth: 2 }, { maxQueue: 2 });
    const running = submit(1);
    const pipelined = submit(2);
    const queued = submit(3);
    const refused = submit(4);
    const error = await rejectionOf(refused);
    expect(error).toBeInstanceOf(QueueFull);
    expect(error.message).toBe('the thread pool refused a call to `job`: 2 calls already wait for a worker (maxQueue: 2)');
    await tick();
    expect(engine.statistics()).toMatchObject({ queued: 2, running: 1, failed: 1 });
    // The waiting calls are not affected, and room comes back as they leave.
    answer(0, 1);
    await tick();
    const accepted = submit(5);
    for (const id of [2, 3]) answer(0, id);
    await tick();
    answer(0, 5);
    expect(await Promise.all([running, pipelined, queued, accepted])).toEqual(['value 1', 'value 2', 'value 3', 'value 5']);
    expect(link.workers[0]!.batches.flat()).toEqual([1, 2, 3, 5]);
  });

  it('with maxQueue 0 runs a call on an idle worker and refuses one that would wait', async () => {
    const { submit, answer } = setup({ depth: 2 }, { maxQueue: 0 });
    const first = submit(1);
    expect(await rejectionOf(submit(2))).toBeInstanceOf(QueueFull);
    answer(0, 1);
    expect(await first).toBe('value 1');
  });
});

describe('PoolEngine: cancellation', () => {
  it('removes a cancelled queued call: it is never sent', async () => {
    const { link, submit, answer } = setup({ depth: 1 });
    submit(1);
    const queued = submit(2);
    expect(queued.cancel()).toBe(true);
    expect(await rejectionOf(queued)).toBeInstanceOf(CancelledError);
    answer(0, 1);
    await tick();
    expect(link.workers[0]!.batches).toEqual([[1]]);
  });

  it('withdraws an unstarted pipelined call exactly (the worker skips it) and keeps the line in order', async () => {
    const { link, submit, answer, skipped, sentIds } = setup({ depth: 3 });
    submit(1);
    const second = submit(2);
    const third = submit(3);
    await tick();
    second.cancel();
    expect(await rejectionOf(second)).toBeInstanceOf(CancelledError);
    expect(sentIds(0)).toEqual([1, 2, 3]); // settled, still in line until the worker answers for it
    answer(0, 1);
    skipped(0, 2);
    answer(0, 3);
    expect(await third).toBe('value 3');
    expect(link.log).toContain('withdraw 2');
  });

  it("stops a withdrawn call that had started anyway ('asked') once it heads the line after the grace", async () => {
    jest.useFakeTimers();
    try {
      const { link, submit, answer, sentIds } = setup({ exact: false, depth: 3 }, { cancelGrace: 50 });
      submit(1);
      const second = submit(2);
      await Promise.resolve();
      jest.advanceTimersByTime(0);
      second.cancel();
      await expect(second).rejects.toBeInstanceOf(CancelledError);
      // The worker had taken 2 when it answered 1: 2 heads the line, and nothing drops it.
      link.workers[0]!.started.add(2);
      answer(0, 1);
      expect(sentIds(0)).toEqual([2]);
      jest.advanceTimersByTime(49);
      expect(link.log).not.toContain('force 2');
      jest.advanceTimersByTime(1);
      expect(link.log).toContain('force 2');
    } finally {
      jest.useRealTimers();
    }
  });

  it('asks a running call to stop and settles it cancelled only when the worker answers, counting a cooperative stop', async () => {
    const { engine, link, submit, answer } = setup();
    const running = submit(1);
    link.workers[0]!.started.add(1);
    running.cancel();
    await tick();
    expect(running.done()).toBe(false);
    expect(link.workers[0]!.stopAsked).toEqual([1]);
    answer(0, 1, 'returned after the request');
    expect(await rejectionOf(running)).toBeInstanceOf(CancelledError);
    expect(engine.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 1, terminatedForCancel: 0 });
  });

  it('forces a call that ignores the request after cancelGrace, and re-sends the calls behind it', async () => {
    jest.useFakeTimers();
    try {
      const { engine, link, submit, gone, answer } = setup({ depth: 2 }, { cancelGrace: 100, maxWorkers: 1 });
      const stubborn = submit(1);
      const behind = submit(2);
      await Promise.resolve();
      link.workers[0]!.started.add(1);
      stubborn.cancel();
      jest.advanceTimersByTime(100);
      expect(link.log).toContain('force 1');
      gone(0);
      await expect(stubborn).rejects.toBeInstanceOf(CancelledError);
      await Promise.resolve();
      expect(link.workers[1]!.batches).toEqual([[2]]);
      answer(1, 2);
      await expect(behind).resolves.toBe('value 2');
      expect(engine.statistics()).toMatchObject({ terminatedForCancel: 1, cancelled: 1, completed: 1 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('a cancel that finds the call ended changes nothing for the worker', async () => {
    const { link, submit } = setup();
    const call = submit(1);
    link.workers[0]!.started.add(1);
    link.workers[0]!.ended.add(1);
    call.cancel();
    expect(await rejectionOf(call)).toBeInstanceOf(CancelledError);
    expect(link.log.filter((l) => l.startsWith('ask') || l.startsWith('force'))).toEqual([]);
  });

  it('a timeout takes the same path and fails with TimeoutError', async () => {
    jest.useFakeTimers();
    try {
      const { link, submit, answer } = setup();
      const slow = submit(1, { timeout: 20 });
      link.workers[0]!.started.add(1);
      jest.advanceTimersByTime(20);
      expect(link.workers[0]!.stopAsked).toEqual([1]);
      answer(0, 1);
      await expect(slow).rejects.toBeInstanceOf(TimeoutError);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('PoolEngine: workers that die', () => {
  it('fails the started call, re-sends the unstarted ones first, and never runs a call twice', async () => {
    const { link, submit, gone, answer } = setup({ exact: false, depth: 3 }, { maxWorkers: 1 });
    const crashed = submit(1);
    const behind = submit(2);
    await tick();
    const later = submit(3);
    link.workers[0]!.started.add(1);
    gone(0);
    expect(await rejectionOf(crashed)).toBeInstanceOf(WorkerCrashedError);
    await tick();
    // 2 was given back ahead of 3, which had waited in the queue.
    expect(link.workers[1]!.batches.flat()).toEqual([2, 3]);
    answer(1, 2);
    answer(1, 3);
    expect(await Promise.all([behind, later])).toEqual(['value 2', 'value 3']);
    expect(link.workers[0]!.batches.flat().filter((id) => id === 2)).toEqual([2]); // sent once there, never started
  });

  it('gives up on the waiting calls only after several workers in a row died while starting', async () => {
    const { link, submit, gone } = setup({ readyAtOnce: false });
    const waiting = submit(1);
    for (let n = 0; n < 2; n++) {
      gone(n, { neverReady: true });
      await tick();
      expect(waiting.done()).toBe(false);
    }
    gone(2, { neverReady: true, startFailed: (call, starts) => new WorkerCrashedError(`${starts} starts failed for ${call.ref.name}`) });
    expect((await rejectionOf(waiting)).message).toBe('3 starts failed for job');
    expect(link.workers).toHaveLength(3);
  });

  it('fails every call at once when the worker refuses the protocol', async () => {
    const { submit, gone } = setup({ depth: 1 });
    const sent = submit(1);
    const waiting = submit(2);
    gone(0, { mismatch: (call) => new WorkerCrashedError(`mismatch for ${call.args[0] as number}`) });
    expect([(await rejectionOf(sent)).message, (await rejectionOf(waiting)).message]).toEqual(['mismatch for 1', 'mismatch for 2']);
  });
});

describe('PoolEngine: warmUp', () => {
  it('starts one worker for a later call, says true once it is ready and idle, and gives up after a start failed', async () => {
    const { engine, link, slotOf, submit, answer, gone } = setup({ readyAtOnce: false }, { maxWorkers: 2 });
    expect(engine.warmUp()).toBe(false); // nothing ready: one worker starts
    expect(engine.warmUp()).toBe(false); // it is starting: nothing more
    expect(link.workers).toHaveLength(1);
    gone(0, { neverReady: true }); // it died before it was ready
    expect(engine.warmUp()).toBe(false); // no new attempt: a call starts a worker when it must
    expect(link.workers).toHaveLength(1);
    const call = submit(1); // a real call starts one
    expect(link.workers).toHaveLength(2);
    link.workers[1]!.ready = true;
    link.events.ready(slotOf(1));
    answer(1, 1);
    expect(await call).toBe('value 1');
    expect(engine.warmUp()).toBe(true); // ready and idle: a call now starts at once
    expect(link.workers).toHaveLength(2);
    const closed = engine.close();
    expect(engine.warmUp()).toBe(false); // closing
    expect(link.workers).toHaveLength(2);
    gone(1); // the retired worker exits
    await closed;
  });
});

describe('PoolEngine: close and statistics', () => {
  it('close() waits for the calls, then retires the workers and closes the link', async () => {
    const { engine, link, submit, answer, gone } = setup();
    const call = submit(1);
    const closed = engine.close();
    expect(engine.state).toBe('closing');
    await tick();
    expect(link.log).not.toContain('retire 0');
    answer(0, 1);
    await tick();
    expect(link.log).toContain('retire 0');
    gone(0);
    await closed;
    expect(engine.state).toBe('closed');
    expect(link.log.at(-1)).toBe('close');
    expect(await call).toBe('value 1');
  });

  it('close({ cancelPending }) cancels calls not started, in the queue and in a worker line, and lets the running one finish', async () => {
    const { engine, link, submit, answer, skipped, gone } = setup({ depth: 2 });
    const running = submit(1);
    const pipelined = submit(2);
    const queued = submit(3);
    await tick();
    link.workers[0]!.started.add(1);
    const closed = engine.close({ cancelPending: true });
    expect((await rejectionOf(pipelined)).message).toBe('the thread executor was closed');
    expect(await rejectionOf(queued)).toBeInstanceOf(CancelledError);
    answer(0, 1);
    skipped(0, 2);
    await tick();
    gone(0);
    await closed;
    expect(await running).toBe('value 1');
  });

  it('statistics() counts the head of each line as running and the rest as queued', async () => {
    const { engine, submit, answer } = setup({ depth: 2 }, { maxWorkers: 2 });
    for (const id of [1, 2, 3, 4, 5]) submit(id);
    await tick();
    expect(engine.statistics()).toMatchObject({ workers: 2, running: 2, queued: 3 });
    answer(0, 1);
    expect(engine.statistics()).toMatchObject({ completed: 1, running: 2, queued: 2 });
  });

  it('retires a worker after maxTasksPerWorker calls and starts another for the next once it is gone', async () => {
    const { link, submit, answer, gone } = setup({ depth: 1 }, { maxTasksPerWorker: 2 });
    submit(1);
    submit(2);
    const third = submit(3);
    answer(0, 1);
    await tick();
    answer(0, 2);
    await tick();
    expect(link.log).toContain('retire 0');
    expect(link.workers).toHaveLength(1); // a leaving worker holds its place (leavingHoldsPlace)
    gone(0);
    await tick();
    expect(link.workers[1]!.batches).toEqual([[3]]);
    answer(1, 3);
    expect(await third).toBe('value 3');
  });

  it('retires an idle worker after the link idle delay', async () => {
    jest.useFakeTimers();
    try {
      const { link, submit, answer } = setup({ idleDelay: 30 });
      submit(1);
      answer(0, 1);
      jest.advanceTimersByTime(29);
      expect(link.log).not.toContain('retire 0');
      jest.advanceTimersByTime(2);
      expect(link.log).toContain('retire 0');
    } finally {
      jest.useRealTimers();
    }
  });
});
