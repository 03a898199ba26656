/**
 * Decorated calls routed to the process pool, end to end: `cpuBound: true`,
 * `executor: 'process'` and a `@cpuBound()` hint, for plain functions
 * and for methods under both decorator systems (instance methods get a clone of `this`;
 * static methods the child's copy of the class). Children are real child processes: a value
 * computed there carries the child's pid.
 */
import * as fs from 'node:fs';
import { inspect, isCancelledError, isTimeoutError, shutdown, sleep } from '../../src';
import * as F from '../fixtures/decorated-functions';
import { buildLegacy } from './legacy-build';

type FixtureModule = typeof import('../fixtures/decorated-methods');

const legacyFile = buildLegacy('decorated-methods');

afterAll(async () => {
  await shutdown();
  fs.rmSync(legacyFile, { force: true });
});

/** `value@pid` -> the pid, checked to be another process than this one. */
function childPid(text: string): number {
  const pid = Number(text.slice(text.lastIndexOf('@') + 1));
  expect(Number.isInteger(pid)).toBe(true);
  expect(pid).not.toBe(process.pid);
  return pid;
}

describe('plain functions on the process pool', () => {
  it('runs `cpuBound: true` in a child process', async () => {
    const f = F.onProcess(7);
    expect(f.executor).toBe('process');
    expect(await f).toBe(49);
  });

  it('runs `executor: \'process\'` in a child process, as a future named after the function', async () => {
    const f = F.onProcessExplicit('tag');
    expect(f.executor).toBe('process');
    expect(f.getName()).toBe('processPid');
    const value = await f;
    expect(value.startsWith('tag@')).toBe(true);
    childPid(value);
  });

  it("does not send a compute-shaped function there under 'auto': it starts on the thread pool (cheaper per call), like blocking I/O", async () => {
    expect(inspect(F.sumToU)).toMatchObject({ kind: 'cpu', executor: 'thread', rule: 'source' });
    const f = F.sumToU(1000);
    expect(f.executor).toBe('thread');
    expect(await f).toBe(499_500);
  });

  it('rejects with what the function threw in the child, class and message intact', async () => {
    const error = await Promise.resolve(F.throwsInProcess(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(/^bad 3 in \d+$/);
  });

  it('stops a running call on cancel (its child is killed)', async () => {
    const f = F.spinForeverInProcess();
    await sleep(100);
    f.cancel();
    expect(isCancelledError(await Promise.resolve(f).catch((e: unknown) => e))).toBe(true);
    // The pool goes on with a fresh child.
    expect(await F.onProcess(3)).toBe(9);
  });

  it('cancels on `timeout` and rejects with TimeoutError', async () => {
    const error = await Promise.resolve(F.spinInProcessWithTimeout()).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(isCancelledError((error as Error).cause)).toBe(true);
  });
});

describe.each([
  ['TC39 decorators', () => require('../fixtures/decorated-methods') as FixtureModule],
  ['legacy decorators', () => require(legacyFile) as FixtureModule],
])('methods on the process pool (%s)', (_system, load) => {
  const { Service } = load();

  it('runs a `cpuBound: true` method on a clone of `this` that keeps its prototype', async () => {
    const s = new Service('p');
    const f = s.inProcess(1) as unknown as { executor: string; getName(): string } & PromiseLike<string>;
    expect(f.executor).toBe('process');
    expect(f.getName()).toBe('Service.inProcess');
    const value = await f;
    expect(value.startsWith('p:1@')).toBe(true); // `label` is a prototype method
    childPid(value);
  });

  it('follows a @cpuBound() hint there', async () => {
    expect(inspect(Service.prototype.repeatInProcess)).toMatchObject({ executor: 'process', rule: 'hint' });
    const value = await new Service('ab').repeatInProcess(3);
    expect(value.startsWith('ababab@')).toBe(true);
    childPid(value);
  });

  it('does not bring back what the child changed on `this`', async () => {
    const s = new Service('before');
    expect(await s.renameInProcess('after')).toBe('after:renamed');
    expect(s.prefix).toBe('before');
  });

  it('calls a static method with the class as `this`', async () => {
    const value = await Service.inProcessStatic();
    expect(value.startsWith('Service@')).toBe(true);
    childPid(value);
  });
});
