import { LifoQueue } from '../../src';

describe('LifoQueue', () => {
  it('returns the most recently added item first', () => {
    const q = new LifoQueue<number>();
    [1, 2, 3].forEach((n) => q.putNowait(n));
    expect([q.getNowait(), q.getNowait(), q.getNowait()]).toEqual([3, 2, 1]);
  });

  it('moves a blocked putter in when a slot frees, on top of the stack', async () => {
    const q = new LifoQueue<number>(2);
    q.putNowait(1);
    q.putNowait(2);
    const blocked = q.put(3);
    expect(q.getNowait()).toBe(2);
    await blocked;
    expect([q.getNowait(), q.getNowait()]).toEqual([3, 1]);
    expect(String(q)).toBe('[object LifoQueue]');
  });
});
