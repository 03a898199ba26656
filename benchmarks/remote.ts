/**
 * The remote executor's cost per call against raw BullMQ doing the same jobs on the same
 * Redis (issue 15, docs/remote.md): `toRemote(add, n)` with a `startWorker` worker, beside
 * `Queue.add` + a BullMQ `Worker` + `job.waitUntilFinished(queueEvents)`, at 1 and at 32
 * calls in flight, on a private redis-server (free loopback port, no persistence):
 *   1. both workers in this process (concurrency 32 each), on their own queues;
 *   2. the workers in 1 and in 2 worker processes of their own (concurrency 32 each);
 *   3. a CPU-bound call (`burn(ms)`, a busy loop) on 1 and on 2 worker processes
 *      (concurrency 1 each, calls on the worker's loop): how throughput scales.
 * Beside the time per call, the CPU time per call of the whole system (this process, the
 * worker processes and redis-server, from /proc): what the load of a shared machine moves
 * far less than the time.
 * Run: npx tsx benchmarks/remote.ts [--markdown] [--quick] [--rounds N] [--compiled]
 * (`--rounds`: interleaved rounds per figure, default 7; more on a loaded machine.)
 * (`--compiled`: this file and unsync's source compiled by `tsc` to CommonJS in a temporary
 * folder, run by plain `node`, worker processes too: what `require('unsync')` runs from
 * `dist/`. Under tsx every closure is wrapped in `__name` and every imported binding is a
 * getter, costs a cold call pays that BullMQ and ioredis, plain JavaScript, do not.)
 * (A worker process is this file again: `--serve raw|unsync <redis url> <queue> <concurrency>`.)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { configure, shutdown, startWorker, toRemote, unsyncRegister } from '../src';
import { RemoteExecutor } from '../src/executors/remote/remote-executor';
// The tests' launcher: the same private redis-server for the benchmark.
import { startRedis } from '../__tests__/helpers/redis-server';
import { withCompiled } from './lib/compiled';
import { interleave, machine, median, ratio } from './lib/measure';

export function add(n: number): number {
  return n + 1;
}
unsyncRegister(add);

/** CPU-bound: a busy loop of `ms` milliseconds (the worker's loop is held throughout). */
export function burn(ms: number): number {
  const end = performance.now() + ms;
  let spins = 0;
  while (performance.now() < end) spins++;
  return spins;
}
unsyncRegister(burn);

const QUICK = process.argv.includes('--quick');
const COMPILED = process.argv.includes('--compiled');
/** This file runs as tsc's output (`--compiled`), not through tsx. */
const RUNS_COMPILED = __filename.endsWith('.js');
const roundsAt = process.argv.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(process.argv[roundsAt + 1]) : QUICK ? 3 : 7;
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new RangeError(`Expected \`--rounds\` to be a positive integer, got \`${process.argv[roundsAt + 1]}\``);
const CALLS = { 1: QUICK ? 100 : 300, 32: QUICK ? 500 : 2000 } as const;
const BURN_MS = 20;
/** The callers' `idleTimeout`: longer than any run, so their connections stay open throughout. */
const KEEP_OPEN_MS = 10 * 60_000;
const BURN_CALLS = QUICK ? 24 : 48;

/** `--serve raw|unsync <url> <queue> <concurrency>`: this file as a worker process. */
async function serve(kind: string, url: string, queue: string, concurrency: number): Promise<void> {
  let close: () => Promise<unknown>;
  if (kind === 'raw') {
    const worker = new Worker(queue, async (job) => add((job.data as { n: number }).n), { connection: { url }, concurrency });
    await worker.waitUntilReady();
    close = () => worker.close();
  } else {
    const worker = await startWorker({ modules: [__filename], connection: url, queue, concurrency });
    close = () => worker.close();
  }
  process.once('SIGTERM', () => void close().then(() => process.exit(0)));
  process.stdout.write('ready\n');
}

/** Start `count` worker processes of `kind` on `queue`; resolves when all take jobs. */
async function workerProcesses(count: number, kind: 'raw' | 'unsync', url: string, queue: string, concurrency: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const loader = RUNS_COMPILED ? [] : ['--import', 'tsx'];
      const child = spawn(process.execPath, [...loader, __filename, '--serve', kind, url, queue, String(concurrency)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`a ${kind} worker process exited with ${code}`)));
      });
      return child;
    }),
  );
}

async function stopProcesses(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
}

/** µs per call for `calls` calls of `one`, at most `inFlight` at once. */
async function perCall(one: (n: number) => Promise<unknown>, calls: number, inFlight: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls) await one(next++);
    }),
  );
  return ((performance.now() - start) * 1000) / calls;
}

/** USER_HZ: Linux reports CPU times in /proc in 1/100 s on every common platform. */
const US_PER_TICK = 10_000;

/** CPU time (µs) used so far by the process `pid` (utime + stime from /proc). */
function processCpuUs(pid: number): number {
  // The fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * US_PER_TICK;
}

/** CPU time (µs) used so far by this process, by the processes `pids`, and in all. */
function cpuUs(pids: readonly number[]): { own: number; others: number[]; total: number } {
  const usage = process.cpuUsage();
  const own = usage.user + usage.system;
  const others = pids.map(processCpuUs);
  return { own, others, total: own + others.reduce((a, b) => a + b, 0) };
}

/**
 * `perCall` as an `interleave` contender that also records the CPU time per call of this
 * process and `pids` (µs) in `cpu[name]` (the first, warm-up, run left out), and, with
 * `parts` (one name per pid), the share of this process (`caller`) and of each pid in
 * `cpu[`${name} ${part}`]`.
 */
function measured(cpu: Record<string, number[]>, name: string, pids: readonly number[], run: () => Promise<number>, calls: number, parts?: readonly string[]): () => Promise<number> {
  let runs = 0;
  return async () => {
    const before = cpuUs(pids);
    const wall = await run();
    if (runs++ > 0) {
      const after = cpuUs(pids);
      (cpu[name] ??= []).push((after.total - before.total) / calls);
      if (parts !== undefined) {
        (cpu[`${name} caller`] ??= []).push((after.own - before.own) / calls);
        parts.forEach((part, i) => (cpu[`${name} ${part}`] ??= []).push((after.others[i]! - before.others[i]!) / calls));
      }
    }
    return wall;
  };
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const connection = { url: redis.url };
  const children: ChildProcess[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  try {
    // 1. Both workers in this process.
    const rawQueue = new Queue('bench-raw', { connection });
    rawQueue.setMaxListeners(64); // waitUntilFinished adds one per job in flight
    // From the stream's start: QueueEvents reads from '$' once its first XREAD is sent, which
    // may come after waitUntilReady(); an event in between is lost and raw BullMQ's
    // waitUntilFinished then waits forever (a run hung so). The queues are new, so nothing is replayed.
    const rawEvents = new QueueEvents('bench-raw', { connection, lastEventId: '0-0' });
    const rawWorker = new Worker('bench-raw', async (job) => add((job.data as { n: number }).n), { connection, concurrency: 32 });
    // Raw BullMQ carrying toRemote's job: its data, options and answer, made with plain JSON
    // (not unsync's wire code): what the job's shape costs BullMQ, ioredis and Redis.
    const shapeQueue = new Queue('bench-raw-shape', { connection });
    shapeQueue.setMaxListeners(64);
    const shapeEvents = new QueueEvents('bench-raw-shape', { connection, lastEventId: '0-0' });
    const shapeWorker = new Worker(
      'bench-raw-shape',
      async (job) => {
        const startedAt = performance.timeOrigin + performance.now();
        const value = add((JSON.parse((job.data as { payload: string }).payload) as { v: [number] }).v[0]);
        return { protocol: 2, outcome: { type: 'result', id: 0, value, startedAt, endedAt: performance.timeOrigin + performance.now() }, stalls: 0, clock: 'redis' };
      },
      { connection, concurrency: 32 },
    );
    // The caller's connections stay open while the raw contenders run (they would close after
    // remote.idleTimeout, 1 s, with no call in flight): the figures are per call of a steady
    // stream, not the opening after an idle spell (docs/remote.md, "Connections").
    configure({ remote: { connection: redis.url, queue: 'bench-unsync', idleTimeout: KEEP_OPEN_MS } });
    const worker = await startWorker({ modules: [__filename], connection: redis.url, queue: 'bench-unsync', concurrency: 32 });
    closers.push(() => worker.close(), () => rawWorker.close(), () => rawEvents.close(), () => rawQueue.close());
    closers.push(() => shapeWorker.close(), () => shapeEvents.close(), () => shapeQueue.close());
    await Promise.all([rawEvents.waitUntilReady(), rawWorker.waitUntilReady(), shapeEvents.waitUntilReady(), shapeWorker.waitUntilReady()]);
    const rawOn = (queue: Queue, events: QueueEvents) => async (n: number): Promise<unknown> =>
      (await queue.add('add', { n }, { removeOnComplete: { age: 3600 } })).waitUntilFinished(events);
    const raw = rawOn(rawQueue, rawEvents);
    // The job options toRemote uses: a caller-chosen id (BullMQ checks that it is new), one attempt, failed jobs kept a day.
    const rawSameOptions = async (n: number): Promise<unknown> =>
      (
        await rawQueue.add('add', { n }, { jobId: randomUUID(), attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } })
      ).waitUntilFinished(rawEvents);
    const module = path.relative(process.cwd(), __filename).split(path.sep).join('/');
    const rawShape = async (n: number): Promise<unknown> =>
      (
        await shapeQueue.add(
          'add',
          { protocol: 2, module, name: 'add', payload: JSON.stringify({ v: [n] }) },
          { jobId: randomUUID(), attempts: 1, removeOnComplete: { age: 3600 }, removeOnFail: { age: 24 * 3600 } },
        )
      ).waitUntilFinished(shapeEvents);
    const ours = (n: number): Promise<unknown> => toRemote(add, n);
    const figures: Record<string, Record<string, number>> = {};
    const cpu: Record<string, Record<string, number[]>> = { 1: {}, 32: {} };
    for (const inFlight of [1, 32] as const) {
      const n = CALLS[inFlight];
      const c = cpu[inFlight]!;
      figures[inFlight] = await interleave(
        {
          'raw BullMQ': measured(c, 'raw BullMQ', [redis.pid], () => perCall(raw, n, inFlight), n),
          'raw, same job options': measured(c, 'raw, same job options', [redis.pid], () => perCall(rawSameOptions, n, inFlight), n),
          "raw, toRemote's job": measured(c, "raw, toRemote's job", [redis.pid], () => perCall(rawShape, n, inFlight), n),
          toRemote: measured(c, 'toRemote', [redis.pid], () => perCall(ours, n, inFlight), n),
        },
        ROUNDS,
        1,
      );
    }
    const rows = ([1, 32] as const).map((k) => {
      const f = figures[k]!;
      const raw_ = f['raw BullMQ']!;
      const same = f['raw, same job options']!;
      const shape = f["raw, toRemote's job"]!;
      const ours_ = f['toRemote']!;
      const rawCpu = median(cpu[k]!['raw BullMQ']!);
      const shapeCpu = median(cpu[k]!["raw, toRemote's job"]!);
      const oursCpu = median(cpu[k]!['toRemote']!);
      return `| ${k} | ${CALLS[k]} | ${raw_.toFixed(0)} | ${same.toFixed(0)} (${ratio(same, raw_)}) | ${shape.toFixed(0)} (${ratio(shape, raw_)}) | ${ours_.toFixed(0)} | ${ratio(ours_, raw_)} | ${rawCpu.toFixed(0)} | ${shapeCpu.toFixed(0)} (${ratio(shapeCpu, rawCpu)}) | ${oursCpu.toFixed(0)} | ${ratio(oursCpu, rawCpu)} |`;
    });

    // 2. Workers in processes of their own: 1, then 2 of each kind.
    const processRows: string[] = [];
    const splitRows: string[] = [];
    for (const count of [1, 2]) {
      const rq = `bench-raw-p${count}`;
      const uq = `bench-unsync-p${count}`;
      const started = [...(await workerProcesses(count, 'raw', redis.url, rq, 32)), ...(await workerProcesses(count, 'unsync', redis.url, uq, 32))];
      children.push(...started);
      const q = new Queue(rq, { connection });
      q.setMaxListeners(64);
      const e = new QueueEvents(rq, { connection, lastEventId: '0-0' }); // (as above)
      const remote = new RemoteExecutor({ connection: redis.url, queue: uq, idleTimeout: KEEP_OPEN_MS });
      await e.waitUntilReady();
      const rawP = rawOn(q, e);
      const oursP = (n: number): Promise<unknown> => remote.submit({ file: __filename, name: 'add' }, [n]);
      const rawPids = [redis.pid, ...started.slice(0, count).map((c) => c.pid!)];
      const oursPids = [redis.pid, ...started.slice(count).map((c) => c.pid!)];
      for (const inFlight of [1, 32] as const) {
        const n = CALLS[inFlight];
        const c: Record<string, number[]> = {};
        const f = await interleave(
          {
            'raw BullMQ': measured(c, 'raw BullMQ', rawPids, () => perCall(rawP, n, inFlight), n, count === 1 ? ['redis', 'worker'] : undefined),
            toRemote: measured(c, 'toRemote', oursPids, () => perCall(oursP, n, inFlight), n, count === 1 ? ['redis', 'worker'] : undefined),
          },
          ROUNDS,
          1,
        );
        const rawCpu = median(c['raw BullMQ']!);
        const oursCpu = median(c['toRemote']!);
        if (count === 1) {
          const part = (who: string, where: string): number => median(c[`${who} ${where}`]!);
          splitRows.push(
            `| ${inFlight} | ${['caller', 'worker', 'redis'].map((where) => `${part('raw BullMQ', where).toFixed(0)} / ${part('toRemote', where).toFixed(0)} (${(part('toRemote', where) - part('raw BullMQ', where) >= 0 ? '+' : '')}${(part('toRemote', where) - part('raw BullMQ', where)).toFixed(0)})`).join(' | ')} |`,
          );
        }
        processRows.push(
          `| ${count} | ${inFlight} | ${f['raw BullMQ']!.toFixed(0)} | ${f['toRemote']!.toFixed(0)} | ${ratio(f['toRemote']!, f['raw BullMQ']!)} | ${rawCpu.toFixed(0)} | ${oursCpu.toFixed(0)} | ${ratio(oursCpu, rawCpu)} |`,
        );
      }
      await remote.close();
      await e.close();
      await q.close();
      await stopProcesses(started);
    }

    // 3. A CPU-bound call on 1 and on 2 worker processes (concurrency 1 each).
    const burnMs: Record<number, number> = {};
    for (const count of [1, 2]) {
      const queue = `bench-burn-p${count}`;
      const started = await workerProcesses(count, 'unsync', redis.url, queue, 1);
      children.push(...started);
      const remote = new RemoteExecutor({ connection: redis.url, queue, idleTimeout: KEEP_OPEN_MS });
      const ref = { file: __filename, name: 'burn' };
      await remote.submit(ref, [1]); // warm: the worker's first call
      const times: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const start = performance.now();
        await Promise.all(Array.from({ length: BURN_CALLS }, () => remote.submit(ref, [BURN_MS])));
        times.push(performance.now() - start);
      }
      burnMs[count] = median(times);
      await remote.close();
      await stopProcesses(started);
    }
    const ideal = BURN_CALLS * BURN_MS;

    const out = [
      '## Remote executor: per call, against raw BullMQ',
      '',
      `Command: \`npx tsx benchmarks/remote.ts --markdown${QUICK ? ' --quick' : ''}${roundsAt >= 0 ? ` --rounds ${ROUNDS}` : ''}${COMPILED ? ' --compiled' : ''}\` (medians of ${ROUNDS} interleaved rounds; ${RUNS_COMPILED ? "unsync compiled by tsc, as `dist/` runs" : "unsync's source through tsx"}). Machine: ${machine()}.`,
      '',
      'A tiny call (`add(n)`) through `toRemote` with a `startWorker` worker, beside raw BullMQ doing the same job (`Queue.add` + `Worker` + `job.waitUntilFinished(queueEvents)`), on one private redis-server; both workers in the benchmark\'s process, concurrency 32. See docs/remote.md.',
      '',
      '| calls in flight | calls | raw BullMQ µs/call | raw, toRemote\'s job options µs/call (vs raw) | raw, toRemote\'s whole job µs/call (vs raw) | toRemote µs/call | toRemote vs raw | raw CPU µs/call | raw, toRemote\'s whole job CPU µs/call (vs raw) | toRemote CPU µs/call | CPU vs raw |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      "Reading it: issue 15 aims at no more than 1.2x raw BullMQ's time per call. The two middle columns are raw BullMQ with the job options toRemote uses (a caller-chosen job id, which BullMQ checks is new, so that a cancel can name the job before `add` returns), then with toRemote's whole job: those options, its data (`{ protocol, module, name, payload }`) and its answer (`{ protocol, outcome, stalls, clock }`), made with plain JSON: the part of the gap that the job's shape costs BullMQ, ioredis and Redis. The rest is toRemote's own work per call: encoding the arguments and the answer by the process wire's rules (JSON inside the job's JSON), the registry lookup and running the call on the worker (a library task for its first call, then a call scope: docs/remote.md), the caller's Unfuture and its stack capture.",
      '',
      `The same calls with the workers in worker processes of their own (each concurrency 32; raw BullMQ's and unsync's on their own queues, ${CALLS[1]} and ${CALLS[32]} calls):`,
      '',
      '| worker processes | calls in flight | raw BullMQ µs/call | toRemote µs/call | toRemote vs raw | raw CPU µs/call | toRemote CPU µs/call | CPU vs raw |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...processRows,
      '',
      'Where the CPU goes with 1 worker process: CPU µs per call of each process, raw BullMQ / toRemote (difference). The caller is this process (its Queue and QueueEvents); the CPU clock of the worker and of redis-server ticks every 10 ms (read from /proc), so their figures move in steps of 10 ms / calls.',
      '',
      '| calls in flight | caller | worker | redis-server |',
      '| ---: | ---: | ---: | ---: |',
      ...splitRows,
      '',
      `A CPU-bound call (\`burn(${BURN_MS})\`, a ${BURN_MS} ms busy loop on the worker's event loop), ${BURN_CALLS} at once, on worker processes of concurrency 1 (the caller and Redis share the machine's cores):`,
      '',
      '| worker processes | ms for all (median) | ideal (calls × ms / processes) | speed-up over 1 process |',
      '| ---: | ---: | ---: | ---: |',
      `| 1 | ${burnMs[1]!.toFixed(0)} | ${ideal} | 1.00x |`,
      `| 2 | ${burnMs[2]!.toFixed(0)} | ${ideal / 2} | ${(burnMs[1]! / burnMs[2]!).toFixed(2)}x |`,
    ];
    console.log(process.argv.includes('--markdown') ? out.join('\n') : out.filter((l) => l.startsWith('|')).join('\n'));
  } finally {
    await stopProcesses(children);
    for (const close of closers) await close().catch(() => undefined);
    await shutdown();
    await redis.stop();
  }
}

/**
 * `--compiled` under tsx: compile this file (and what it imports: unsync's source, the
 * tests' redis launcher) with tsc into a temporary folder, as core-tasks.ts does, and run
 * it there with plain node and the same arguments; exits with its status.
 */
function runCompiled(): void {
  withCompiled('remote', (file, root) => {
    // Module paths in jobs are relative to the current folder: run from the copy's root.
    const run = spawnSync(process.execPath, [file, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
    process.exitCode = run.status ?? 1;
  });
}

// Once per process: a worker loading this file for its functions must not start another run.
const STARTED = Symbol.for('unsync.benchmarks.remote.started');
const marks = globalThis as { [STARTED]?: boolean };
const serveAt = process.argv.indexOf('--serve');
if (!marks[STARTED]) {
  marks[STARTED] = true;
  const run = (): Promise<void> => {
    if (serveAt >= 0) return serve(process.argv[serveAt + 1]!, process.argv[serveAt + 2]!, process.argv[serveAt + 3]!, Number(process.argv[serveAt + 4]));
    if (COMPILED && !RUNS_COMPILED) return Promise.resolve().then(runCompiled);
    return main();
  };
  void run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
