/**
 * The remote executor: each call is one BullMQ job on a Redis queue, run by whichever
 * remote worker (`./remote-worker.ts`) takes it. It sits beside the pools and reuses their
 * pieces: `PoolCall` (the Unfuture, the per-call timeout, the caller's stack, turning an
 * answer into a value or a rebuilt error) and `ExecutorCounters` (statistics). Redis is the
 * queue, so there is no local queue, no worker picking and no link. Design: docs/remote.md.
 *
 * This file adds jobs, decides what each report about a job means for its call (an event,
 * a look at the job's stored state, the answer) and stops calls. Its parts: the table of
 * calls in flight with its stall accounting (./remote-calls.ts), the events as calls per
 * job (./remote-job-events.ts), the poll for missed events (./job-poll.ts), the stop
 * requests (./remote-redis.ts), the connections to Redis (./caller-connections.ts), opened
 * by a call and closed when idle (./idle-session.ts).
 */
import { randomBytes } from 'node:crypto';
import type * as BullMQ from 'bullmq';
import type { ExecutorKind, Unfuture } from '../../core/future';
import { InvalidStateError } from '../../core/errors';
import { CloneError, RemoteJobError, WorkerCrashedError } from '../../core/executor-errors';
import type { CloseOptions, Executor, ExecutorState, ExecutorStatistics, SubmitOptions } from '../executor';
import { PoolCall, validateSubmit } from '../engine/pool-call';
import { recordsCallerStack } from '../engine/pool-options';
import type { CallRef } from '../protocol';
import { argumentCloneError } from '../serialization';
import { ExecutorCounters } from '../statistics';
import { closeCallerConnections, openCallerConnections, type CallerConnections } from './caller-connections';
import { IdleSession } from './idle-session';
import { JobPoll } from './job-poll';
import { RedisClock } from './redis-clock';
import { RemoteCalls, type RemoteCall } from './remote-calls';
import { followJobEvents } from './remote-job-events';
import { resolveRemoteOptions, type RemoteOptions } from './remote-options';
import { requestStop } from './remote-redis';
import { REMOTE_PROTOCOL, answerOnRedisClock, answerStalls, decodeAnswer, decodeAnswerMessage, encodePayload, isCrashReason, moduleKey, type RemoteJobData } from './remote-wire';

/**
 * A call submitted while at most this many are in flight (itself included) asks for its
 * answer on the caller's answer channel too, ahead of the `completed` event (docs/remote.md,
 * "Answers ahead of the events"): where one call's latency is what a caller waits for. With
 * more in flight their latencies overlap, and the extra message per job would cost
 * throughput.
 */
const ANSWERS_AHEAD_IN_FLIGHT = 4;

/** How long a finished job stays in Redis for a caller's late look (seconds). */
const KEEP_COMPLETED_S = 3600;
const KEEP_FAILED_S = 24 * 3600;

/** `statistics()` of the remote executor: the pools' shape, and what only a queue of retried jobs has. */
export interface RemoteExecutorStatistics extends ExecutorStatistics {
  /** `'remote'`. */
  readonly executor: ExecutorKind;
  /** Calls whose worker answered with a value. */
  readonly completed: number;
  /** Calls cancelled: a waiting job removed, or a running call stopped on its worker (or its grace over). */
  readonly cancelled: number;
  /** Calls submitted (each one job). */
  readonly submitted: number;
  /** Runs started again on another worker after the worker running them died (`remote.attempts`). */
  readonly retried: number;
}

/** The executor behind `toRemote` and `executor: 'remote'`. */
export class RemoteExecutor implements Executor {
  readonly kind = 'remote';
  readonly #options: ReturnType<typeof resolveRemoteOptions>;
  readonly #counters = new ExecutorCounters();
  readonly #calls: RemoteCalls;
  readonly #poll: JobPoll;
  readonly #connections: IdleSession<CallerConnections>;
  /** The options every job is added with, but its id (made once: `add` is per call). */
  readonly #jobOptions: Readonly<BullMQ.JobsOptions>;
  #state: ExecutorState = 'open';
  #closed: Promise<void> | undefined = undefined;
  /** Calls accepted by submit (statistics). */
  #submitted = 0;
  /** Redis's clock against this process's: workers send a run's times on it (docs/remote.md, "Wait and run times"). */
  readonly #clock = new RedisClock();
  /** This executor's answer channel id (`RemoteJobData.reply`): random, so that no other caller's answers reach it. */
  readonly #reply = randomBytes(12).toString('base64url');

  /** `options` are `configure({ remote })`'s; without them every use fails, saying what to set. */
  constructor(options: RemoteOptions | undefined) {
    if (options === undefined) {
      throw new InvalidStateError(
        "the remote executor has no Redis connection: call configure({ remote: { connection: 'redis://host:6379' } }) before the first remote call",
      );
    }
    this.#options = resolveRemoteOptions(options);
    this.#calls = new RemoteCalls(this.#options.attempts, () => this.#connections.idle());
    this.#connections = new IdleSession(
      () =>
        openCallerConnections(this.#options, this.#clock, (events, queue) => this.#followEvents(events, queue), {
          reply: this.#reply,
          onAnswer: (message) => this.#onAnswer(message),
        }),
      closeCallerConnections,
      this.#options.idleTimeout,
    );
    this.#poll = new JobPoll(this.#options.pollInterval, () => this.#pollOnce());
    this.#jobOptions = Object.freeze({
      // Counted by the worker against the job's stalls (BullMQ retries thrown errors with it
      // too, but a worker throws only refusals, which are unrecoverable).
      attempts: this.#options.attempts,
      // Served by the worker that takes the job after a death (./retry-backoff.ts).
      ...(this.#options.backoff === undefined ? {} : { backoff: this.#options.backoff }),
      removeOnComplete: { age: KEEP_COMPLETED_S },
      removeOnFail: { age: KEEP_FAILED_S },
    });
  }

  submit<T>(ref: CallRef, args: readonly unknown[], options?: SubmitOptions): Unfuture<T> {
    validateSubmit(ref, args, options);
    if (this.#state !== 'open') throw new InvalidStateError('the remote executor is closed');
    this.#submitted++;
    let entry: RemoteCall | undefined;
    // A call without a timeout of its own waits remote.resultTimeout at most.
    const { resultTimeout } = this.#options;
    const callOptions = resultTimeout !== undefined && options?.timeout == null ? { ...options, timeout: resultTimeout } : options;
    const call = new PoolCall<T>('remote', ref, args, callOptions, () => {
      if (entry !== undefined) this.#cancel(entry);
    });
    const payload = this.#encodeArguments(call, ref, args);
    if (payload !== undefined) {
      entry = this.#calls.add(call as PoolCall);
      this.#connections.busy();
      this.#add(entry, { protocol: REMOTE_PROTOCOL, module: moduleKey(ref.file, this.#options.root), name: ref.name, payload }, this.#calls.size <= ANSWERS_AHEAD_IN_FLIGHT);
    }
    // The calls in flight before this one count as waiting (the table holds this one too).
    call.submitted(this.submit, recordsCallerStack(this.#options.callerStacks, this.#calls.size - 1));
    return call.future;
  }

  /** The arguments as text, or undefined after failing the call (CloneError, over maxPayload). */
  #encodeArguments(call: PoolCall, ref: CallRef, args: readonly unknown[]): string | undefined {
    let payload: string;
    try {
      payload = encodePayload(args);
    } catch (error) {
      call.fail(argumentCloneError(ref.name, args) ?? new CloneError(`the arguments of \`${ref.name}\` cannot be sent to a worker: ${String(error)}`, 'arguments', { cause: error }), this.#counters);
      return undefined;
    }
    const bytes = Buffer.byteLength(payload);
    if (bytes > this.#options.maxPayload) {
      call.fail(new RemoteJobError(`the arguments of \`${ref.name}\` are ${bytes} bytes encoded, over remote.maxPayload (${this.#options.maxPayload})`), this.#counters);
      return undefined;
    }
    return payload;
  }

  /** Add the job of `entry`; `ahead`: its answer is wanted on the answer channel too, if the session has one. */
  #add(entry: RemoteCall, data: RemoteJobData, ahead: boolean): void {
    this.#connections
      .open()
      .then(({ queue, answers }) =>
        queue.add(data.name, ahead && answers !== undefined ? { ...data, reply: this.#reply } : data, { ...this.#jobOptions, jobId: entry.jobId }),
      )
      .then(
        () => {
          if (entry.call.state === 'done') return;
          if (entry.phase === 'adding') entry.phase = 'waiting';
          if (entry.cancelWanted) this.#cancel(entry);
          if (this.#calls.size > 0) this.#poll.arm();
        },
        (error: unknown) => {
          this.#calls.end(entry, () => entry.call.fail(new RemoteJobError(`could not add the job of \`${data.name}\` to Redis: ${String(error)}`, { cause: error }), this.#counters));
        },
      );
  }

  /** What each event of a session's stream means for its call. */
  #followEvents(events: BullMQ.QueueEvents, queue: BullMQ.Queue): void {
    followJobEvents(events, (jobId) => this.#calls.get(jobId), {
      active: (entry) => this.#calls.started(entry),
      completed: (entry, returnvalue) => this.#answered(entry, returnvalue),
      failed: (entry, reason) => this.#failed(entry, reason),
      progress: (entry, value) => entry.call.progress(value),
      requeued: (entry) => {
        if (entry.phase === 'running') entry.phase = 'waiting';
      },
      stalled: (entry) => {
        // Back in the queue now; how many times it stalled is the job's own count.
        entry.phase = 'waiting';
        queue.getJob(entry.jobId).then((job) => job !== undefined && this.#look(entry, job), () => undefined);
      },
    });
  }

  /**
   * A message on the answer channel: `[jobId, answer]` from the worker that ran the job, as
   * the job's `returnvalue` would carry it. Anything else, or an answer for a call no longer
   * in flight (the `completed` event settled it first), is dropped.
   */
  #onAnswer(message: string): void {
    const decoded = decodeAnswerMessage(message);
    const entry = decoded === undefined ? undefined : this.#calls.get(decoded.jobId);
    if (entry !== undefined) this.#answered(entry, decoded!.answer);
  }

  /** The open session's queue: defined while a call is past adding its job (a session closes only with none in flight). */
  get #queue(): BullMQ.Queue | undefined {
    return this.#connections.current?.queue;
  }

  /** The job failed (BullMQ's `failed`). */
  #failed(entry: RemoteCall, reason: string): void {
    // A refusal (not a death out of attempts) after a retry: the event does not say how
    // many times the job's workers died, the job does (rare: only with attempts > 1).
    if (this.#options.attempts > 1 && !isCrashReason(reason)) {
      this.#queue!.getJob(entry.jobId).then(
        (job) => (job?.finishedOn !== undefined ? this.#look(entry, job) : this.#refused(entry, reason)),
        () => this.#refused(entry, reason),
      );
    } else {
      this.#refused(entry, reason);
    }
  }

  /**
   * The job's worker died under it (BullMQ's stalled check moved it back to waiting) `count`
   * times in all. With attempts left it is a retry (another worker runs it); without, the
   * job is removed if it still waits and the call fails with `WorkerCrashedError`; if a
   * worker took it meanwhile, that worker refuses it with the crash reason (see
   * `startWorker`) and the `failed` answer ends the call the same way.
   */
  #stalled(entry: RemoteCall, count: number): void {
    if (!this.#calls.learnStalls(entry, count)) return;
    // A call asked to stop is not started again: it ends cancelled if its job still waits.
    if (count < this.#options.attempts && !entry.call.stopRequested) return;
    this.#remove(entry).then(
      (removed) => removed === 1 && this.#crashed(entry),
      () => undefined,
    );
  }

  #crashed(entry: RemoteCall): void {
    const { attempts } = this.#options;
    const error = new WorkerCrashedError(
      `the remote worker running \`${entry.call.ref.name}\` died (job ${entry.jobId}, ${entry.stalls} time(s); attempts: ${attempts})`,
    );
    this.#calls.end(entry, () => (entry.call.stopRequested ? entry.call.settleStopped(this.#counters) : entry.call.fail(error, this.#counters)));
  }

  #answered(entry: RemoteCall, returnvalue: unknown): void {
    let outcome: ReturnType<typeof decodeAnswer>;
    try {
      const answer: unknown = typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue;
      // The deaths before the answering run, whether or not this caller saw them.
      this.#calls.learnStalls(entry, answerStalls(answer));
      outcome = this.#onOwnClock(answer, decodeAnswer(answer));
    } catch (error) {
      outcome = `the job's answer cannot be decoded: ${String(error)}`;
    }
    if (typeof outcome === 'string') this.#refused(entry, outcome);
    else this.#calls.end(entry, () => entry.call.settleOutcome(outcome, this.#counters));
  }

  /**
   * The outcome with its times on this process's clock: a worker sends them on Redis's (its
   * `clock: 'redis'`), so that the wait time (the start less this caller's submit time)
   * does not carry the machines' clock difference. Unchanged from a worker that sent its
   * own clock's, or while this caller has not measured Redis's.
   */
  #onOwnClock(answer: unknown, outcome: ReturnType<typeof decodeAnswer>): ReturnType<typeof decodeAnswer> {
    if (typeof outcome === 'string' || !answerOnRedisClock(answer)) return outcome;
    const publisher = this.#connections.current?.publisher;
    if (publisher !== undefined) this.#clock.refreshIfStale(publisher);
    const startedAt = this.#clock.fromRedis(outcome.startedAt);
    const endedAt = this.#clock.fromRedis(outcome.endedAt);
    return startedAt === undefined || endedAt === undefined ? outcome : { ...outcome, startedAt, endedAt };
  }

  #refused(entry: RemoteCall, reason: string): void {
    if (isCrashReason(reason)) {
      // Refused because the job stalled `attempts` times: attempts - 1 retries.
      this.#calls.learnStalls(entry, this.#options.attempts);
      this.#crashed(entry);
      return;
    }
    this.#calls.end(entry, () => entry.call.fail(new RemoteJobError(`the job of \`${entry.call.ref.name}\` failed: ${reason}`, { jobId: entry.jobId }), this.#counters));
  }

  /**
   * Cancel (or time out): a job still on its way is removed once added; a waiting job
   * (also one back in the queue after its worker died) is removed from Redis atomically
   * (it never runs) and the call ends cancelled; a job a worker holds is asked to stop there (see {@link #stopRunning}); a job that
   * finished meanwhile keeps its answer.
   */
  #cancel(entry: RemoteCall): void {
    if (entry.call.state === 'done' || !this.#calls.holds(entry)) return;
    if (entry.phase === 'adding') {
      entry.cancelWanted = true;
      return;
    }
    // Whatever the phase says (events and looks can be late), remove first: it succeeds only
    // on a job no worker holds, which then never runs.
    const queue = this.#queue!;
    this.#remove(entry).then(
      async (removed) => {
        if (removed === 1) {
          this.#calls.end(entry, () => entry.call.settleStopped(this.#counters));
          return;
        }
        // Locked by a worker (it runs) or already finished.
        const job = await queue.getJob(entry.jobId);
        if (job?.finishedOn !== undefined) this.#look(entry, job);
        else this.#stopRunning(entry);
      },
      () => this.#stopRunning(entry),
    );
  }

  /**
   * A worker runs the call: record a stop request on the job's stop key and publish it on
   * the cancel channel (the worker cancels the call's task: its signal aborts,
   * `checkpoint()` and library awaits throw).
   * The call ends cancelled (or `TimeoutError`) when the worker answers, whatever it
   * answers, or once `cancelGrace` ms have passed, whichever is first; with a grace of 0 at
   * once, without asking.
   */
  #stopRunning(entry: RemoteCall): void {
    if (!this.#calls.holds(entry)) return;
    this.#calls.started(entry);
    entry.call.askToStop(
      this.#options.cancelGrace,
      () => {
        const { queue, prefix, cancelGrace } = this.#options;
        // Open while a call is in flight; the grace settles the call if it were not.
        const publisher = this.#connections.current?.publisher;
        if (publisher !== undefined) requestStop(publisher, queue, prefix, entry.jobId, cancelGrace);
        return true;
      },
      () => {
        this.#calls.end(entry, () => entry.call.settleStopped(this.#counters));
        // In case its worker died meanwhile and the job waits again: it must not run later.
        this.#queue?.remove(entry.jobId).catch(() => undefined);
      },
    );
  }

  /** Remove the job from Redis (1 if it was removed: it waited, and never runs). */
  async #remove(entry: RemoteCall): Promise<number> {
    if (entry.removing !== 'removed') entry.removing++;
    let removed = 0;
    try {
      removed = await this.#queue!.remove(entry.jobId);
      return removed;
    } finally {
      if (entry.removing !== 'removed') entry.removing = removed === 1 ? 'removed' : entry.removing - 1;
    }
  }

  /**
   * The poll's tick (the fallback for missed events): look at the stored state of each job
   * added (a job gone from Redis while no removal of ours runs is lost). False when no call
   * is in flight: the poll stops.
   */
  #pollOnce(): boolean {
    if (this.#calls.size === 0) return false;
    const queue = this.#queue;
    if (queue === undefined) return true;
    for (const entry of this.#calls.values()) {
      if (entry.phase === 'adding') continue;
      queue.getJob(entry.jobId).then(
        (job) => {
          if (!this.#calls.holds(entry)) return;
          if (job === undefined && entry.removing !== 0) return; // its removal settles it
          if (job === undefined) this.#refused(entry, 'the job is gone from Redis (removed, or Redis lost it)');
          else this.#look(entry, job);
        },
        () => undefined,
      );
    }
    return true;
  }

  /** Settle `entry` from its job's stored state if it finished; note that it runs if it does. */
  #look(entry: RemoteCall, job: BullMQ.Job): void {
    if (job.finishedOn === undefined) {
      if (job.stalledCounter > entry.stalls) this.#stalled(entry, job.stalledCounter);
      // Each start counts in `attemptsStarted` and each dead worker's in `stalledCounter`:
      // a job started more often than it stalled runs now (`processedOn` stays set when a
      // stalled job goes back to waiting, so it cannot tell). Not after a death with a
      // backoff: taking the job to delay it counts as a start too (the events tell then).
      if (job.stalledCounter > 0 && this.#options.backoff !== undefined) return;
      if (job.attemptsStarted > job.stalledCounter) this.#calls.started(entry);
      else if (entry.phase === 'running') entry.phase = 'waiting';
      return;
    }
    // Finished: the deaths it went through are on the job, whether or not this caller saw them.
    this.#calls.learnStalls(entry, job.stalledCounter);
    if (job.returnvalue !== null && job.returnvalue !== undefined) this.#answered(entry, job.returnvalue);
    else this.#refused(entry, job.failedReason || 'the job ended without an answer');
  }

  close(options?: CloseOptions): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    this.#state = 'closing';
    for (const entry of [...this.#calls.values()]) {
      if (options?.force === true || (options?.cancelPending === true && entry.phase !== 'running')) entry.call.future.cancel('the remote executor closed');
    }
    this.#closed = (async () => {
      await this.#calls.drained();
      this.#poll.stop();
      await this.#connections.close();
      this.#state = 'closed';
    })();
    return this.#closed;
  }

  /**
   * A plain frozen snapshot in the pools' shape (`queued`: jobs added or waiting in Redis,
   * not taken by a worker; `running`: taken; `workers` is 0, this caller does not know the
   * fleet), plus `submitted` (calls this executor accepted) and `retried` (runs started
   * again after their worker died). Wait times compare the worker's start with this
   * caller's submit on Redis's clock (each side measures its offset from Redis's `TIME`),
   * so the machines' clock difference drops out; run times are the worker's own.
   */
  statistics(): RemoteExecutorStatistics {
    const snapshot = this.#counters.snapshot('remote', this.#state, { workers: 0, ...this.#calls.counts() });
    return Object.freeze({ ...snapshot, submitted: this.#submitted, retried: this.#calls.retried });
  }
}
