import { CancelledError, RemoteError, WorkerCrashedError, isRemoteError, isWorkerCrashedError } from '../../src/core/errors';
import { encodeError, findUncloneable } from '../../src/executors/worker/error-codec.cjs';
import { argumentCloneError, decodeWorkerError } from '../../src/executors/serialization';

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

  it('turns custom classes into RemoteError and keeps unclonable props as text', () => {
    class DbError extends Error {
      query = 'select 1';
      handle = () => 1;
    }
    const back = roundTrip(new DbError('db down'));
    expect(back).toBeInstanceOf(RemoteError);
    expect(isRemoteError(back)).toBe(true);
    expect(back.remoteName).toBe('DbError');
    expect(back.query).toBe('select 1');
    expect(typeof back.handle).toBe('string');
    expect(back.stack.split('\n')[0]).toBe('RemoteError [DbError]: db down');
  });

  it('finds which value cannot be cloned and where', () => {
    expect(findUncloneable([1, 'a', new Map()])).toBeUndefined();
    const found = findUncloneable([1, [0, { cb: Symbol('s') }]]);
    expect(found).toMatchObject({ index: 1, path: '[1].cb' });
    const error = argumentCloneError('work', [new Map([['k', () => 1]])]);
    expect(error?.message).toMatch(/^argument 1 of `work` cannot be sent to a worker \(at \.get\(k\)\): /);
  });
});
