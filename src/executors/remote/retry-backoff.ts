/**
 * The wait before a job whose worker died runs again (the caller's `remote.backoff`;
 * docs/remote.md, "A worker that dies mid-job"). BullMQ applies a job's backoff only when
 * its processor throws, which an unsync worker never does for a function's error (errors are
 * answers) and which a death is not: BullMQ's stalled-job check puts the job straight back
 * to waiting. So the worker that takes it next applies the job's own `backoff` (BullMQ's
 * `Backoffs`: fixed or exponential, with jitter) by moving it to BullMQ's delayed set first,
 * once per death.
 */
import type * as BullMQ from 'bullmq';
import type * as IORedis from 'ioredis';

/** How long the record of a served wait lives (ms): far longer than a job waits in a queue. */
const SERVED_TTL_MS = 24 * 3600_000;

/** The key recording after which death of `jobId` its wait was served (the death count). */
export function backoffKey(queue: string, prefix: string | undefined, jobId: string): string {
  return `${prefix ?? 'bull'}:${queue}:unsync-backoff:${jobId}`;
}

/**
 * The milliseconds `job` must wait before it runs again, or undefined to run it now: a job
 * taken after its worker died (`stalledCounter` > 0) with a `backoff` and attempts left
 * waits, the first time it is taken after each death (the death count recorded under
 * {@link backoffKey} with `SET … GET`, so two workers cannot both serve it, nor one twice).
 * Runs now on any Redis error: a missed wait is better than a job stuck.
 */
export async function retryBackoff(job: BullMQ.Job, redis: IORedis.Redis, queue: string, prefix: string | undefined): Promise<number | undefined> {
  const backoff = job.opts.backoff;
  const deaths = job.stalledCounter;
  if (backoff === undefined || deaths === 0 || deaths >= Math.max(1, job.opts.attempts ?? 1)) return undefined;
  const { Backoffs } = require('bullmq') as typeof BullMQ;
  try {
    const served = await redis.set(backoffKey(queue, prefix, job.id ?? ''), String(deaths), 'PX', SERVED_TTL_MS, 'GET');
    if (served === String(deaths)) return undefined;
    const options = Backoffs.normalize(backoff);
    const delay = options === undefined ? undefined : await Backoffs.calculate(options, deaths, new Error('its worker died'), job);
    return typeof delay === 'number' && delay > 0 ? delay : undefined;
  } catch {
    return undefined;
  }
}
