/**
 * The remote executor's poll for missed events (./src/executors/remote/job-poll.ts) on
 * jest's fake clock. That the executor's poll settles a call whose events were missed is
 * covered over Redis (remote-missed-events.test.ts: a `completed` event the caller never
 * reads; remote-redis-restart.test.ts: a job lost with Redis is found gone).
 */
import { JobPoll } from '../../../src/executors/remote/job-poll';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

/** A poll whose ticks are counted, and go on while `keep()` says so. */
function counted(interval: number, keep: () => boolean = () => true) {
  const state = { ticks: 0 };
  const poll = new JobPoll(interval, () => {
    state.ticks++;
    return keep();
  });
  return { poll, state };
}

describe('JobPoll', () => {
  it('ticks once every interval from the time it is armed, and not before', () => {
    const { poll, state } = counted(1000);
    jest.advanceTimersByTime(5000);
    expect(state.ticks).toBe(0);
    poll.arm();
    jest.advanceTimersByTime(999);
    expect(state.ticks).toBe(0);
    jest.advanceTimersByTime(1);
    expect(state.ticks).toBe(1);
    jest.advanceTimersByTime(3000);
    expect(state.ticks).toBe(4);
    poll.stop();
  });

  it('keeps one timer when armed again while armed', () => {
    const { poll, state } = counted(100);
    poll.arm();
    jest.advanceTimersByTime(50);
    poll.arm();
    poll.arm();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(50);
    expect(state.ticks).toBe(1);
    poll.stop();
  });

  it('stops at a tick that finds nothing waiting, and ticks again once armed again', () => {
    let waiting = true;
    const { poll, state } = counted(100, () => waiting);
    poll.arm();
    jest.advanceTimersByTime(200);
    waiting = false;
    jest.advanceTimersByTime(100);
    expect(state.ticks).toBe(3);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(state.ticks).toBe(3);
    waiting = true;
    poll.arm();
    jest.advanceTimersByTime(100);
    expect(state.ticks).toBe(4);
    poll.stop();
  });

  it('stops when told, and stopping a stopped poll changes nothing', () => {
    const { poll, state } = counted(100);
    poll.stop();
    poll.arm();
    jest.advanceTimersByTime(100);
    poll.stop();
    poll.stop();
    jest.advanceTimersByTime(1000);
    expect(state.ticks).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('does not keep the process alive by itself (its timer is unreferenced)', () => {
    const made = jest.spyOn(global, 'setInterval');
    const { poll } = counted(100);
    poll.arm();
    expect(made).toHaveBeenCalledTimes(1);
    const timer = made.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    poll.stop();
    made.mockRestore();
  });
});
