/**
 * The executor contract: the behaviour every pool link keeps, whatever engine runs it
 * (docs/engine.md). One test file per link calls `defineContract(link)`; the cases use the
 * public executor API only (submit, the Unfuture, close, statistics). Every case checks
 * outcomes and the order of events in the workers (a log each call appends to as it
 * starts), never how long something took.
 */
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { CancelledError, InvalidStateError, isCancelledError, isTimeoutError } from '../../../src/core/errors';
import { QueueFull } from '../../../src/core/primitive-errors';
import { CALLER_STACKS_BACKLOG, isCloneError, isLocateError } from '../../../src/executors';
import type { Executor, PoolRun, WorkerCrashedError } from '../../../src/executors';
import * as kx from '../../fixtures/contract-functions';
import * as cx from '../../fixtures/cooperative-functions';
import * as fx from '../../fixtures/pool-functions';
import { expectHeldTimes, refOf, rejectionOf, thrown, withPool } from '../helpers';
import type { ContractPoolOptions, Link } from './links';
import { blockUntil, linesOf, releaseAll, runCounts, scratchFolder, waitForLine, warm } from './contract-helpers';

/** This file's name, which the caller part of a rebuilt error's stack must show. */
const HERE = path.basename(__filename);

export function defineContract(link: Link): void {
  const { kind } = link;
  const scratch = scratchFolder(kind);
  afterAll(() => scratch.cleanup());
  const fresh = (options: ContractPoolOptions): (() => Executor) => () => link.make(options);
  /** Cancel grace for cases that must see the worker stopped by force: small, to stay fast. */
  const SHORT_GRACE = 200;
  /** Cancel grace for cases that must see a cooperative stop: never reached. */
  const LONG_GRACE = 20_000;

  describe(`the ${kind} executor contract`, () => {
    // One pool for the cases that need no particular state.
    let pool: Executor;
    beforeAll(() => {
      pool = link.make({ maxWorkers: 2 });
    });
    afterAll(() => pool.close());

    describe('results', () => {
      it('runs a registered function in a worker and returns its value', async () => {
        const f = pool.submit<number>(refOf(fx.add), [2, 3]);
        expect(f.executor).toBe(kind);
        expect(await f).toBe(5);
        expect(await pool.submit(refOf(fx.whereAmI), [])).toEqual({ inWorker: true });
        expect(await pool.submit(refOf(kx.workerId), [])).not.toBe(`${process.pid}:${threadId}`);
      });

      it('measures a run\'s CPU time when the call asks: about all of it for a run that computes, little for one that waits', async () => {
        /** A warm run of `fn` (a worker's first call into a module also loads it: left out, as the decorator does). */
        const warmRun = async (fn: Function, ms: number, cpuTime: boolean): Promise<PoolRun | undefined> => {
          let seen: PoolRun | undefined;
          for (let i = 0; i < 4 && (seen === undefined || seen.cold); i++) {
            await pool.submit(refOf(fn), [ms], { cpuTime, onRun: (run) => void (seen = run) });
          }
          return seen;
        };
        // The share of the run's own time (wall time, less the time it waited for a core) spent on a CPU.
        const share = (run: PoolRun): number => run.cpuMs! / Math.max(run.cpuMs!, run.runMs - (run.preemptedMs ?? 0));
        // 45 ms: long enough for every clock a worker may have (cpu-clock.cjs), Node 20 threads too.
        // The computing run is the best of up to three: it spins for 45 ms of wall time, and on
        // a host whose CPU quota throttles the process (time not counted as waiting for a core)
        // one run can get only a sliver of CPU (CI, Node 24 under load: 0.04).
        let computed = await warmRun(kx.computeFor, 45, true);
        for (let i = 0; i < 2 && computed !== undefined && share(computed) <= 0.6; i++) computed = await warmRun(kx.computeFor, 45, true);
        const waited = await warmRun(kx.sleepFor, 45, true);
        const unasked = await warmRun(kx.computeFor, 1, false);
        expect(() => pool.submit(refOf(kx.computeFor), [1], { cpuTime: 'yes' } as never)).toThrow(/options\.cpuTime/);
        expect(computed!.cpuMs).toEqual(expect.any(Number));
        expect(share(computed!)).toBeGreaterThan(0.6);
        expect(waited!.cpuMs).toEqual(expect.any(Number));
        expect(share(waited!)).toBeLessThan(0.3);
        expect(unasked).toMatchObject({ cold: false, thenable: false });
        expect(unasked!.cpuMs).toBeUndefined();
        expect(unasked!.preemptedMs).toBeUndefined();
      });

      it('awaits async functions and finds static and prototype methods and explicit names', async () => {
        expect(await pool.submit(refOf(fx.addLater), [40, 2])).toBe(42);
        expect(await pool.submit(refOf(fx.Geometry.area), [3, 4])).toBe(12);
        expect(await pool.submit(refOf(fx.Geometry.prototype.perimeter), [3, 4])).toBe(14);
        expect(await pool.submit({ file: refOf(fx.add).file, name: 'explicitName' }, [])).toBe('renamed');
      });

      it('carries Map, Set, Date, BigInt, typed arrays, errors and nesting both ways', async () => {
        const value = {
          map: new Map<string, number>([['a', 1]]),
          set: new Set([1, 2]),
          date: new Date(0),
          big: 2n ** 70n,
          bytes: new Uint8Array([1, 2, 3]),
          error: new RangeError('inside'),
          nested: [{ deep: [undefined, null, 'x'] }],
        };
        const back = await pool.submit<typeof value>(refOf(fx.echo), [value]);
        expect(Object.prototype.toString.call(back.map)).toBe('[object Map]');
        expect([...back.map]).toEqual([['a', 1]]);
        expect([...back.set]).toEqual([1, 2]);
        expect(back.date.getTime()).toBe(0);
        expect(back.big).toBe(2n ** 70n);
        expect([...back.bytes]).toEqual([1, 2, 3]);
        expect(back.error.message).toBe('inside');
        expect(back.nested).toEqual([{ deep: [undefined, null, 'x'] }]);
        const kinds = await pool.submit(refOf(fx.describeArgs), [new Map(), new Set(), new Date(), 1n, new Float64Array(1), new RangeError('r')]);
        expect(kinds).toEqual(['[object Map]', '[object Set]', '[object Date]', '[object BigInt]', '[object Float64Array]', '[object Error]']);
      });

      it('runs module top-level code once per worker', async () => {
        const runs = await Promise.all([1, 2, 3, 4].map(() => pool.submit<number>(refOf(fx.topLevelRuns), [])));
        expect(runs).toEqual([1, 1, 1, 1]);
      });
    });

    describe('errors', () => {
      it('rebuilds built-in errors with the caller realm classes, cause, code, and the caller and worker stacks', async () => {
        const error = await rejectionOf(pool.submit(refOf(fx.throwRange), ['boom']));
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toBe('boom');
        expect(error.code).toBe('E_RANGE');
        expect(error.cause).toBeInstanceOf(TypeError);
        expect(error.cause.message).toBe('inner cause');
        expect(error.stack).toContain(HERE);
        expect(error.stack).toContain('the call ran in a worker');
        expect(error.stack).toContain('pool-functions.ts');
      });

      it('records the same caller stack for a call that waits behind others (recorded first thing in submit) as for one that leaves at once', async () => {
        await withPool(fresh({ maxWorkers: 1 }), async (one) => {
          const submitFailing = (): Promise<any> => rejectionOf(one.submit(refOf(fx.throwRange), ['boom']));
          const alone = await submitFailing();
          const ahead = [1, 2, 3].map((n) => one.submit(refOf(fx.add), [n, n]));
          const waiting = await submitFailing();
          expect(await Promise.all(ahead)).toEqual([2, 4, 6]);
          const callerPart = (error: Error): string[] => error.stack!.split('--- the call ran in a worker')[0]!.split('\n').slice(1);
          // The first frame is the caller: this file, in the helper above; no pool frame above it.
          expect(callerPart(waiting)[0]).toContain(HERE);
          expect(callerPart(waiting)[0]).toContain('submitFailing');
          expect(callerPart(waiting)[0]).toBe(callerPart(alone)[0]);
          expect(callerPart(waiting).join('\n')).not.toMatch(/src[\\/]executors/);
        });
      });

      it("under callerStacks 'auto' (the default) records no caller stack for a call that joins CALLER_STACKS_BACKLOG waiting calls; true records it", async () => {
        const callerFramesBehindBacklog = async (stacks: 'auto' | true): Promise<boolean> => {
          let shown = false;
          await withPool(fresh({ maxWorkers: 1, callerStacks: stacks }), async (p) => {
            const ahead = Array.from({ length: CALLER_STACKS_BACKLOG + 1 }, (_, n) => p.submit(refOf(fx.add), [n, 1]));
            const behind = rejectionOf(p.submit(refOf(fx.throwRange), ['boom']));
            expect(await Promise.all(ahead)).toHaveLength(CALLER_STACKS_BACKLOG + 1);
            const error = await behind;
            expect(error).toBeInstanceOf(RangeError);
            expect(error.stack).toContain('the call ran in a worker'); // the worker's frames either way
            shown = (error.stack as string).includes(HERE);
          });
          return shown;
        };
        expect([await callerFramesBehindBacklog('auto'), await callerFramesBehindBacklog(true)]).toEqual([false, true]);
      });

      it('with callerStacks: false records no caller stack: the error carries the worker stack only', async () => {
        await withPool(fresh({ maxWorkers: 1, callerStacks: false }), async (quiet) => {
          const error = await rejectionOf(quiet.submit(refOf(fx.throwRange), ['boom']));
          expect(error).toBeInstanceOf(RangeError);
          expect(error.stack.split('\n')[0]).toBe('RangeError: boom');
          expect(error.stack).not.toContain(HERE);
          expect(error.stack).toContain('the call ran in a worker');
          expect(error.stack).toContain('pool-functions.ts');
        });
      });

      it('rebuilds unsync errors and classes their module exports as the same class (the rest: error-classes.test.ts)', async () => {
        const timeout = await rejectionOf(pool.submit(refOf(fx.throwTimeout), []));
        expect(isTimeoutError(timeout)).toBe(true);
        expect(timeout.constructor.name).toBe('TimeoutError');
        expect(isCancelledError(timeout.cause)).toBe(true);
        const custom = await rejectionOf(pool.submit(refOf(fx.throwCustom), []));
        expect(custom).toBeInstanceOf(fx.ValidationError);
        expect(custom.name).toBe('ValidationError');
        expect(custom.field).toBe('email');
        expect(custom.message).toBe('bad field');
      });

      it('passes thrown non-errors and AggregateError through', async () => {
        expect(await rejectionOf(pool.submit(refOf(fx.throwValue), []))).toBe(42);
        const aggregate = await rejectionOf(pool.submit(refOf(fx.throwAggregate), []));
        expect(aggregate).toBeInstanceOf(AggregateError);
        expect(aggregate.errors[0]).toBeInstanceOf(TypeError);
        expect(aggregate.errors[1]).toBeInstanceOf(RangeError);
      });

      it('names the argument that cannot be cloned, and the pool stays usable', async () => {
        expect(await pool.submit(refOf(fx.add), [0, 1])).toBe(1); // warm: the call below is sent (and fails) inside submit
        const error = await rejectionOf(pool.submit(refOf(fx.echo), [1, { nested: { fn: () => 1 } }]));
        expect(isCloneError(error)).toBe(true);
        expect(error).toBeInstanceOf(TypeError);
        expect(error.what).toBe('argument 2');
        expect(error.message).toContain('argument 2 of `echo`');
        expect(error.message).toContain('.nested.fn');
        // The stack starts at the caller, not in the pool's dispatch (the call failed inside submit).
        expect(error.stack.split('\n')[1]).toContain(HERE);
        expect(await pool.submit(refOf(fx.add), [1, 1])).toBe(2);
      });

      it('fails only the uncloneable call among calls submitted together to a fresh pool', async () => {
        await withPool(fresh({ maxWorkers: 1 }), async (one) => {
          const calls = [one.submit(refOf(fx.add), [1, 1]), one.submit(refOf(fx.echo), [Symbol('no')]), one.submit(refOf(fx.add), [2, 2])];
          expect(await calls[0]).toBe(2);
          const error = await rejectionOf(calls[1]!);
          expect(isCloneError(error)).toBe(true);
          expect(error.what).toBe('argument 1');
          expect(await calls[2]).toBe(4);
        });
      });

      it('reports a result that cannot be cloned as a CloneError on the result, naming the function', async () => {
        const error = await rejectionOf(pool.submit(refOf(fx.returnFunction), []));
        expect(isCloneError(error)).toBe(true);
        expect(error.what).toBe('result');
        expect(error.message).toMatch(/^the result of `returnFunction` \(call \d+\) cannot be cloned back to the caller \(at .*\.callback\)/);
        expect(await pool.submit(refOf(fx.add), [1, 2])).toBe(3);
      });

      it('fails with LocateError for a name the module does not register and for a module that cannot load', async () => {
        const missing = await rejectionOf(pool.submit({ file: refOf(fx.add).file, name: 'missing' }, []));
        expect(isLocateError(missing)).toBe(true);
        expect(missing.message).toContain('`missing` cannot be located in a worker');
        expect(missing.message).toContain('`add`');
        const file = path.join(__dirname, '..', '..', 'fixtures', 'broken-module.ts');
        const broken = await rejectionOf(pool.submit({ file, name: 'neverReached' }, []));
        expect(isLocateError(broken)).toBe(true);
        expect(broken.message).toContain('could not be loaded');
        expect(broken.cause.message).toContain('refuses to load');
        expect(await pool.submit(refOf(fx.add), [2, 2])).toBe(4);
      });

      it('rejects bad submit arguments with the standard messages', () => {
        expect(() => pool.submit('add' as never, [])).toThrow('Expected `ref` to be a call reference');
        expect(() => pool.submit(refOf(fx.add), 1 as never)).toThrow('Expected `args` to be an array, got 1 (number)');
        expect(() => pool.submit(refOf(fx.add), [], { timeout: 'x' as never })).toThrow(TypeError);
      });
    });

    describe('queue order', () => {
      it('starts calls in submission order, one at a time, on a pool of one worker', async () => {
        await withPool(fresh({ maxWorkers: 1 }), async (one) => {
          const { log, release } = scratch.next();
          const held = one.submit(refOf(kx.hold), [log, 'held', release]);
          const calls = ['a', 'b', 'c', 'd', 'e'].map((tag) => one.submit(refOf(kx.mark), [log, tag]));
          await waitForLine(log, 'held');
          expect(calls.some((c) => c.done())).toBe(false);
          releaseAll(release);
          expect(await Promise.all([held, ...calls])).toEqual(['held', 'a', 'b', 'c', 'd', 'e']);
          expect(linesOf(log)).toEqual(['held', 'a', 'b', 'c', 'd', 'e']);
        });
      });

      it('once calls run long, sends none behind a busy worker: a waiting call goes to the first worker that frees', async () => {
        await withPool(fresh({ maxWorkers: 2 }), async (two) => {
          const { log, release, go } = scratch.next();
          // Calls of several ms each: pipelining them would only make some wait behind others.
          await Promise.all(Array.from({ length: 16 }, () => two.submit(refOf(kx.sleepFor), [6])));
          const long = two.submit(refOf(kx.hold), [log, 'long', release]);
          const short = two.submit(refOf(kx.hold), [log, 'short', go]);
          await waitForLine(log, 'long');
          await waitForLine(log, 'short');
          const next = two.submit(refOf(kx.mark), [log, 'next']);
          releaseAll(go);
          // Sent behind the long call, it would wait for it (and this would time out).
          const first = await Promise.race([next, long]);
          releaseAll(release);
          expect(first).toBe('next');
          expect(linesOf(log).slice(2)).toEqual(['next']); // 'long' and 'short' start in either order
          expect(await Promise.all([long, short])).toEqual(['long', 'short']);
        });
      });
    });

    describe('cancelling a call that has not started', () => {
      // Cold: the calls wait while the worker starts. Warm: the pool may already have sent
      // them to the worker, behind the running call. Either way none of them runs.
      it.each(['cold', 'warm'])('removes it (%s pool): it never runs, settles at once, and the running call and its worker are untouched', async (state) => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: SHORT_GRACE }), async (one) => {
          const before = state === 'warm' ? await warm(one) : undefined;
          const { log, release } = scratch.next();
          const steps: string[] = [];
          const held = one.submit<string>(refOf(kx.hold), [log, 'held', release]);
          const [b, c, d] = ['b', 'c', 'd'].map((tag) => one.submit<string>(refOf(kx.mark), [log, tag]));
          await waitForLine(log, 'held');
          expect(b!.cancel('not needed')).toBe(true);
          expect(c!.cancel()).toBe(true);
          const error = await rejectionOf(b!);
          steps.push('b cancelled');
          expect(error).toBeInstanceOf(CancelledError);
          expect(error.message).toBe('not needed');
          expect(isCancelledError(await rejectionOf(c!))).toBe(true);
          expect([b!.cancelled(), c!.cancelled(), b!.cancel()]).toEqual([true, true, false]);
          releaseAll(release);
          steps.push(await held);
          steps.push(await d!);
          expect(steps).toEqual(['b cancelled', 'held', 'd']);
          expect(linesOf(log)).toEqual(['held', 'd']);
          const after = await one.submit(refOf(kx.workerId), []);
          if (before !== undefined) expect(after).toBe(before);
          expect(one.statistics()).toMatchObject({ cancelled: 2, failed: 0, stoppedCooperatively: 0, terminatedForCancel: 0 });
        });
      });
    });

    describe('cancelling a running call', () => {
      it('asks it to stop: checkpoint() throws, its finally runs before the Unfuture settles, the worker is kept and serves the call behind it', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: LONG_GRACE }), async (one) => {
          const worker = await one.submit(refOf(kx.workerId), []);
          const { log } = scratch.next();
          const spinning = one.submit(refOf(kx.spinChecked), [log, 'spin']);
          const behind = one.submit(refOf(kx.mark), [log, 'behind']);
          await waitForLine(log, 'spin');
          let atSettle: string[] = [];
          spinning.addDoneCallback(() => (atSettle = linesOf(log)));
          expect(spinning.cancel('enough')).toBe(true);
          const error = await rejectionOf(spinning);
          expect(error).toBeInstanceOf(CancelledError);
          expect(error.message).toBe('enough');
          expect(atSettle.slice(0, 2)).toEqual(['spin', 'spin finally']);
          expect(await behind).toBe('behind');
          expect(linesOf(log)).toEqual(['spin', 'spin finally', 'behind']);
          expect(await one.submit(refOf(kx.workerId), [])).toBe(worker);
          expect(one.statistics()).toMatchObject({ cancelled: 1, failed: 0, stoppedCooperatively: 1, terminatedForCancel: 0 });
        });
      });

      it('throws CancelledError at a library await of an async call, and keeps the worker', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: LONG_GRACE }), async (one) => {
          const worker = await one.submit(refOf(kx.workerId), []);
          const { log } = scratch.next();
          const call = one.submit(refOf(cx.sleepLong), [log]);
          await waitForLine(log, 'started');
          call.cancel();
          expect(isCancelledError(await rejectionOf(call))).toBe(true);
          expect(linesOf(log)).toEqual(['started', 'caught CancelledError', 'finally']);
          expect(await one.submit(refOf(kx.workerId), [])).toBe(worker);
        });
      });

      it('aborts currentSignal() and discards a value returned after the request', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: LONG_GRACE }), async (one) => {
          const { log } = scratch.next();
          const call = one.submit(refOf(cx.waitForSignal), [log]);
          await waitForLine(log, 'started');
          call.cancel();
          expect(isCancelledError(await rejectionOf(call))).toBe(true);
          expect(call.cancelled()).toBe(true);
          expect(linesOf(log)).toEqual(['started', 'aborted CancelledError']);
          expect(one.statistics()).toMatchObject({ cancelled: 1, completed: 0, stoppedCooperatively: 1 });
        });
      });

      it.each(['return', 'throw'] as const)('discards what a call does after the request (it %ss): the Unfuture ends cancelled, the worker is kept', async (end) => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: LONG_GRACE }), async (one) => {
          const worker = await one.submit(refOf(kx.workerId), []);
          const { log } = scratch.next();
          const call = one.submit(refOf(kx.spinThenEnd), [log, 'spin', end]);
          await waitForLine(log, 'spin');
          call.cancel('enough');
          const error = await rejectionOf(call);
          expect(error).toBeInstanceOf(CancelledError);
          expect(error.message).toBe('enough');
          expect(linesOf(log)).toEqual(['spin', 'spin asked']);
          expect(await one.submit(refOf(kx.workerId), [])).toBe(worker);
          expect(one.statistics()).toMatchObject({ completed: 2, failed: 0, cancelled: 1, stoppedCooperatively: 1, terminatedForCancel: 0 });
        });
      });

      it('terminates a worker that does not stop within cancelGrace; the calls behind it run once each, on a new worker', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: SHORT_GRACE }), async (one) => {
          const worker = await warm(one);
          const { log } = scratch.next();
          const spinning = one.submit(refOf(kx.spinBlind), [log, 'spin']);
          const behind = ['b1', 'b2', 'b3'].map((tag) => one.submit(refOf(kx.mark), [log, tag]));
          await waitForLine(log, 'spin');
          spinning.cancel('stop spinning');
          const error = await rejectionOf(spinning);
          expect(error).toBeInstanceOf(CancelledError);
          expect(error.message).toBe('stop spinning');
          expect(spinning.cancelled()).toBe(true);
          expect(await Promise.all(behind)).toEqual(['b1', 'b2', 'b3']);
          expect(linesOf(log)).toEqual(['spin', 'b1', 'b2', 'b3']);
          expect(await one.submit(refOf(kx.workerId), [])).not.toBe(worker);
          expect(one.statistics()).toMatchObject({ cancelled: 1, failed: 0, stoppedCooperatively: 0, terminatedForCancel: 1 });
        });
      });

      it('terminates at once with cancelGrace 0: the call never sees the request', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: 0 }), async (one) => {
          const worker = await one.submit(refOf(kx.workerId), []);
          const { log } = scratch.next();
          const call = one.submit(refOf(kx.spinChecked), [log, 'spin']);
          await waitForLine(log, 'spin');
          call.cancel();
          expect(isCancelledError(await rejectionOf(call))).toBe(true);
          expect(linesOf(log)).toEqual(['spin']);
          expect(await one.submit(refOf(kx.workerId), [])).not.toBe(worker);
          expect(one.statistics()).toMatchObject({ cancelled: 1, stoppedCooperatively: 0, terminatedForCancel: 1 });
        });
      });
    });

    // A cancel that races the call's end (issue 13): the worker has finished `a` and started
    // `b` while this thread, blocked, read nothing.
    describe('a call runs at most once, and a call that only shared a worker never fails', () => {
      it.each([0, LONG_GRACE])('cancelling a call that has finished changes nothing and fails no neighbour (cancelGrace %i)', async (cancelGrace) => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace }), async (one) => {
          const worker = await warm(one);
          const { log, release } = scratch.next();
          const steps: string[] = [];
          const a = one.submit(refOf(kx.mark), [log, 'a']);
          const b = one.submit(refOf(kx.hold), [log, 'b', release]);
          a.addDoneCallback((f) => steps.push(`a ${f.state}`));
          b.addDoneCallback(() => steps.push('b finished'));
          await Promise.resolve(); // the pool sends queued calls on this microtask
          blockUntil('b started', () => linesOf(log).includes('b'));
          expect(a.cancel('too late')).toBe(true);
          releaseAll(release);
          expect(await b).toBe('b');
          expect(a.cancelled()).toBe(true);
          expect(steps).toEqual(['a cancelled', 'b finished']);
          expect(linesOf(log)).toEqual(['a', 'b']);
          expect(await one.submit(refOf(kx.workerId), [])).toBe(worker);
          expect(one.statistics()).toMatchObject({ failed: 0, terminatedForCancel: 0 });
        });
      });

      it('cancelling the running call fails no call that finished before it on the same worker', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: 0 }), async (one) => {
          await warm(one);
          const { log } = scratch.next();
          const a = one.submit(refOf(kx.mark), [log, 'a']);
          const b = one.submit(refOf(kx.spinBlind), [log, 'b']);
          await Promise.resolve(); // the pool sends queued calls on this microtask
          blockUntil('b started', () => linesOf(log).includes('b'));
          b.cancel();
          expect(await a).toBe('a');
          expect(isCancelledError(await rejectionOf(b))).toBe(true);
          expect(linesOf(log)).toEqual(['a', 'b']);
          expect(one.statistics()).toMatchObject({ completed: 62 + 1, failed: 0, cancelled: 1 });
        });
      });

      // A thread leaves a number's answer in shared answer cells and announces a run of them
      // later; a worker that ends before announcing them must lose none (thread-entry.cjs).
      it.each(['spin', 'exit'] as const)('a worker ended under a short function that ran long (%s) fails no call that finished before it', async (how) => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: 0 }), async (one) => {
          await warm(one);
          // Both functions are known to be short now: the worker runs the calls below without
          // announcing the answers it leaves in its answer cells.
          expect(await Promise.all([one.submit(refOf(kx.shortUnless), ['no']), one.submit(refOf(kx.numberOf), [0])])).toEqual([0, 0]);
          const { log, release } = scratch.next();
          // The held call keeps the worker busy until the four calls behind it arrived (as one
          // batch): from then on the worker posts nothing until it ends.
          const held = one.submit(refOf(kx.holdNumber), [release]);
          const before = [1, 2, 3].map((n) => one.submit(refOf(kx.numberOf), [n]));
          const last = one.submit(refOf(kx.shortUnless), [how, log, how]);
          await Promise.resolve(); // the pool sends queued calls on this microtask
          releaseAll(release);
          // The worker holds the four calls only if the pool sent them ahead, which it does
          // while its calls are tiny (a mean run under 0.1 ms). On a loaded machine one
          // preempted run can lift the mean: the calls then wait in the pool, and the worker
          // cannot start `last` while this thread blocks. So block for a while, then wait with
          // the loop running: the case then runs without answers left in the cells, and
          // what it asserts still holds.
          if (!blockUntil(`${how} started`, () => linesOf(log).includes(how), 5_000)) await waitForLine(log, how);
          if (how === 'spin') last.cancel();
          const ended = await rejectionOf(last);
          expect(await Promise.all([held, ...before])).toEqual([0, 1, 2, 3]);
          if (how === 'spin') expect(isCancelledError(ended)).toBe(true);
          else expect(ended.exitCode).toBe(7);
          expect(linesOf(log)).toEqual([how]);
          expect(one.statistics()).toMatchObject({ failed: how === 'spin' ? 0 : 1, cancelled: how === 'spin' ? 1 : 0 });
        });
      });
    });

    describe('timeouts', () => {
      it('fails calls that time out before they start with TimeoutError; they never run', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: SHORT_GRACE }), async (one) => {
          const { log, release } = scratch.next();
          const held = one.submit(refOf(kx.hold), [log, 'held', release]);
          const late = ['b', 'c'].map((tag) => one.submit(refOf(kx.mark), [log, tag], { timeout: 50 }));
          for (const call of late) {
            const error = await rejectionOf(call);
            expect(isTimeoutError(error)).toBe(true);
            expect(isCancelledError(error.cause)).toBe(true);
          }
          await waitForLine(log, 'held');
          releaseAll(release);
          expect(await held).toBe('held');
          expect(linesOf(log)).toEqual(['held']);
          expect(one.statistics()).toMatchObject({ terminatedForCancel: 0 });
        });
      });

      it('asks a running call that times out to stop: its finally runs, the worker is kept, the call fails with TimeoutError', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: LONG_GRACE }), async (one) => {
          const worker = await one.submit(refOf(kx.workerId), []);
          const { log } = scratch.next();
          const error = await rejectionOf(one.submit(refOf(kx.spinChecked), [log, 'spin'], { timeout: 500 }));
          expect(isTimeoutError(error)).toBe(true);
          expect(isCancelledError(error.cause)).toBe(true);
          expect(linesOf(log)).toEqual(['spin', 'spin finally']);
          expect(await one.submit(refOf(kx.workerId), [])).toBe(worker);
          expect(one.statistics()).toMatchObject({ stoppedCooperatively: 1, terminatedForCancel: 0 });
        });
      });

      it('terminates the worker of a running call that times out and does not stop within cancelGrace', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: SHORT_GRACE }), async (one) => {
          const worker = await one.submit(refOf(kx.workerId), []);
          const { log } = scratch.next();
          const error = await rejectionOf(one.submit(refOf(kx.spinBlind), [log, 'spin'], { timeout: 300 }));
          expect(isTimeoutError(error)).toBe(true);
          expect(isCancelledError(error.cause)).toBe(true);
          expect(await one.submit(refOf(fx.add), [1, 2], { timeout: 30_000 })).toBe(3);
          expect(await one.submit(refOf(kx.workerId), [])).not.toBe(worker);
          expect(linesOf(log)).toEqual(['spin']);
          expect(one.statistics()).toMatchObject({ stoppedCooperatively: 0, terminatedForCancel: 1 });
        });
      });
    });

    describe('crashes', () => {
      /**
       * Two workers. A call crashes its worker once told; before that, 20 held calls are
       * submitted (on the other worker, pipelined behind the crashing call, or queued). At
       * the crash all 20 are pending; then they are released. Each runs exactly once and
       * succeeds, and the pool heals.
       */
      it.each(link.crashes.map((c) => [c.name, c] as const))('a worker that %s fails only its own call; the 20 calls in flight each run once and succeed', async (_, crash) => {
        await withPool(fresh({ maxWorkers: 2 }), async (two) => {
          await warm(two);
          const { log, release, go } = scratch.next();
          const crashing = two.submit(refOf(kx.crashWhenTold), [log, 'crash', go, crash.how === 'outside' ? 'exit' : crash.how]);
          const pid = Number((await waitForLine(log, 'crash')).split(' ')[1]);
          const tags = Array.from({ length: 20 }, (_, i) => `g${i}`);
          const calls = tags.map((tag) => two.submit<string>(refOf(kx.hold), [log, tag, release]));
          const before = two.statistics();
          if (crash.how === 'outside') link.killFromOutside!(pid);
          else releaseAll(go);
          const error = (await rejectionOf(crashing)) as WorkerCrashedError;
          const stats = two.statistics();
          const atCrash = { pending: calls.filter((c) => !c.done()).length, inPool: stats.running + stats.queued };
          releaseAll(release);
          expect(await Promise.all(calls)).toEqual(tags);
          crash.check(error);
          expect(atCrash).toEqual({ pending: 20, inPool: 20 });
          const counts = runCounts(log);
          expect(tags.filter((tag) => counts[tag] !== 1)).toEqual([]);
          // Healed: a plain call still runs.
          expect(await two.submit(refOf(fx.add), [20, 22])).toBe(42);
          expect(two.statistics()).toMatchObject({ failed: before.failed + 1, completed: before.completed + 21, cancelled: 0 });
          expect(two.statistics().workers).toBeGreaterThanOrEqual(1);
          expect(two.statistics().workers).toBeLessThanOrEqual(2);
        });
      });
    });

    describe('close', () => {
      it('close() waits for running and queued calls; submit throws InvalidStateError once closing; close is idempotent', async () => {
        const one = link.make({ maxWorkers: 1 });
        const { log, release } = scratch.next();
        const held = one.submit(refOf(kx.hold), [log, 'held', release]);
        const queued = ['a', 'b'].map((tag) => one.submit(refOf(kx.mark), [log, tag]));
        await waitForLine(log, 'held');
        const closed = one.close();
        expect(one.close()).toBe(closed);
        expect(one.statistics().state).toBe('closing');
        expect(() => one.submit(refOf(fx.add), [1, 1])).toThrow(InvalidStateError);
        releaseAll(release);
        await closed;
        expect(await Promise.all([held, ...queued])).toEqual(['held', 'a', 'b']);
        expect(linesOf(log)).toEqual(['held', 'a', 'b']);
        expect(one.statistics()).toMatchObject({ state: 'closed', workers: 0, queued: 0, running: 0, completed: 3 });
        expect(() => one.submit(refOf(fx.add), [1, 1])).toThrow(InvalidStateError);
      });

      it('close({ cancelPending }) cancels the calls not started (they never run); running ones finish', async () => {
        const one = link.make({ maxWorkers: 1 });
        await warm(one);
        const { log, release } = scratch.next();
        const held = one.submit(refOf(kx.hold), [log, 'held', release]);
        const pending = ['a', 'b'].map((tag) => one.submit(refOf(kx.mark), [log, tag]));
        await waitForLine(log, 'held');
        const closed = one.close({ cancelPending: true });
        expect(one.statistics().state).toBe('closing');
        for (const call of pending) expect(isCancelledError(await rejectionOf(call))).toBe(true);
        expect(held.done()).toBe(false);
        releaseAll(release);
        await closed;
        expect(await held).toBe('held');
        expect(linesOf(log)).toEqual(['held']);
        expect(one.statistics()).toMatchObject({ state: 'closed', workers: 0, cancelled: 2 });
      });

      it.each([
        ['asks the running call to stop (its finally has run when close resolves)', 'spinChecked', LONG_GRACE, ['spin', 'spin finally'], { stoppedCooperatively: 1, terminatedForCancel: 0 }],
        ['terminates a running call that does not stop within cancelGrace', 'spinBlind', SHORT_GRACE, ['spin'], { stoppedCooperatively: 0, terminatedForCancel: 1 }],
      ] as const)('close({ force }) cancels every call: %s', async (_, fn, cancelGrace, trace, counters) => {
        const one = link.make({ maxWorkers: 1, cancelGrace });
        const { log } = scratch.next();
        const running = one.submit(refOf(kx[fn]), [log, 'spin']);
        const pending = ['a', 'b'].map((tag) => one.submit(refOf(kx.mark), [log, tag]));
        await waitForLine(log, 'spin');
        await one.close({ force: true });
        expect([running, ...pending].map((c) => c.cancelled())).toEqual([true, true, true]);
        expect(linesOf(log)).toEqual(trace);
        expect(one.statistics()).toMatchObject({ state: 'closed', workers: 0, queued: 0, running: 0, cancelled: 3, ...counters });
      });
    });

    describe('a timeout during a cancel', () => {
      it("keeps the caller's cancel when the call's timeout fires during the cancel's grace period", async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: 2_000 }), async (one) => {
          await one.submit(refOf(kx.workerId), []); // a started worker: the call below starts at once
          const { log } = scratch.next();
          const call = one.submit(refOf(kx.spinBlind), [log, 'spin'], { timeout: 1_000 });
          await waitForLine(log, 'spin');
          expect(call.cancel('mine')).toBe(true); // the grace (2 s) runs past the timeout (1 s)
          const error = await rejectionOf(call);
          expect(String(error)).toBe('CancelledError: mine');
          expect(call.cancelled()).toBe(true);
          expect(one.statistics()).toMatchObject({ cancelled: 1, failed: 0, terminatedForCancel: 1 });
        });
      });
    });

    describe('maxQueue', () => {
      it('refuses the call past maxQueue at once with QueueFull; the waiting calls run, the refused one never', async () => {
        await withPool(fresh({ maxWorkers: 1, maxQueue: 2 }), async (p) => {
          const { log, release } = scratch.next();
          const held = p.submit<string>(refOf(kx.hold), [log, 'held', release]);
          await waitForLine(log, 'held');
          const waiting = [p.submit<string>(refOf(kx.mark), [log, 'a']), p.submit<string>(refOf(kx.mark), [log, 'b'])];
          const refused = p.submit(refOf(kx.mark), [log, 'refused']);
          expect(refused.done()).toBe(true); // nothing was queued
          const error = await rejectionOf(refused);
          expect(error).toBeInstanceOf(QueueFull);
          expect(error.message).toBe(`the ${kind} pool refused a call to \`mark\`: 2 calls already wait for a worker (maxQueue: 2)`);
          expect(p.statistics()).toMatchObject({ queued: 2, running: 1, failed: 1 });
          releaseAll(release);
          expect(await Promise.all([held, ...waiting])).toEqual(['held', 'a', 'b']);
          expect(linesOf(log)).toEqual(['held', 'a', 'b']);
        });
      });

      it('validates maxQueue', () => {
        expect(() => link.make({ maxQueue: -1 })).toThrow(RangeError);
        expect(() => link.make({ maxQueue: 1.5 })).toThrow(/maxQueue/);
        expect(() => link.make({ maxQueue: '3' as never })).toThrow(TypeError);
      });
    });

    describe('statistics', () => {
      it('counts each way a call ends, and what waits and runs, in frozen snapshots', async () => {
        await withPool(fresh({ maxWorkers: 1, cancelGrace: SHORT_GRACE }), async (one) => {
          const empty = one.statistics();
          expect(Object.isFrozen(empty)).toBe(true);
          expect(empty).toMatchObject({ executor: kind, state: 'open', workers: 0, queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, stoppedCooperatively: 0, terminatedForCancel: 0 });
          expect(empty.runTime.count).toBe(0);

          await one.submit(refOf(fx.add), [1, 2]); // completed
          await rejectionOf(one.submit(refOf(fx.throwRange), ['x'])); // failed
          const { log, release } = scratch.next();
          const held = one.submit(refOf(kx.hold), [log, 'held', release]);
          const queued = one.submit(refOf(kx.mark), [log, 'queued']);
          await waitForLine(log, 'held');
          expect(one.statistics()).toMatchObject({ workers: 1, running: 1, queued: 1 });
          queued.cancel(); // cancelled, never started
          await rejectionOf(queued);
          expect(one.statistics()).toMatchObject({ running: 1, queued: 0 });
          releaseAll(release);
          await held; // completed

          const polite = one.submit(refOf(kx.spinChecked), [log, 'polite']);
          await waitForLine(log, 'polite');
          polite.cancel(); // cancelled, stopped cooperatively
          await rejectionOf(polite);
          const blind = one.submit(refOf(kx.spinBlind), [log, 'blind']);
          await waitForLine(log, 'blind');
          blind.cancel(); // cancelled, worker terminated
          await rejectionOf(blind);
          await one.submit(refOf(fx.add), [0, 0]); // completed, on the new worker: the next call starts well within its timeout
          await rejectionOf(one.submit(refOf(kx.spinChecked), [log, 'late'], { timeout: 500 })); // failed (timed out), stopped cooperatively
          expect(linesOf(log)).toEqual(['held', 'polite', 'polite finally', 'blind', 'late', 'late finally']);

          const stats = one.statistics();
          expect(Object.isFrozen(stats)).toBe(true);
          expect(stats).toMatchObject({
            executor: kind,
            state: 'open',
            workers: 1,
            queued: 0,
            running: 0,
            completed: 3,
            failed: 2,
            cancelled: 3,
            stoppedCooperatively: 2,
            terminatedForCancel: 1,
          });
          // The time summaries cover the calls that ran to an answer (a value, or an error the
          // function threw): the three completed and `throwRange`, not the stopped ones.
          expect([stats.waitTime.count, stats.runTime.count]).toEqual([4, 4]);
        });
      });

      it('summarises wait and run times: the call queued behind a held one waited, the held one ran, at least as long as the test held it', async () => {
        await withPool(fresh({ maxWorkers: 1 }), async (one) => {
          const { log, release } = scratch.next();
          const held = one.submit(refOf(kx.hold), [log, 'held', release]);
          await waitForLine(log, 'held');
          const runningSeen = performance.now();
          const queued = one.submit(refOf(fx.add), [1, 1]);
          const queuedAt = performance.now();
          await new Promise((resolve) => setTimeout(resolve, 50));
          const releasedAt = performance.now();
          releaseAll(release);
          await Promise.all([held, queued]);
          const stats = one.statistics();
          expectHeldTimes(stats, { runningSeen, queuedAt, releasedAt });
          expect(stats.waitTime.mean).toBeLessThanOrEqual(stats.waitTime.max);
        });
      });
    });

    describe('resultSync from synchronous code', () => {
      it('blocks for the first call on a fresh pool (the worker starts while the caller sleeps); the future still settles normally', async () => {
        await withPool(fresh({ maxWorkers: 1 }), async (one) => {
          const f = one.submit<number>(refOf(fx.add), [20, 22]);
          expect(f.resultSync(30_000)).toBe(42);
          expect(f.done()).toBe(true);
          expect(await f).toBe(42);
          expect(await one.submit<number>(refOf(fx.add), [1, 2])).toBe(3);
          expect(one.statistics()).toMatchObject({ completed: 2, failed: 0, running: 0, queued: 0 });
        });
      });

      it('gets a call that waits behind others; every call runs once', async () => {
        await withPool(fresh({ maxWorkers: 1 }), async (one) => {
          const { log } = scratch.next();
          const tags = ['a', 'b', 'c', 'd', 'e', 'f'];
          const calls = tags.map((tag) => one.submit<string>(refOf(kx.mark), [log, tag]));
          expect(one.statistics().queued).toBeGreaterThan(0);
          expect(calls[5]!.resultSync(30_000)).toBe('f');
          expect(await Promise.all(calls)).toEqual(tags);
          expect(runCounts(log)).toEqual(Object.fromEntries(tags.map((tag) => [tag, 1])));
        });
      });

      it('throws the error the function threw, rebuilt with this realm classes', () => {
        const error = thrown(() => pool.submit(refOf(fx.throwRange), ['sync boom']).resultSync(30_000));
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toBe('sync boom');
      });

      it('times out with TimeoutError; the call goes on and settles normally afterwards', async () => {
        const { log, release } = scratch.next();
        const held = pool.submit<string>(refOf(kx.hold), [log, 'held', release]);
        const steps: string[] = [];
        const error = thrown(() => held.resultSync(50));
        steps.push(isTimeoutError(error) ? 'timed out' : String(error));
        expect(held.done()).toBe(false);
        releaseAll(release);
        steps.push(await held);
        expect(steps).toEqual(['timed out', 'held']);
      });

      it('throws the CancelledError of a call cancelled before the wait', async () => {
        await withPool(fresh({ maxWorkers: 1 }), async (one) => {
          const f = one.submit(refOf(fx.add), [1, 1]);
          f.cancel('no longer needed');
          const error = thrown(() => f.resultSync(1000));
          expect(error).toBeInstanceOf(CancelledError);
          expect(error.message).toBe('no longer needed');
        });
      });
    });
  });
}
