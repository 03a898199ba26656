/**
 * The remote worker's calls by job id and the stop requests that reach them
 * (src/executors/remote/running-calls.ts), with Unfutures standing for the calls and a
 * recorded lookup standing for the stop keys in Redis. That a caller's cancel stops a call
 * on a real worker is covered over Redis (remote-stop-requests.test.ts,
 * remote-executor.test.ts).
 */
import { Unfuture, isCancelledError } from '../../../src';
import { RunningCalls } from '../../../src/executors/remote/running-calls';

/** A call that runs until cancelled. */
function runningCall(): Unfuture<unknown> {
  return Unfuture.withResolvers<unknown>().future;
}

/** RunningCalls whose stop keys are `keys` (the lookups are recorded). */
function withKeys(keys: readonly string[] = []) {
  const lookups: string[][] = [];
  const calls = new RunningCalls(async (jobIds) => {
    lookups.push([...jobIds]);
    return jobIds.filter((id) => keys.includes(id));
  });
  return { calls, lookups };
}

/** Let the lookups' promises settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('RunningCalls', () => {
  it('cancels a running call when its stop request comes, and only that call', () => {
    const { calls } = withKeys();
    const a = runningCall();
    const b = runningCall();
    calls.started('a', false, a);
    calls.started('b', false, b);
    calls.stop('a');
    expect([a.cancelled(), b.cancelled()]).toEqual([true, false]);
  });

  it('remembers a request that came before its call started, and cancels the call as it starts', () => {
    const { calls } = withKeys();
    calls.stop('early');
    const call = runningCall();
    calls.started('early', false, call);
    expect(call.cancelled()).toBe(true);
    // Once only: a later run of the same job starts uncancelled.
    calls.ended('early');
    const again = runningCall();
    calls.started('early', false, again);
    expect(again.cancelled()).toBe(false);
  });

  it('looks up the stop key of a call that may have missed its message, and acts on what it finds', async () => {
    const { calls, lookups } = withKeys(['asked']);
    const asked = runningCall();
    const other = runningCall();
    calls.started('asked', true, asked);
    calls.started('other', true, other);
    calls.started('trusted', false, runningCall());
    await settle();
    expect(lookups).toEqual([['asked'], ['other']]);
    expect([asked.cancelled(), other.cancelled()]).toEqual([true, false]);
  });

  it('says a request may have been missed when the subscriber is away, the job ran before, or it became active before the subscription', () => {
    const { calls } = withKeys();
    expect(calls.mayHaveMissed(1000, 1)).toBe(true); // never subscribed
    calls.subscribed(10_000);
    expect(calls.mayHaveMissed(20_000, 1)).toBe(false);
    expect(calls.mayHaveMissed(20_000, 2)).toBe(true);
    expect(calls.mayHaveMissed(5_000, 1)).toBe(true);
    expect(calls.mayHaveMissed(undefined, 1)).toBe(true);
    calls.subscribed(undefined);
    expect(calls.mayHaveMissed(20_000, 1)).toBe(true);
  });

  it('looks up every running call again when the subscriber comes back', async () => {
    const { calls, lookups } = withKeys(['b']);
    const a = runningCall();
    const b = runningCall();
    calls.started('a', false, a);
    calls.started('b', false, b);
    calls.recheck();
    await settle();
    expect(lookups).toEqual([['a', 'b']]);
    expect([a.cancelled(), b.cancelled()]).toEqual([false, true]);
  });

  it('stops every running call for requeueing once the closing grace is over, and any call that starts after', async () => {
    const { calls } = withKeys();
    const running = runningCall();
    calls.started('running', false, running);
    calls.requeueAll();
    const late = runningCall();
    calls.started('late', false, late);
    expect([running.cancelled(), late.cancelled()]).toEqual([true, true]);
    expect([calls.requeued('running'), calls.requeued('late'), calls.requeued('other')]).toEqual([true, true, false]);
    expect(await running.then(() => 'value', (error: unknown) => (isCancelledError(error) ? (error as Error).message : 'other'))).toBe('the remote worker is closing');
  });
});
