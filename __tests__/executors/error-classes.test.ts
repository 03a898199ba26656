/**
 * Errors keep their class wherever the call ran (docs/errors.md): the same rules over the
 * thread pool and the process pool, and the same class as on the loop.
 */
import * as yaml from 'js-yaml';
import { isTimeoutError, TimeoutError } from '../../src/core/errors';
import { isRemoteError, RemoteError } from '../../src/core/executor-errors';
import { ProcessExecutor, ThreadExecutor, registerErrorClass } from '../../src';
import type { Executor } from '../../src/executors/executor';
import * as ex from '../fixtures/error-functions';
import { refOf, rejectionOf } from './helpers';

const { LedgerError, HiddenError, WorkerOnlyError, CallerOnlyError } = ex.classes();

const pools: [string, Executor][] = [
  ['thread', new ThreadExecutor({ maxWorkers: 1 })],
  ['process', new ProcessExecutor({ maxWorkers: 1 })],
];
afterAll(async () => {
  await Promise.all(pools.map(([, pool]) => pool.close()));
});

/** What the caller catches when `fn(...args)` runs in `pool`. */
const failureIn = (pool: Executor, fn: Function, ...args: unknown[]): Promise<any> => rejectionOf(pool.submit(refOf(fn), args));
/** What the caller catches when `fn(...args)` runs here. */
function failureHere(fn: (...args: any[]) => unknown, ...args: unknown[]): any {
  try {
    fn(...args);
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe.each(pools)('errors thrown in the %s pool', (_kind, pool) => {
  it("arrive as a package's own class when the caller loaded the package (js-yaml's YAMLException)", async () => {
    const error = await failureIn(pool, ex.parseYaml, 'a: [');
    const here = failureHere(ex.parseYaml, 'a: [');
    expect(here).toBeInstanceOf(yaml.YAMLException);
    expect(error).toBeInstanceOf(yaml.YAMLException);
    expect(error).not.toBeInstanceOf(RemoteError);
    expect(error.name).toBe('YAMLException');
    expect(error.message).toBe(here.message);
    expect(error.reason).toBe(here.reason);
    expect(error.mark).toEqual(here.mark);
    expect(error.stack).toContain('the call ran in a worker');
  });

  it("arrive as a class exported by the function's own module, without registration", async () => {
    const error = await failureIn(pool, ex.overQuota, 7);
    expect(error).toBeInstanceOf(ex.QuotaError);
    expect(error.limit).toBe(7);
    expect(error.message).toBe('over the quota of 7');
    expect(error.name).toBe('QuotaError');
  });

  it('arrive as a registered class that no module exports', async () => {
    const error = await failureIn(pool, ex.failLedger, 'acc-1');
    expect(error).toBeInstanceOf(LedgerError);
    expect(error.account).toBe('acc-1');
    expect(error.name).toBe('LedgerError');
  });

  it('arrive as RemoteError, with name, message, stack, cause and fields, when no class can be found', async () => {
    const error = await failureIn(pool, ex.failHidden);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).not.toBeInstanceOf(HiddenError);
    expect(isRemoteError(error)).toBe(true);
    expect(error.remoteName).toBe('HiddenError');
    expect(error.message).toBe('hidden failure');
    expect(error.detail).toBe('not exported');
    expect(error.cause).toBeInstanceOf(RangeError);
    expect(error.cause.message).toBe('the hidden cause');
    expect(error.stack.split('\n')[0]).toBe('RemoteError [HiddenError]: hidden failure');
    expect(error.stack).toContain('error-functions.ts');
  });

  it('arrive as RemoteError when only the worker registered the class, under a key the caller does not know', async () => {
    const error = await failureIn(pool, ex.failWorkerOnly);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).not.toBeInstanceOf(WorkerOnlyError);
    expect(error.remoteName).toBe('WorkerOnlyError');
  });

  it("arrive as the caller's class when only the caller registered it, under the class's own name", async () => {
    const error = await failureIn(pool, ex.failCallerOnly);
    expect(error).toBeInstanceOf(CallerOnlyError);
    expect(error.message).toBe('registered where it is caught');
  });

  it('keep the class of every link of a cause chain', async () => {
    const error = await failureIn(pool, ex.failChain);
    expect(error).toBeInstanceOf(ex.QuotaError);
    expect(error.cause).toBeInstanceOf(LedgerError);
    expect(error.cause.account).toBe('acc-2');
    expect(error.cause.cause).toBeInstanceOf(yaml.YAMLException);
    expect(error.cause.cause.cause).toBeInstanceOf(RemoteError);
    expect(error.cause.cause.cause.remoteName).toBe('HiddenError');
    expect(error.cause.cause.cause.cause).toBeInstanceOf(TypeError);
    expect(error.cause.cause.cause.cause.message).toBe('the root');
  });

  it("keep an AggregateError's class and the class of each of its errors, in order", async () => {
    const error = await failureIn(pool, ex.failAggregate);
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.message).toBe('several failed');
    const [y, quota, ledger, hidden, uri, timeout, text] = error.errors;
    expect(error.errors).toHaveLength(7);
    expect(y).toBeInstanceOf(yaml.YAMLException);
    expect(quota).toBeInstanceOf(ex.QuotaError);
    expect(ledger).toBeInstanceOf(LedgerError);
    expect(hidden).toBeInstanceOf(RemoteError);
    expect(uri).toBeInstanceOf(URIError);
    expect(timeout).toBeInstanceOf(TimeoutError);
    expect(isTimeoutError(timeout)).toBe(true);
    expect(text).toBe('a string');
  });

  it('keep own properties that clone and drop the others without failing the call', async () => {
    const error = await failureIn(pool, ex.failWithProps);
    expect(error).toBeInstanceOf(ex.QuotaError);
    expect(error).toMatchObject({ code: 'EQUOTA', errno: -122, path: '/var/quota', syscall: 'write', limit: 9 });
    expect(error.detail.when).toEqual(new Date(0));
    expect([...error.detail.tags]).toEqual(['a']);
    expect(Object.keys(error)).not.toContain('retry');
    expect(Object.keys(error)).not.toContain('symbol');
  });

  it("keep a Node system error's code, errno, syscall and path", async () => {
    const missing = '/no/such/file/for/unsync';
    const error = await failureIn(pool, ex.readMissing, missing);
    const here = failureHere(ex.readMissing, missing);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RemoteError);
    expect({ code: error.code, errno: error.errno, syscall: error.syscall, path: error.path }).toEqual({ code: here.code, errno: here.errno, syscall: here.syscall, path: here.path });
    expect(error.code).toBe('ENOENT');
  });

  it('keep a DOMException with its name', async () => {
    const error = await failureIn(pool, ex.failAbort);
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe('AbortError');
  });
});

describe('the same class wherever a decorated function ran', () => {
  it("catches js-yaml's YAMLException with instanceof on the loop, a thread and a process", async () => {
    const caught = await Promise.all([ex.parseYamlOnLoop, ex.parseYamlOnThread, ex.parseYamlOnProcess].map((fn) => rejectionOf(fn('a: ['))));
    expect(caught.map((e) => e instanceof yaml.YAMLException)).toEqual([true, true, true]);
    expect(new Set(caught.map((e) => e.message)).size).toBe(1);
  });

  it('catches a registered class with instanceof on the loop, a thread and a process', async () => {
    const caught = await Promise.all([ex.failLedgerOnLoop, ex.failLedgerOnThread, ex.failLedgerOnProcess].map((fn) => rejectionOf(fn('acc-9'))));
    expect(caught.map((e) => e instanceof LedgerError)).toEqual([true, true, true]);
    expect(caught.map((e) => e.account)).toEqual(['acc-9', 'acc-9', 'acc-9']);
  });
});

describe('registerErrorClass', () => {
  class FirstError extends Error {}
  const Renamed = class extends Error {};

  it('returns the class and accepts registering it again from the same place', () => {
    const register = (): typeof FirstError => registerErrorClass(FirstError);
    expect(register()).toBe(FirstError);
    expect(register()).toBe(FirstError);
  });

  it('refuses a second class under a taken name, naming both and the way out', () => {
    registerErrorClass(class SharedName extends Error {});
    expect(() => registerErrorClass(class SharedName extends Error {})).toThrow(
      expect.objectContaining({ name: 'InvalidStateError', message: expect.stringMatching(/another class, `SharedName`, was registered under that name at .*error-classes\.test\.ts.*give one of them its own name/) }),
    );
  });

  it('refuses a class that already crosses under another name', () => {
    registerErrorClass(Renamed, { name: 'tests.Renamed' });
    expect(() => registerErrorClass(Renamed, { name: 'tests.Other' })).toThrow(/already registered as `tests\.Renamed`/);
  });

  it('validates its arguments', () => {
    expect(() => registerErrorClass(42 as never)).toThrow(new TypeError('Expected `Class` to be an error class (a constructor whose prototype inherits from Error), got 42 (number)'));
    expect(() => registerErrorClass(class NotAnError {} as never)).toThrow(TypeError);
    expect(() => registerErrorClass(TypeError)).toThrow(/built-in error class/);
    expect(() => registerErrorClass(TimeoutError)).toThrow(/one of unsync's error classes/);
    expect(() => registerErrorClass(class extends Error {})).toThrow(/has no name: pass `options.name`/);
    expect(() => registerErrorClass(FirstError, { name: '' })).toThrow(new TypeError('Expected `options.name` to be a non-empty string, got "" (string)'));
    expect(() => registerErrorClass(FirstError, { nam: 'x' } as never)).toThrow(/Unknown option `nam`/);
  });
});
