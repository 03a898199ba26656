/**
 * Debug mode as a whole: the three ways to turn it on, the logger, silence when it is off,
 * silence for a correct program when it is on, and "no console output scattered in the code".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Unfuture, pendingFuture } from '../../src/core/future';
import { futureHooks } from '../../src/core/hooks';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { gather } from '../../src/combinators/gather';
import { wait, FIRST_COMPLETED } from '../../src/combinators/wait';
import { waitFor } from '../../src/combinators/wait-for';
import { timeout } from '../../src/combinators/timeout';
import { shield } from '../../src/combinators/shield';
import { asCompleted } from '../../src/combinators/as-completed';
import { TaskGroup } from '../../src/combinators/task-group';
import { Lock } from '../../src/primitives/lock';
import { Queue } from '../../src/primitives/queue';
import { Event } from '../../src/primitives/event';
import { Semaphore } from '../../src/primitives/semaphore';
import { Condition } from '../../src/primitives/condition';
import { Barrier } from '../../src/primitives/barrier';
import { run } from '../../src/runtime/run';
import { configure } from '../../src/runtime/configure';
import { debugState } from '../../src/runtime/debug';
import { trackedUnretrieved } from '../../src/runtime/debug-futures';
import { block, captureReports, collectUntil, settleGarbage } from './debug-helpers';

const hooksInstalled = () => [futureHooks.onFutureCreated, futureHooks.onRejected, futureHooks.aroundTaskStep].map((h) => h !== undefined);

afterEach(() => {
  debugState.enabled = false;
  debugState.logger = console;
  debugState.slowCallbackDuration = 100;
});

describe('turning debug mode on', () => {
  it('run(main, { debug: true }) turns it on while main runs, then off again', async () => {
    let during: boolean[] = [];
    await run(
      async () => {
        during = hooksInstalled();
      },
      { debug: true },
    );
    expect(during).toEqual([true, true, true]);
    expect(hooksInstalled()).toEqual([false, false, false]);
  });

  it('configure({ debug, logger, slowCallbackDuration }) applies at once', () => {
    const logger = { warn: jest.fn() };
    configure({ debug: true, logger, slowCallbackDuration: 250 });
    expect(hooksInstalled()).toEqual([true, true, true]);
    expect(debugState.logger).toBe(logger);
    expect(debugState.slowCallbackDuration).toBe(250);
    configure({ debug: false });
    expect(hooksInstalled()).toEqual([false, false, false]);
  });

  it('is off by default, with the console as logger and a 100 ms threshold', () => {
    const before = process.env.UNSYNC_DEBUG;
    delete process.env.UNSYNC_DEBUG;
    try {
      jest.isolateModules(() => {
        const debug = require('../../src/runtime/debug') as typeof import('../../src/runtime/debug');
        expect(debug.debugState.enabled).toBe(false);
        expect(debug.debugState.logger).toBe(console);
        expect(debug.debugState.slowCallbackDuration).toBe(100);
      });
    } finally {
      if (before !== undefined) process.env.UNSYNC_DEBUG = before;
    }
  });

  it('sends reports to console.warn when no logger was configured', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(console, 'log');
    try {
      await run(
        async () => {
          (() => Unfuture.withResolvers().reject(new Error('lost')))();
        },
        { debug: true },
      );
      // Only this report: a finalizer of an earlier test could add a never-awaited one.
      const unretrieved = warn.mock.calls.filter(([message]) => String(message).includes('was never retrieved'));
      expect(unretrieved).toHaveLength(1);
      expect(unretrieved[0]![0]).toMatch(/^unsync: the error of future "[^"]+" \(loop\) was never retrieved \(found when run\(\) returned\)/);
      expect(unretrieved[0]![1]).toMatchObject({ message: 'lost' });
      expect(log).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
      log.mockRestore();
    }
  });

  it('UNSYNC_DEBUG=1 turns it on when the library loads', () => {
    const before = process.env.UNSYNC_DEBUG;
    process.env.UNSYNC_DEBUG = '1';
    try {
      jest.isolateModules(() => {
        const hooks = require('../../src/core/hooks') as typeof import('../../src/core/hooks');
        const debug = require('../../src/runtime/debug') as typeof import('../../src/runtime/debug');
        expect(debug.debugState.enabled).toBe(true);
        expect(hooks.futureHooks.onFutureCreated).toBeDefined();
        debug.debugState.enabled = false; // removes that copy's async hook again
        expect(hooks.futureHooks.onFutureCreated).toBeUndefined();
      });
    } finally {
      if (before === undefined) delete process.env.UNSYNC_DEBUG;
      else process.env.UNSYNC_DEBUG = before;
    }
  });

  it('UNSYNC_DEBUG=1 is ignored inside a process-pool worker (UNSYNC_WORKER is set)', () => {
    const saved = { debug: process.env.UNSYNC_DEBUG, worker: process.env.UNSYNC_WORKER };
    process.env.UNSYNC_DEBUG = '1';
    process.env.UNSYNC_WORKER = 'process';
    try {
      jest.isolateModules(() => {
        const debug = require('../../src/runtime/debug') as typeof import('../../src/runtime/debug');
        expect(debug.debugState.enabled).toBe(false);
      });
    } finally {
      for (const [key, value] of [['UNSYNC_DEBUG', saved.debug], ['UNSYNC_WORKER', saved.worker]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('rejects invalid settings and changes nothing', () => {
    expect(() => configure({ logger: {} as never, debug: true })).toThrow(/Expected `logger` to be an object with a warn/);
    expect(() => configure({ slowCallbackDuration: 0, debug: true })).toThrow(RangeError);
    expect(() => configure({ debug: 'yes' as never })).toThrow(TypeError);
    expect(debugState.enabled).toBe(false);
  });

  it('survives a logger that throws', async () => {
    configure({
      debug: true,
      logger: {
        warn: () => {
          throw new Error('logger broke');
        },
      },
    });
    await expect(
      run(async () => {
        (() => Unfuture.withResolvers().reject(new Error('lost')))();
        return 'still fine';
      }),
    ).resolves.toBe('still fine');
  });
});

describe('with debug mode off', () => {
  it('tracks nothing and prints nothing, whatever the program does wrong', async () => {
    await settleGarbage();
    const spies = [
      ...(['log', 'warn', 'error', 'info', 'debug', 'trace'] as const).map((m) => jest.spyOn(console, m)),
      jest.spyOn(process.stdout, 'write'),
      jest.spyOn(process.stderr, 'write'),
    ];
    try {
      await run(async () => {
        (() => {
          Unfuture.fromValue(1); // never awaited
          pendingFuture(); // never settled, never awaited
          Unfuture.withResolvers().reject(new Error('lost')); // unretrieved
          createTask(async () => {
            throw new Error('task failed');
          });
        })();
        await sleep(1);
        block(250); // a slow callback
        await sleep(1);
      });
      expect(trackedUnretrieved()).toBe(0);
      await settleGarbage(10);
      expect(hooksInstalled()).toEqual([false, false, false]);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('times no task (a pool call or producer future still records its timing)', async () => {
    const task = createTask(async () => {
      await sleep(1);
    });
    await task;
    const { future, start, resolve } = Unfuture.withResolvers<number>({ executor: 'thread' });
    start();
    resolve(1);
    expect(task.timing).toEqual({ createdAt: undefined, startedAt: undefined, settledAt: undefined });
    expect(Object.values(future.timing).every((t) => typeof t === 'number')).toBe(true);
  });
});

describe('with debug mode on', () => {
  it('times every task made while it is on: created, started, settled, in that order', async () => {
    configure({ debug: true });
    const task = createTask(async () => {
      await sleep(1);
    });
    configure({ debug: false });
    await task;
    const { createdAt, startedAt, settledAt } = task.timing;
    expect([typeof createdAt, typeof startedAt, typeof settledAt]).toEqual(['number', 'number', 'number']);
    expect(startedAt!).toBeGreaterThanOrEqual(createdAt!);
    expect(settledAt!).toBeGreaterThanOrEqual(startedAt!);
  });

  it('reports nothing for a program that awaits everything it starts', async () => {
    await settleGarbage();
    // This test is about futures and errors; slow callbacks have their own tests. A busy
    // machine can stretch a forced GC past 100 ms, which would be reported as one.
    const capture = captureReports({ slowCallbackDuration: 60_000 });
    try {
      await run(async () => {
        const value = <T>(v: T, ms = 1) => createTask(async () => (await sleep(ms), v));
        await gather([value(1), value(2)]);
        await gather([value(1), Promise.reject(new Error('x'))], { returnExceptions: true });
        await wait([value(1), value(2, 50)], { returnWhen: FIRST_COMPLETED });
        await waitFor(value(3), 1000);
        await waitFor(sleep(1000), 1).catch(() => undefined);
        await timeout(1000, () => value(4));
        await shield(value(5));
        for await (const v of asCompleted([value(6), value(7)])) void v;
        await new TaskGroup().run(async (tg) => {
          tg.createTask(() => value(8));
        });
        await new TaskGroup()
          .run(async (tg) => {
            tg.createTask(async () => {
              throw new Error('child failed');
            });
          })
          .catch(() => undefined);
        const lock = new Lock();
        const guard = await lock.acquire();
        guard.release();
        const q = new Queue<number>(1);
        await q.put(1);
        await q.get();
        const ev = new Event();
        setTimeout(() => ev.set(), 1);
        await ev.wait();
        const sem = new Semaphore(1);
        (await sem.acquire()).release();
        const cond = new Condition();
        const held = await cond.acquire();
        const waiter = createTask(async () => {
          const g = await cond.acquire();
          cond.notifyAll();
          g.release();
        });
        await cond.wait();
        held.release();
        await waiter;
        const barrier = new Barrier(2);
        await gather([barrier.wait(), barrier.wait()]);
        try {
          await value(Promise.reject(new Error('awaited failure')));
        } catch {
          // handled
        }
      });
      await settleGarbage(10);
      expect(capture.messages()).toEqual([]);
    } finally {
      capture.restore();
    }
  });
});

describe('one logger', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const DEFAULT_LOGGER = path.join('src', 'runtime', 'debug-state.ts');

  function sources(dir: string): string[] {
    if (!fs.existsSync(path.join(ROOT, dir))) return [];
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) return sources(rel);
      return /\.(ts|cts|mts|js|cjs|mjs)$/.test(entry.name) ? [rel] : [];
    });
  }

  /** The code without comments (doc examples may show console.log). */
  function code(text: string): string {
    return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  }

  it('never names the console in src/ or decorators/, except as the default logger', () => {
    const offenders: string[] = [];
    for (const file of [...sources('src'), ...sources('decorators')]) {
      const lines = code(fs.readFileSync(path.join(ROOT, file), 'utf8')).split('\n');
      lines.forEach((line, i) => {
        if (!/\bconsole\b/.test(line)) return;
        if (file === DEFAULT_LOGGER && /^\s*logger: console,$/.test(line)) return;
        offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
