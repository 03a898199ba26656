/**
 * The thread pool's fixed settings, each against its alternatives (issue 4: "tune piscina
 * (concurrentTasksPerWorker, atomics, idle timeout) and measure"). unsync runs each thread as
 * one long piscina task (a session, docs/executors.md), so piscina's settings act where
 * sessions start, and unsync's own pipeline depth plays the part of concurrentTasksPerWorker:
 *   1. atomics ('sync', 'async', 'disabled'): the first call after the session ended (the
 *      pool idle past SESSION_IDLE_MS, the worker warm), and tiny calls in a live session.
 *   2. pipeline depth (calls sent to one thread at a time: 1, 2, 4, 8): tiny calls batched and
 *      sequential.
 *   3. idle timeout: the first call after an idle pause, with the worker kept (the default
 *      10 s) or retired (idleTimeout shorter than the pause, minWorkers 0).
 * Run: npx tsx benchmarks/executors-thread-settings.ts [--markdown] [--quick]
 *
 * This module is loaded again in every worker (that is how workers find `noop`), so the
 * benchmark itself only runs when `!inWorker()`.
 */
import * as os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ThreadExecutor, inWorker, unsyncRegister } from '../src/executors';
import { DEFAULT_ATOMICS, type ThreadTuning } from '../src/executors/engine/pool-options';
import { PIPELINE_DEPTH, SESSION_IDLE_MS } from '../src/executors/thread-executor';
import { interleave, timed } from './lib/measure';

export function noop(x: number): number {
  return x;
}
const noopRef = unsyncRegister(noop);

const QUICK = process.argv.includes('--quick');
const THREADS = Math.max(1, os.availableParallelism());
const BATCH = QUICK ? 20_000 : 100_000;
const SEQUENTIAL = QUICK ? 1_000 : 5_000;
const ROUNDS = QUICK ? 3 : 7;
/** Pauses (first call after an idle pause) measured per contender. */
const PAUSES = QUICK ? 5 : 15;
/** Longer than a session lives without work, so each pause ends the session. */
const PAUSE_MS = SESSION_IDLE_MS + 150;
/** The retiring pool's idleTimeout: its session ends after it, and its piscina pool after as long again, within a pause. */
const RETIRE_MS = 100;

const progress = (line: string): void => void process.stderr.write(`${line}\n`);

async function warm(pool: ThreadExecutor): Promise<void> {
  await Promise.all(Array.from({ length: THREADS * 50 }, (_, i) => pool.submit(noopRef, [i])));
}

function sequential(pool: ThreadExecutor): Promise<number> {
  return timed(async () => {
    for (let i = 0; i < SEQUENTIAL; i++) await pool.submit(noopRef, [i]);
  });
}

function batched(pool: ThreadExecutor): Promise<number> {
  return timed(() => Promise.all(Array.from({ length: BATCH }, (_, i) => pool.submit(noopRef, [i]))));
}

/** Median ms of the first call after each of PAUSES idle pauses (the pools take turns). */
async function afterPauses(pools: Record<string, ThreadExecutor>): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(pools).map((k) => [k, []]));
  for (let i = 0; i < PAUSES; i++) {
    for (const [name, pool] of Object.entries(pools)) {
      await sleep(PAUSE_MS);
      samples[name]!.push(await timed(() => pool.submit(noopRef, [i])));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.sort((a, b) => a - b)[v.length >> 1]!]));
}

const perCall = (ms: number, n: number): string => ((ms * 1000) / n).toFixed(2);

async function atomicsSection(lines: string[]): Promise<void> {
  const modes: NonNullable<ThreadTuning['atomics']>[] = ['sync', 'async', 'disabled'];
  const pools = Object.fromEntries(modes.map((m) => [m, new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS }, { atomics: m })]));
  for (const pool of Object.values(pools)) await warm(pool);
  progress('atomics: first call after a pause');
  const first = await afterPauses(pools);
  progress('atomics: sequential tiny calls');
  const seq = await interleave(Object.fromEntries(modes.map((m) => [m, () => sequential(pools[m]!)])), ROUNDS, 1);
  await Promise.all(Object.values(pools).map((p) => p.close()));
  lines.push(
    '### piscina `atomics` (how an idle worker waits for its next session)',
    '',
    `| atomics | first call after a ${PAUSE_MS} ms pause (ms, median of ${PAUSES}) | sequential tiny calls in a live session (µs/call) |`,
    '| --- | ---: | ---: |',
    ...modes.map((m) => `| \`'${m}'\`${m === DEFAULT_ATOMICS ? ' (used)' : ''} | ${first[m]!.toFixed(2)} | ${perCall(seq[m]!, SEQUENTIAL)} |`),
    '',
  );
}

async function depthSection(lines: string[]): Promise<void> {
  const depths = [1, 2, 4, 8];
  const pools = Object.fromEntries(depths.map((d) => [String(d), new ThreadExecutor({ minWorkers: THREADS, maxWorkers: THREADS }, { pipelineDepth: d })]));
  for (const pool of Object.values(pools)) await warm(pool);
  progress('pipeline depth: batched');
  const bat = await interleave(Object.fromEntries(depths.map((d) => [String(d), () => batched(pools[String(d)]!)])), Math.max(3, ROUNDS - 2), 1);
  progress('pipeline depth: sequential');
  const seq = await interleave(Object.fromEntries(depths.map((d) => [String(d), () => sequential(pools[String(d)]!)])), ROUNDS, 1);
  await Promise.all(Object.values(pools).map((p) => p.close()));
  lines.push(
    '### Calls per thread (unsync\'s pipeline depth, in place of piscina\'s `concurrentTasksPerWorker`)',
    '',
    `| depth | batched, ${BATCH / 1000}k in flight (µs/call) | sequential, ${SEQUENTIAL / 1000}k awaited one by one (µs/call) |`,
    '| --- | ---: | ---: |',
    ...depths.map((d) => `| ${d}${d === PIPELINE_DEPTH ? ' (used)' : ''} | ${perCall(bat[String(d)]!, BATCH)} | ${perCall(seq[String(d)]!, SEQUENTIAL)} |`),
    '',
  );
}

async function idleSection(lines: string[]): Promise<void> {
  // Both with minWorkers 0, so only idleTimeout decides whether piscina keeps the thread.
  const kept = new ThreadExecutor({ minWorkers: 0, maxWorkers: THREADS });
  const retired = new ThreadExecutor({ minWorkers: 0, maxWorkers: THREADS, idleTimeout: RETIRE_MS });
  await warm(kept);
  await warm(retired);
  progress('idle timeout: first call after a pause');
  const first = await afterPauses({ kept, retired });
  await Promise.all([kept.close(), retired.close()]);
  lines.push(
    '### Idle timeout (first call after an idle pause)',
    '',
    `| pool | first call after a ${PAUSE_MS} ms pause (ms, median of ${PAUSES}) |`,
    '| --- | ---: |',
    `| worker kept warm (default \`idleTimeout\`, 10 s, \`minWorkers: 0\`): a new session on it | ${first.kept!.toFixed(2)} |`,
    `| worker retired (\`idleTimeout: ${RETIRE_MS}\`, \`minWorkers: 0\`): a new thread | ${first.retired!.toFixed(2)} |`,
    '',
  );
}

async function main(): Promise<void> {
  const lines = [
    '## Executors: thread pool settings',
    '',
    `Command: \`npx tsx benchmarks/executors-thread-settings.ts --markdown\` (${THREADS} threads per pool; medians of interleaved rounds; tiny task \`x => x\`). Each table varies one of the pool's fixed settings; the others stay as used.`,
    '',
  ];
  await atomicsSection(lines);
  await depthSection(lines);
  await idleSection(lines);
  lines.push(
    'How to read it: `atomics` acts only where a session starts (every call inside a live',
    'session travels on unsync\'s own port), so compare the first column; the second shows it',
    'does not leak into calls. A deeper pipeline saves a few µs per call only with many tiny calls',
    'in flight, and adds head-of-line waiting behind a long call (a call sent ahead to a busy',
    'thread waits for it while another thread is free): the depth used is the smallest that',
    'removes the idle round trip between calls.',
    'The idle timeout decides whether the call after a pause pays a session start or a thread',
    'start.',
    '',
  );
  // The same text either way: `--markdown` only says the caller wants the section (run-all.ts).
  console.log(lines.join('\n'));
}

if (!inWorker()) void main();
