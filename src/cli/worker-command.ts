/**
 * `unsync worker <module...>`: a remote worker in this process (`startWorker`), until
 * SIGINT or SIGTERM. Each job is one line on stdout with `--verbose`; the shutdown prints a
 * summary. Notes (ready, closing) go to stderr. Design: docs/remote.md.
 */
import { startWorker } from '../executors/remote/remote-worker';
import type { RemoteJobReport } from '../executors/remote/remote-options';
import type { Command } from './args';
import { resolveModule } from './resolve-module';
import { UsageError } from './usage-error';

/** Where the worker command writes, and the signal it waits for (tests pass their own). */
export interface WorkerIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly cwd: string;
  /** Resolves with the name of the signal that asks the worker to stop. */
  readonly stopSignal?: Promise<string>;
}

type Outcome = RemoteJobReport['outcome'];
const OUTCOMES: readonly Outcome[] = ['completed', 'failed', 'cancelled', 'refused', 'requeued'];

/** Run the worker until asked to stop; resolves with the exit code (0). */
export async function runWorker(command: Extract<Command, { command: 'worker' }>, io: WorkerIO): Promise<number> {
  const modules = command.modules.map((spec) => resolveModule(spec, io.cwd));
  const counts = new Map<Outcome, number>(OUTCOMES.map((o) => [o, 0]));
  // Listening before anything is printed or started: a SIGTERM sent as soon as the "taking
  // jobs" line is read (or during start-up) must close the worker, not kill it.
  const stop = io.stopSignal === undefined ? untilSignal() : { signal: io.stopSignal, dispose: () => {} };
  let worker;
  try {
    worker = await startWorker({
      modules,
      connection: command.redis,
      root: io.cwd,
      ...(command.queue !== undefined && { queue: command.queue }),
      ...(command.concurrency !== undefined && { concurrency: command.concurrency }),
      ...(command.executor !== undefined && { executor: command.executor }),
      onJob: (report) => {
        counts.set(report.outcome, counts.get(report.outcome)! + 1);
        if (command.verbose) io.stdout.write(`${jobLine(report)}\n`);
      },
    });
  } catch (error) {
    stop.dispose();
    // A module that throws while loading, an option startWorker refuses: one line, exit 1.
    throw new UsageError(`cannot start the worker: ${(error as Error)?.message ?? String(error)}`, 1);
  }
  io.stderr.write(
    `unsync worker: taking jobs from queue '${worker.queue}' on ${withoutPassword(command.redis)} (${worker.executor}, concurrency ${command.concurrency ?? 1}); Ctrl-C to stop\n`,
  );
  const signal = await stop.signal;
  io.stderr.write(
    `unsync worker: ${signal}: closing (no new jobs${command.grace === undefined ? ', waiting for the running ones' : `; running calls stopped and requeued after ${command.grace} ms`})\n`,
  );
  await worker.close(command.grace === undefined ? undefined : { grace: command.grace });
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  io.stdout.write(`unsync worker: ${total} job(s): ${OUTCOMES.map((o) => `${counts.get(o)} ${o}`).join(', ')}\n`);
  return 0;
}

/** `<ISO time> <outcome> <name> job <id> <ms> ms[: reason]`. */
function jobLine(r: RemoteJobReport): string {
  const reason = r.reason === undefined ? '' : `: ${r.reason.split('\n')[0]}`;
  return `${new Date().toISOString()} ${r.outcome} ${r.name} job ${r.jobId} ${r.ms} ms${reason}`;
}

/** The URL with its password (if any) replaced by `***`, for printing. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** The first SIGINT or SIGTERM from now on (its name); `dispose` stops listening. */
function untilSignal(): { signal: Promise<string>; dispose(): void } {
  let on: (signal: NodeJS.Signals) => void = () => {};
  const dispose = (): void => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
  const signal = new Promise<string>((resolve) => {
    on = (name) => {
      dispose();
      resolve(name);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  return { signal, dispose };
}
