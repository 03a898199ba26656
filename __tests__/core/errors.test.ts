import * as vm from 'node:vm';
import {
  CancelledError,
  InvalidStateError,
  TaskGroupError,
  TimeoutError,
  errorBrandOf,
  isCancelledError,
  isInvalidStateError,
  isTaskGroupError,
  isTimeoutError,
} from '../../src/core/errors';

describe('error classes', () => {
  it.each([
    [new CancelledError('m'), 'CancelledError', isCancelledError],
    [new TimeoutError('m'), 'TimeoutError', isTimeoutError],
    [new InvalidStateError('m'), 'InvalidStateError', isInvalidStateError],
    [new TaskGroupError([new Error('x')]), 'TaskGroupError', isTaskGroupError],
  ] as const)('%s has a stable name and a brand check', (error, name, check) => {
    expect(error.name).toBe(name);
    expect(errorBrandOf(error)).toBe(name);
    expect(check(error)).toBe(true);
    expect(check(new Error('plain'))).toBe(false);
    expect(check(null)).toBe(false);
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps the cause', () => {
    const cause = new CancelledError('inner');
    expect(new TimeoutError('t', { cause }).cause).toBe(cause);
  });

  it('makes TaskGroupError an AggregateError listing its errors', () => {
    const errors = [new Error('a'), new RangeError('b')];
    const group = new TaskGroupError(errors);
    expect(group).toBeInstanceOf(AggregateError);
    expect(group.errors).toEqual(errors);
    expect(group.message).toBe('2 tasks in the group failed');
  });

  it('recognises the brand on an error from another realm', () => {
    const foreign = vm.runInNewContext(`
      const e = new Error('from another realm');
      Object.defineProperty(e, Symbol.for('unsync.error.brand'), { value: 'CancelledError' });
      e;
    `);
    expect(foreign instanceof Error).toBe(false);
    expect(isCancelledError(foreign)).toBe(true);
  });

  it('does not list the brand among enumerable properties', () => {
    expect(Object.keys(new CancelledError('x'))).toEqual([]);
  });
});
