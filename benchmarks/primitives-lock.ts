/**
 * Lock vs async-mutex, side by side in one run (`npx tsx benchmarks/primitives-lock.ts`):
 *   1. uncontended: N sequential `await acquire(); release()` pairs;
 *   2. contended: W workers each taking the lock M times and yielding once while holding
 *      it, so every release hands the lock to a parked waiter (W*M hand-offs).
 * Both run as plain async functions (no unsync task), then the unsync contenders again
 * inside a task, where `await` also links the awaited future to the task.
 * Figures are medians over interleaved rounds; ratio = unsync / async-mutex (< 1 is faster).
 */
import { Mutex } from 'async-mutex';
import { Lock, createTask } from '../src';
import { comparisonTable, interleave, machine, timed } from './lib/measure';

const N = Number(process.env.BENCH_N ?? 1_000_000);
const WORKERS = 4;
const HANDOFFS = Number(process.env.BENCH_HANDOFFS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

async function unsyncUncontended(): Promise<void> {
  const lock = new Lock();
  for (let i = 0; i < N; i++) {
    const held = await lock.acquire();
    held.release();
  }
}

async function mutexUncontended(): Promise<void> {
  const mutex = new Mutex();
  for (let i = 0; i < N; i++) {
    const release = await mutex.acquire();
    release();
  }
}

async function unsyncContended(): Promise<void> {
  const lock = new Lock();
  const per = HANDOFFS / WORKERS;
  const worker = async (): Promise<void> => {
    for (let i = 0; i < per; i++) {
      const held = await lock.acquire();
      await undefined; // hold across a turn so the others queue up
      held.release();
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
}

async function mutexContended(): Promise<void> {
  const mutex = new Mutex();
  const per = HANDOFFS / WORKERS;
  const worker = async (): Promise<void> => {
    for (let i = 0; i < per; i++) {
      const release = await mutex.acquire();
      await undefined;
      release();
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
}

const inTask = (fn: () => Promise<void>) => () => timed(() => createTask(fn));

async function main(): Promise<void> {
  const markdown = process.argv.includes('--markdown');
  if (!markdown) {
    console.log(`# Lock vs async-mutex — ${machine()}`);
    console.log(`# ${N} uncontended pairs, ${HANDOFFS} contended hand-offs (${WORKERS} workers), ${ROUNDS} rounds, medians`);
  }
  const plain = await interleave(
    {
      'unsync uncontended': () => timed(unsyncUncontended),
      'async-mutex uncontended': () => timed(mutexUncontended),
      'unsync contended': () => timed(unsyncContended),
      'async-mutex contended': () => timed(mutexContended),
    },
    ROUNDS,
  );
  // Inside a task: measured after the plain runs, since the first task turns on
  // AsyncLocalStorage for the rest of the process (it slows native promises too).
  const tasked = await interleave(
    {
      'unsync uncontended (in a task)': inTask(unsyncUncontended),
      'async-mutex uncontended (in a task)': inTask(mutexUncontended),
      'unsync contended (in a task)': inTask(unsyncContended),
      'async-mutex contended (in a task)': inTask(mutexContended),
    },
    ROUNDS,
  );
  const all = { ...plain, ...tasked };
  if (markdown) {
    console.log(markdownSection(all));
    return;
  }
  for (const [name, ms] of Object.entries(all)) console.log(`${name.padEnd(40)} ${ms.toFixed(1).padStart(8)} ms`);
  const ratio = (a: string, b: string): string => (all[a]! / all[b]!).toFixed(2);
  console.log(`ratio uncontended (unsync / async-mutex): ${ratio('unsync uncontended', 'async-mutex uncontended')}`);
  console.log(`ratio contended   (unsync / async-mutex): ${ratio('unsync contended', 'async-mutex contended')}`);
  console.log(
    `ratio uncontended in a task: ${ratio('unsync uncontended (in a task)', 'async-mutex uncontended (in a task)')}`,
  );
  console.log(`ratio contended in a task:   ${ratio('unsync contended (in a task)', 'async-mutex contended (in a task)')}`);
}

function markdownSection(all: Record<string, number>): string {
  const row = (label: string, a: string, b: string, goal: string) => ({ label, unsync: all[a]!, peer: all[b]!, goal });
  return `## Primitives: Lock vs async-mutex

Command: \`npx tsx benchmarks/primitives-lock.ts --markdown\` (${ROUNDS} rounds, contenders
interleaved, medians; ${N / 1e6}M uncontended acquire/release pairs, ${HANDOFFS / 1000}k contended
hand-offs among ${WORKERS} workers). Ratio = unsync / async-mutex; below 1 is faster.

${comparisonTable('async-mutex', [
    row('uncontended, plain async code', 'unsync uncontended', 'async-mutex uncontended', 'no slower (<= 1)'),
    row('contended hand-offs, plain async code', 'unsync contended', 'async-mutex contended', 'no slower (<= 1)'),
    row('uncontended, inside a task', 'unsync uncontended (in a task)', 'async-mutex uncontended (in a task)', ''),
    row('contended hand-offs, inside a task', 'unsync contended (in a task)', 'async-mutex contended (in a task)', ''),
  ])}

Inside a task every \`await\` on a pending Unfuture also links it to the task (so the task's
cancellation reaches the lock wait); async-mutex's promises carry no such link.
`;
}

void main();
