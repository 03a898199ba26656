/**
 * The remote job format (src/executors/remote/remote-wire.ts): arguments and answers travel
 * by the process wire's rules, as plain JSON when JSON is exact (an argument list too, not
 * only objects) and as a V8 clone otherwise, and come back as they went.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { answerOnRedisClock, answerStalls, decodeAnswer, decodePayload, encodeAnswer, encodePayload, moduleFile, moduleKey } from '../../../src/executors/remote/remote-wire';

describe('remote payloads', () => {
  it('send a JSON-exact argument list as plain JSON', () => {
    const args = [1, 'a', { x: [true, null] }];
    const text = encodePayload(args);
    expect(JSON.parse(text)).toEqual({ v: args });
    expect(decodePayload(text)).toEqual(args);
  });

  it('send anything else as a clone, and bring it back as it was', () => {
    for (const value of [[new Map([[1, 2n]])], [undefined, NaN], new Date(5), undefined, [1, , 3]]) {
      const text = encodePayload(value);
      expect(decodePayload(text)).toEqual(value);
    }
    expect(JSON.parse(encodePayload([new Set([1])]))).toMatchObject({ type: expect.any(String), data: expect.any(String) });
  });

  it('refuse a payload that is not a wrapped value', () => {
    expect(() => decodePayload('[1]')).toThrow(TypeError);
    expect(() => decodePayload(JSON.stringify({ type: 'v8', file: '/tmp/x' }))).toThrow(/must be inline/);
  });
});

describe('remote module names', () => {
  it("name a module relative to the root with '/', and find the file again from the name", () => {
    const root = path.join(os.tmpdir(), 'project');
    const file = path.join(root, 'dist', 'jobs.js');
    expect(moduleKey(file, root)).toBe('dist/jobs.js');
    expect(moduleFile('dist/jobs.js', root)).toBe(file);
    // Remembered per root: the same name under another root is another file.
    expect(moduleFile('dist/jobs.js', path.join(root, 'other'))).toBe(path.join(root, 'other', 'dist', 'jobs.js'));
    expect(moduleFile('../outside.js', root)).toBe(path.join(os.tmpdir(), 'outside.js'));
  });
});

describe('remote answers', () => {
  it('carry the outcome as an object inside the return value, and read it back', () => {
    const outcome = { type: 'result', id: 0, value: { n: 1 }, startedAt: 1, endedAt: 2 } as const;
    const answer = encodeAnswer(outcome);
    expect(JSON.parse(JSON.stringify(answer))).toEqual({ protocol: 2, outcome, stalls: 0 });
    expect(decodeAnswer(JSON.parse(JSON.stringify(answer)))).toEqual(outcome);
    expect(decodeAnswer({ protocol: 1, payload: '{}' })).toBe('the job returned no unsync answer');
    expect(decodeAnswer({ protocol: 3, outcome })).toMatch(/protocol 3/);
  });

  it('carry how many times the job\'s workers died before the answering run (0 when absent or not a count)', () => {
    const outcome = { type: 'result', id: 0, value: 1, startedAt: 1, endedAt: 2 } as const;
    expect(answerStalls(JSON.parse(JSON.stringify(encodeAnswer(outcome, 2))))).toBe(2);
    expect(answerStalls({ protocol: 2, outcome })).toBe(0);
    expect(answerStalls({ protocol: 2, outcome, stalls: -1 })).toBe(0);
    expect(answerStalls({ protocol: 2, outcome, stalls: '3' })).toBe(0);
    expect(answerStalls(null)).toBe(0);
  });

  it("say when the outcome's times are on Redis's clock (absent: the worker's own)", () => {
    const outcome = { type: 'result', id: 0, value: 1, startedAt: 1, endedAt: 2 } as const;
    const answer = JSON.parse(JSON.stringify(encodeAnswer(outcome, 0, true))) as unknown;
    expect(answer).toEqual({ protocol: 2, outcome, stalls: 0, clock: 'redis' });
    expect(answerOnRedisClock(answer)).toBe(true);
    expect(answerOnRedisClock(encodeAnswer(outcome))).toBe(false);
    expect(answerOnRedisClock({ protocol: 2, outcome, clock: 'worker' })).toBe(false);
  });
});
