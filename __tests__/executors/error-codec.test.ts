import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { CancelledError, isCancelledError } from '../../src/core/errors';
import { RemoteError, WorkerCrashedError, isRemoteError, isWorkerCrashedError } from '../../src/core/executor-errors';
import { encodeError, findUncloneable, type EncodedErrorRecord } from '../../src/executors/worker/error-codec.cjs';
import { argumentCloneError, decodeWorkerError } from '../../src/executors/serialization';
import { registerErrorClass } from '../../src/executors/error-classes';

const roundTrip = (e: unknown): any => decodeWorkerError(structuredClone(encodeError(e)), 'Error\n    at caller (here.ts:1:1)');

describe('error codec', () => {
  it('round-trips built-in errors with message, cause, own props and both stacks', () => {
    const original = Object.assign(new URIError('bad uri', { cause: 'why' }), { code: 'E_URI', detail: { n: 1 } });
    const back = roundTrip(original);
    expect(back).toBeInstanceOf(URIError);
    expect(back).toMatchObject({ message: 'bad uri', code: 'E_URI', detail: { n: 1 }, cause: 'why' });
    expect(back.stack.split('\n')[0]).toBe('URIError: bad uri');
    expect(back.stack).toContain('at caller (here.ts:1:1)');
    expect(back.stack).toContain('error-codec.test.ts');
  });

  it('round-trips unsync branded errors as their own class with their fields', () => {
    const back = roundTrip(new WorkerCrashedError('died', { exitCode: 3, cause: new CancelledError('c') }));
    expect(back).toBeInstanceOf(WorkerCrashedError);
    expect(isWorkerCrashedError(back)).toBe(true);
    expect(back.exitCode).toBe(3);
    expect(back.cause).toBeInstanceOf(CancelledError);
  });

  it('turns classes it cannot find into RemoteError and drops props that cannot be cloned', () => {
    class DbError extends Error {
      query = 'select 1';
      handle = () => 1;
    }
    const back = roundTrip(new DbError('db down'));
    expect(back).toBeInstanceOf(RemoteError);
    expect(isRemoteError(back)).toBe(true);
    expect(back.remoteName).toBe('DbError');
    expect(back.query).toBe('select 1');
    expect('handle' in back).toBe(false);
    expect(back.stack.split('\n')[0]).toBe('RemoteError [DbError]: db down');
  });

  it("names where the class can be found: its registered key and the loaded modules that export it", () => {
    class KeyedError extends Error {}
    registerErrorClass(KeyedError, { name: 'codec.KeyedError' });
    expect((encodeError(new KeyedError('k')) as EncodedErrorRecord).origin).toEqual({ registered: 'codec.KeyedError' });
    const origin = (encodeError(new yaml.YAMLException('y')) as EncodedErrorRecord).origin;
    expect(origin?.exports).toContainEqual([require.resolve('js-yaml'), 'YAMLException']);
    // Built-in and unsync classes are named by their class name and brand, not by an origin.
    expect((encodeError(new RangeError('r')) as EncodedErrorRecord).origin).toBeUndefined();
    expect((encodeError(new CancelledError('c')) as EncodedErrorRecord).origin).toBeUndefined();
  });

  it("finds a class that is a module's exports, or one level down in a plain object", () => {
    const WholeModuleError = require('../fixtures/error-module-class.cjs');
    const { errors } = require('../fixtures/error-exports.cjs');
    const whole = encodeError(new WholeModuleError('w')) as EncodedErrorRecord;
    expect(whole.origin?.exports).toEqual([[require.resolve('../fixtures/error-module-class.cjs'), '']]);
    expect(roundTrip(new WholeModuleError('w'))).toBeInstanceOf(WholeModuleError);
    const bagged = encodeError(new errors.BaggedError('b')) as EncodedErrorRecord;
    expect(bagged.origin?.exports).toEqual([[require.resolve('../fixtures/error-exports.cjs'), 'errors.BaggedError']]);
    expect(roundTrip(new errors.BaggedError('b'))).toBeInstanceOf(errors.BaggedError);
  });

  it('never runs a getter of hand-written CommonJS exports', () => {
    const { makeViaGetter, getterReads } = require('../fixtures/error-exports.cjs');
    const record = encodeError(makeViaGetter('g')) as EncodedErrorRecord;
    expect(record.origin).toBeUndefined();
    expect(getterReads()).toBe(0);
    expect(decodeWorkerError(record)).toBeInstanceOf(RemoteError);
  });

  it('rebuilds a registered subclass of an unsync error as that subclass, brand included', () => {
    class StopRequested extends CancelledError {}
    registerErrorClass(StopRequested);
    const back = roundTrip(new StopRequested('stop'));
    expect(back).toBeInstanceOf(StopRequested);
    expect(isCancelledError(back)).toBe(true);
  });

  it('never loads a module named by an origin: a module the caller has not loaded gives a RemoteError', () => {
    const file = path.join(__dirname, '..', 'fixtures', 'never-loaded-error.cjs');
    const record: EncodedErrorRecord = { kind: 'error', ctor: 'NeverLoadedError', name: 'Error', message: 'm', origin: { exports: [[file, 'NeverLoadedError']] } };
    const back = decodeWorkerError(record) as RemoteError;
    expect(back).toBeInstanceOf(RemoteError);
    expect(back.remoteName).toBe('NeverLoadedError');
    expect((globalThis as Record<string, unknown>).__unsyncNeverLoadedErrorModule).toBeUndefined();
  });

  it('ignores a malformed origin, and an export that is not an error class', () => {
    const base = { kind: 'error', ctor: 'Odd', name: 'Odd', message: 'm' } as const;
    const origins: unknown[] = [null, 'x', { registered: 5 }, { exports: 'x' }, { exports: [[1, 2], null, [require.resolve('js-yaml'), 'load']] }];
    for (const origin of origins) {
      const back = decodeWorkerError({ ...base, origin } as never) as RemoteError;
      expect(back).toBeInstanceOf(RemoteError);
      expect(back.remoteName).toBe('Odd');
    }
  });

  it('finds which value cannot be cloned and where', () => {
    expect(findUncloneable([1, 'a', new Map()])).toBeUndefined();
    const found = findUncloneable([1, [0, { cb: Symbol('s') }]]);
    expect(found).toMatchObject({ index: 1, path: '[1].cb' });
    const error = argumentCloneError('work', [new Map([['k', () => 1]])]);
    expect(error?.message).toMatch(/^argument 1 of `work` cannot be sent to a worker \(at \.get\(k\)\): /);
  });
});
