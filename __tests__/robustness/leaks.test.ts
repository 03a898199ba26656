/**
 * Nothing a cancelled or finished operation made may keep the process alive: after it
 * settles, the process holds no extra `Timeout` handle.
 */
import { isTimeoutError } from '../../src/core/errors';
import { createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { waitFor } from '../../src/combinators/wait-for';
import { timeout } from '../../src/combinators/timeout';
import { wait, FIRST_COMPLETED } from '../../src/combinators/wait';
import { gather } from '../../src/combinators/gather';
import { asCompleted } from '../../src/combinators/as-completed';
import { TaskGroup } from '../../src/combinators/task-group';
import { shield } from '../../src/combinators/shield';
import { run } from '../../src/runtime/run';
import { activeTimers, drainTasks, macroTurns, settledWithin, timersSettleTo } from './helpers';

let baseline = 0;
beforeEach(() => {
  baseline = activeTimers();
});
afterEach(async () => {
  expect(await drainTasks()).toEqual([]);
});

/** No more timers than when the test started (jest keeps a few of its own). */
async function expectNoExtraTimers(): Promise<void> {
  expect(await timersSettleTo(baseline)).toBeLessThanOrEqual(baseline);
}

it('cancelled sleeps clear their timers at once', async () => {
  const sleeps = Array.from({ length: 50 }, (_, i) => sleep(60_000 + i));
  expect(activeTimers()).toBe(baseline + 50);
  for (const s of sleeps) s.cancel();
  await expectNoExtraTimers();
  const zero = sleep(0);
  zero.cancel();
  await macroTurns(1);
  expect(zero.state).toBe('cancelled');
});

it('a task cancelled inside sleep, waitFor, timeout, wait and gather leaves no timer', async () => {
  const waited = [sleep(60_000), sleep(50_000)];
  const tasks = [
    createTask(() => sleep(60_000)),
    createTask(() => waitFor(sleep(60_000), 30_000)),
    createTask(() => waitFor(() => sleep(60_000), 30_000)),
    createTask(() => timeout(30_000, () => sleep(60_000))),
    createTask(() => wait(waited, { timeout: 30_000 })),
    createTask(() => gather(sleep(60_000), () => sleep(50_000))),
    createTask(() => new TaskGroup().run((tg) => void tg.createTask(() => sleep(60_000)))),
    createTask(() => timeout(30_000, () => waitFor(() => timeout(20_000, () => sleep(60_000)), 10_000))),
  ];
  await macroTurns(2);
  for (const t of tasks) t.cancel();
  for (const t of tasks) await settledWithin(t);
  for (const t of tasks) expect(t.state).toBe('cancelled');
  expect(await drainTasks()).toEqual([]);
  // wait() never cancels its awaitables: the two sleeps given to it are the only timers left.
  expect(await timersSettleTo(baseline + 2)).toBeLessThanOrEqual(baseline + 2);
  expect(waited.map((s) => s.state)).toEqual(['pending', 'pending']);
  for (const s of waited) s.cancel();
  await expectNoExtraTimers();
});

it('deadlines that never fire are cleared when the work finishes first', async () => {
  await waitFor(sleep(1), 60_000);
  await timeout(60_000, () => sleep(1));
  await wait([sleep(1)], { timeout: 60_000 });
  await wait([sleep(1), sleep(2)], { timeout: 60_000, returnWhen: FIRST_COMPLETED });
  await macroTurns(1);
  await sleep(3); // the second sleep of the FIRST_COMPLETED wait ends
  const values: number[] = [];
  for await (const v of asCompleted([sleep(1, 1), sleep(2, 2)], { timeout: 60_000 })) values.push(v);
  expect(values).toEqual([1, 2]);
  await expectNoExtraTimers();
});

it('waitFor and timeout that expire leave no timer, even when the body shields work', async () => {
  expect(isTimeoutError(await waitFor(sleep(60_000), 1).then(() => null, (e) => e))).toBe(true);
  expect(isTimeoutError(await timeout(1, () => sleep(60_000)).then(() => null, (e) => e))).toBe(true);
  const inner = createTask(() => sleep(5));
  expect(isTimeoutError(await timeout(1, () => shield(inner)).then(() => null, (e) => e))).toBe(true);
  await inner;
  await expectNoExtraTimers();
});

it('asCompleted with a timeout: breaking out of for await clears its timer', async () => {
  const slow = sleep(60_000, 'slow');
  for await (const v of asCompleted([sleep(0, 'fast'), slow], { timeout: 30_000 })) {
    expect(v).toBe('fast');
    break;
  }
  slow.cancel();
  await expectNoExtraTimers();
});

it('asCompleted with a timeout: an error ending for await clears its timer', async () => {
  const slow = sleep(60_000, 'slow');
  const boom = new Error('boom');
  const failing = createTask(async () => {
    await sleep(0);
    throw boom;
  });
  let caught: unknown;
  try {
    for await (const _v of asCompleted([failing, slow], { timeout: 30_000 })) {
      // nothing
    }
  } catch (e) {
    caught = e;
  }
  expect(caught).toBe(boom);
  slow.cancel();
  await expectNoExtraTimers();
});

it('asCompleted with a timeout: cancelling the iterating task clears its timer', async () => {
  const slow = sleep(60_000, 'slow');
  const consumer = createTask(async () => {
    for await (const _v of asCompleted([slow], { timeout: 30_000 })) {
      // never reached
    }
  });
  await macroTurns(2);
  consumer.cancel();
  await settledWithin(consumer);
  expect(consumer.state).toBe('cancelled');
  expect(slow.state).toBe('pending'); // asCompleted never cancels its inputs
  slow.cancel();
  await expectNoExtraTimers();
});

it('run() cancels what main left behind and no timer survives', async () => {
  const result = await run(async () => {
    createTask(() => sleep(60_000));
    createTask(() => timeout(30_000, () => sleep(60_000)));
    createTask(() => waitFor(() => sleep(60_000), 30_000));
    await sleep(1);
    return 'main done';
  });
  expect(result).toBe('main done');
  await expectNoExtraTimers();
});
