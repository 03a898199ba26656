import { PriorityQueue } from '../../src';

describe('PriorityQueue', () => {
  it('returns the lowest [priority, data] tuple first, ties in insertion order', () => {
    const q = new PriorityQueue<[number, string]>();
    for (const entry of [[3, 'c'], [1, 'b'], [1, 'a'], [2, 'x']] as Array<[number, string]>) q.putNowait(entry);
    expect([q.getNowait(), q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([
      [1, 'a'],
      [1, 'b'],
      [2, 'x'],
      [3, 'c'],
    ]);
  });

  it('keeps insertion order among items that compare equal', () => {
    const q = new PriorityQueue<{ p: number; id: number }>(0, (a, b) => a.p - b.p);
    for (let id = 0; id < 20; id++) q.putNowait({ p: id % 2, id });
    const ids = Array.from({ length: 20 }, () => q.getNowait().id);
    expect(ids).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
  });

  it('sorts numbers and strings naturally and accepts a comparator', () => {
    const nums = new PriorityQueue<number>();
    const input = [5, 3, 9, 1, 7, 2, 8, 0, 6, 4];
    input.forEach((n) => nums.putNowait(n));
    expect(input.map(() => nums.getNowait())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const desc = new PriorityQueue<number>(0, (a, b) => b - a);
    input.forEach((n) => desc.putNowait(n));
    expect(input.map(() => desc.getNowait())).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(() => new PriorityQueue(0, 'x' as never)).toThrow(TypeError);
  });

  it('respects maxsize like a Queue', async () => {
    const q = new PriorityQueue<number>(1);
    q.putNowait(2);
    const blocked = q.put(1);
    expect(blocked.done()).toBe(false);
    expect(q.getNowait()).toBe(2);
    await blocked;
    expect(q.getNowait()).toBe(1);
  });
});
