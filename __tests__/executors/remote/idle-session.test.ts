/**
 * The remote executor's session of connections (src/executors/remote/idle-session.ts) with
 * sessions that record their opening and closing, on jest's fake clock. That a real
 * caller's connections close when idle and let its program exit is covered over Redis
 * (remote-idle-connections.test.ts).
 */
import { InvalidStateError } from '../../../src';
import { IdleSession } from '../../../src/executors/remote/idle-session';

beforeEach(() => {
  jest.useFakeTimers();
});

afterEach(() => {
  jest.useRealTimers();
});

/** Sessions numbered in the order they open, with a log of what happened to them. */
function recorded(idleTimeout: number, options: { failOpens?: number; holdClose?: boolean } = {}) {
  const log: string[] = [];
  let opened = 0;
  let failures = options.failOpens ?? 0;
  let finishClose: (() => void) | undefined;
  const session = new IdleSession<number>(
    async () => {
      if (failures > 0) {
        failures--;
        log.push('open failed');
        throw new Error('cannot connect');
      }
      const n = ++opened;
      log.push(`open ${n}`);
      return n;
    },
    async (n) => {
      log.push(`closing ${n}`);
      if (options.holdClose === true) await new Promise<void>((resolve) => (finishClose = resolve));
      log.push(`closed ${n}`);
    },
    idleTimeout,
  );
  return { session, log, finishClose: () => finishClose?.() };
}

/** Let pending promise jobs run (the fake clock does not move). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/** The first session is still open `ms - 1` ms from now, and closed (no other opened) at `ms`. */
async function expectFirstClosedAfter(log: readonly string[], ms: number): Promise<void> {
  jest.advanceTimersByTime(ms - 1);
  await settle();
  expect(log).toEqual(['open 1']);
  jest.advanceTimersByTime(1);
  await settle();
  expect(log).toEqual(['open 1', 'closing 1', 'closed 1']);
}

describe('IdleSession', () => {
  it('opens one session for every call that asks while it opens, and holds it in current once open', async () => {
    const { session, log } = recorded(1000);
    expect(session.current).toBeUndefined();
    const [a, b] = await Promise.all([session.open(), session.open()]);
    expect([a, b, session.current]).toEqual([1, 1, 1]);
    expect(log).toEqual(['open 1']);
  });

  it('closes the session after an idle spell of idleTimeout, and the next open makes a new one', async () => {
    const { session, log } = recorded(1000);
    await session.open();
    session.idle();
    await expectFirstClosedAfter(log, 1000);
    expect(session.current).toBeUndefined();
    expect(await session.open()).toBe(2);
  });

  it('keeps the session when a call comes before the idle spell ends', async () => {
    const { session, log } = recorded(1000);
    await session.open();
    session.idle();
    jest.advanceTimersByTime(500);
    session.busy();
    jest.advanceTimersByTime(5000);
    await settle();
    expect(log).toEqual(['open 1']);
    // A new spell starts from its own idle(), not from the first.
    session.idle();
    await expectFirstClosedAfter(log, 1000);
  });

  it('opens the next session only after the last one closed', async () => {
    const { session, log, finishClose } = recorded(0, { holdClose: true });
    await session.open();
    session.idle();
    jest.advanceTimersByTime(0);
    await settle();
    expect(log).toEqual(['open 1', 'closing 1']);
    const next = session.open();
    await settle();
    expect(log).toEqual(['open 1', 'closing 1']);
    finishClose();
    expect(await next).toBe(2);
    expect(log).toEqual(['open 1', 'closing 1', 'closed 1', 'open 2']);
  });

  it('forgets a session whose opening failed: the next open tries again', async () => {
    const { session, log } = recorded(1000, { failOpens: 1 });
    await expect(session.open()).rejects.toThrow('cannot connect');
    expect(await session.open()).toBe(1);
    expect(log).toEqual(['open failed', 'open 1']);
  });

  it('does nothing on idle() before any session opened', async () => {
    const { session, log } = recorded(0);
    session.idle();
    jest.advanceTimersByTime(10);
    await settle();
    expect(log).toEqual([]);
  });

  it('closes for good: the open session (once it has opened) closes, an idle spell ends, and opens reject', async () => {
    const { session, log } = recorded(1000);
    const opening = session.open();
    session.idle();
    await session.close();
    expect(await opening).toBe(1);
    expect(log).toEqual(['open 1', 'closing 1', 'closed 1']);
    jest.advanceTimersByTime(5000);
    await settle();
    expect(log).toEqual(['open 1', 'closing 1', 'closed 1']);
    await expect(session.open()).rejects.toThrow(InvalidStateError);
  });
});
