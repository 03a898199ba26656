/**
 * A remote worker process killed (SIGKILL) mid-job: BullMQ's stalled-job check notices (a
 * short `stallTimeout` here), the job runs again on another worker while it has attempts
 * left, and out of attempts the caller gets WorkerCrashedError. Real redis-server, real
 * worker processes (docs/remote.md).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { WorkerCrashedError, isWorkerCrashedError } from '../../../src';
import { RemoteExecutor } from '../../../src/executors/remote/remote-executor';
import type { RemoteOptions } from '../../../src/executors/remote/remote-options';
import { errorOf, nativeDelay } from '../../helpers/async';
import { killSpawned } from '../../helpers/child-processes';
import { startRedis, type RedisServer } from '../../helpers/redis-server';
import { firstToPrint, spawnWorker, type WorkerProcess } from './worker-processes';

const MODULE = path.join(__dirname, '../../fixtures/remote-functions.ts');
/** Short, so a death is noticed within about two seconds. */
const STALL_TIMEOUT = 1000;

const QUEUE = 'death';

let redis: RedisServer;
let tmp: string;
let queue: Queue;
/**
 * One fleet for the file (starting a worker process is most of a test's time): the tests
 * kill 1, 1, 1, 1 and 2 of them, and the last needs 3 alive.
 */
let fleet: WorkerProcess[] = [];
const executors: RemoteExecutor[] = [];

beforeAll(async () => {
  redis = await startRedis();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-remote-death-'));
  queue = new Queue(QUEUE, { connection: { url: redis.url } });
  fleet = await Promise.all(Array.from({ length: 7 }, () => spawnWorker(redis.url, QUEUE, STALL_TIMEOUT)));
});

afterEach(async () => {
  await Promise.all(executors.splice(0).map((e) => e.close({ force: true })));
  fleet = fleet.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
});

afterAll(async () => {
  await killSpawned();
  await Promise.all(fleet.map((w) => w.kill()));
  await queue?.close();
  await redis?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function executor(attempts?: number, more: Partial<RemoteOptions> = {}): RemoteExecutor {
  const e = new RemoteExecutor({ connection: redis.url, queue: QUEUE, pollInterval: 200, ...(attempts === undefined ? {} : { attempts }), ...more });
  executors.push(e);
  return e;
}

/** The jobs of `name` on the queue, and their states. */
async function jobsOf(name: string): Promise<{ states: string[]; jobs: Job[] }> {
  const jobs = (await queue.getJobs(['completed', 'failed', 'waiting', 'active'])).filter((j) => j.name === name);
  return { jobs, states: await Promise.all(jobs.map((j) => j.getState())) };
}

/**
 * {@link jobsOf} once every job of `name` is stored finished: a call settles on its answer,
 * which may reach the caller ahead of BullMQ storing it (docs/remote.md, "Answers ahead of
 * the events").
 */
async function finishedJobsOf(name: string): Promise<{ states: string[]; jobs: Job[] }> {
  for (;;) {
    const found = await jobsOf(name);
    if (found.jobs.length > 0 && found.jobs.every((j) => j.finishedOn !== undefined)) return found;
    await nativeDelay(10);
  }
}

/** The events of job `jobId`, in order, each with `ms`: Redis's time when it was added (its stream id's). */
interface StreamEvent {
  readonly ms: number;
  readonly fields: Readonly<Record<string, string>>;
}

async function eventsOf(jobId: string): Promise<StreamEvent[]> {
  const client = new Redis(redis.url);
  try {
    const entries = await client.xrange(queue.keys.events, '-', '+');
    return entries
      .map(([id, fields]) => {
        const event: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) event[fields[i]!] = fields[i + 1]!;
        return { ms: Number(id.split('-')[0]), fields: event };
      })
      .filter((event) => event.fields.jobId === jobId);
  } finally {
    client.disconnect();
  }
}

/** Kill the worker that prints `started` first; the others are the ones left. */
async function killTheStarter(among: readonly WorkerProcess[]): Promise<{ victim: WorkerProcess; others: WorkerProcess[] }> {
  const victim = await firstToPrint(among, /^started/);
  await victim.kill();
  return { victim, others: among.filter((w) => w !== victim) };
}

/**
 * SIGKILL `victim` and wait until the job `jobId` finished (on another worker), with this
 * process frozen all along: a synchronous child does both, so nothing of this process runs
 * meanwhile (its callers read no event and look at no job until the job completed).
 */
function killAndFreezeUntilFinished(victim: WorkerProcess, jobId: string): void {
  const script = `
    const [url, pid, key] = process.argv.slice(1);
    process.kill(Number(pid), 'SIGKILL');
    const redis = new (require('ioredis').default)(url);
    (async () => {
      while (!(await redis.hexists(key, 'finishedOn'))) await new Promise((r) => setTimeout(r, 10));
      await redis.quit();
    })();`;
  execFileSync(process.execPath, ['-e', script, redis.url, String(victim.pid), `bull:${QUEUE}:${jobId}`], {
    cwd: path.join(__dirname, '../../..'),
    stdio: 'inherit',
    timeout: 60_000,
  });
}

/** How many runs each worker has started so far; `since(w)` counts those started after. */
function runsSoFar(): { since(w: WorkerProcess): number } {
  const count = (w: WorkerProcess): number => w.lines.filter((l) => l.startsWith('started')).length;
  const before = new Map(fleet.map((w) => [w, count(w)]));
  return { since: (w) => count(w) - before.get(w)! };
}

describe('a worker killed mid-job', () => {
  it('without retries (attempts 1): the caller gets WorkerCrashedError, no other worker runs the job, and they keep serving', async () => {
    const remote = executor();
    const runs = runsSoFar();
    const future = remote.submit<never>({ file: MODULE, name: 'holdForever' }, []);
    const { others } = await killTheStarter(fleet);
    const error = await errorOf(future);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(isWorkerCrashedError(error)).toBe(true);
    expect((error as Error).message).toMatch(/`holdForever` died .*attempts: 1/);
    expect(others.map((w) => runs.since(w))).toEqual(others.map(() => 0));
    // Refused by the worker that took it after the death, or removed by the caller: never waiting again.
    expect((await jobsOf('holdForever')).states.filter((s) => s !== 'failed')).toEqual([]);
    expect(await remote.submit({ file: MODULE, name: 'echo' }, ['after'])).toBe('after');
    expect(remote.statistics()).toMatchObject({ submitted: 2, retried: 0, completed: 1, failed: 1, queued: 0, running: 0 });
  });

  it('with attempts 2: the job runs again on another worker, and the call settles once with that run\'s answer', async () => {
    const remote = executor(2);
    const marker = path.join(tmp, 'retry-marker');
    const future = remote.submit<number>({ file: MODULE, name: 'holdFirst' }, [marker]);
    const { others } = await killTheStarter(fleet);
    const pid = await future;
    expect(others.map((w) => w.pid)).toContain(pid);
    const { jobs, states } = await finishedJobsOf('holdFirst');
    expect(states).toEqual(['completed']);
    expect(jobs[0]).toMatchObject({ stalledCounter: 1, attemptsStarted: 2, returnvalue: expect.anything(), processedBy: expect.stringContaining(`:${pid}`) });
    expect(remote.statistics()).toMatchObject({ submitted: 1, retried: 1, completed: 1, failed: 0, cancelled: 0 });
  });

  it('with attempts 2: the retry is counted even when the caller sees the stall only after the retried run answered', async () => {
    const remote = executor(2);
    const marker = path.join(tmp, 'unseen-retry-marker');
    const future = remote.submit<number>({ file: MODULE, name: 'holdFirst' }, [marker]);
    const victim = await firstToPrint(fleet, /^started/);
    while (remote.statistics().running !== 1) await nativeDelay(5);
    const [job] = (await queue.getActive()).filter((j) => j.name === 'holdFirst');
    // The stall, the run on another worker and its answer all happen before this caller
    // reads the stall: its retry count can only come from the job's answer.
    killAndFreezeUntilFinished(victim, job!.id!);
    const pid = await future;
    await victim.exited;
    expect(pid).not.toBe(victim.pid);
    expect(await queue.getJob(job!.id!)).toMatchObject({ stalledCounter: 1, attemptsStarted: 2, finishedOn: expect.any(Number) });
    expect(remote.statistics()).toMatchObject({ submitted: 1, retried: 1, completed: 1, failed: 0, running: 0 });
  });

  it('with attempts 2 and a backoff: the job waits its backoff in the delayed set after the death, then runs again', async () => {
    const BACKOFF = 700;
    const remote = executor(2, { backoff: BACKOFF });
    const marker = path.join(tmp, 'backoff-marker');
    const future = remote.submit<number>({ file: MODULE, name: 'holdFirst' }, [marker]);
    const { others } = await killTheStarter(fleet);
    expect(others.map((w) => w.pid)).toContain(await future);
    const [job] = (await finishedJobsOf('holdFirst')).jobs.filter((j) => String(j.data.payload).includes('backoff-marker'));
    const events = await eventsOf(job!.id!);
    const names = events.map((e) => e.fields.event);
    const stalled = names.indexOf('stalled');
    const delayed = names.indexOf('delayed');
    const lastActive = names.lastIndexOf('active');
    expect([stalled, delayed, lastActive].every((i) => i >= 0)).toBe(true);
    expect(stalled).toBeLessThan(delayed);
    expect(delayed).toBeLessThan(lastActive);
    expect(names.at(-1)).toBe('completed');
    // It was to wait until at least the backoff after the death, and ran again after that.
    const until = Number(events[delayed]!.fields.delay);
    expect(until).toBeGreaterThanOrEqual(events[stalled]!.ms + BACKOFF);
    expect(events[lastActive]!.ms).toBeGreaterThanOrEqual(until);
    expect(remote.statistics()).toMatchObject({ submitted: 1, retried: 1, completed: 1, failed: 0 });
  });

  it('with attempts 2 and both runs\' workers killed: a third worker refuses the job and the caller gets WorkerCrashedError', async () => {
    expect(fleet.length).toBeGreaterThanOrEqual(3);
    const remote = executor(2);
    const runs = runsSoFar();
    const future = remote.submit<never>({ file: MODULE, name: 'holdForever' }, []);
    const { others } = await killTheStarter(fleet);
    const { others: survivors } = await killTheStarter(others);
    const error = await errorOf(future);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as Error).message).toMatch(/2 time\(s\); attempts: 2/);
    // One run was started again; the second death used up the attempts.
    expect(remote.statistics()).toMatchObject({ submitted: 1, retried: 1, failed: 1 });
    expect(survivors.map((w) => runs.since(w))).toEqual(survivors.map(() => 0));
    expect((await jobsOf('holdForever')).states.filter((s) => s !== 'failed')).toEqual([]);
  });
});
