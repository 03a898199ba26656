/**
 * The links the contract suite runs over: each makes a pool through the public executor
 * API and says what its crashes look like. A new kind of worker (the remote executor) proves
 * itself by adding an entry here and a three-line test file beside the others.
 */
import { isWorkerCrashedError, ProcessExecutor, ThreadExecutor } from '../../../src/executors';
import type { Executor, WorkerCrashedError } from '../../../src/executors';

/** The pool options every link accepts. */
export interface ContractPoolOptions {
  maxWorkers?: number;
  cancelGrace?: number;
  callerStacks?: boolean | 'auto';
  maxQueue?: number;
}

/** A way a worker dies under a running call, and what the caller is told. */
export interface CrashCase {
  /** Test title: what happened to the worker. */
  readonly name: string;
  /** How the fixture `crashWhenTold` ends its worker; `outside` = the test kills the worker. */
  readonly how: 'exit' | 'uncaught' | 'outside';
  /** Checks the `WorkerCrashedError` of the crashed call. */
  check(error: WorkerCrashedError): void;
}

/** One kind of worker under the pool engine. */
export interface Link {
  readonly kind: 'thread' | 'process';
  make(options: ContractPoolOptions): Executor;
  readonly crashes: readonly CrashCase[];
  /** Kill the worker whose process id a fixture logged (only for `outside` crashes). */
  killFromOutside?(pid: number): void;
}

const commonCrashes: CrashCase[] = [
  {
    name: 'calls process.exit(7)',
    how: 'exit',
    check(error) {
      expect(isWorkerCrashedError(error)).toBe(true);
      expect(error.exitCode).toBe(7);
      expect(error.signal).toBeUndefined();
      expect(error.message).toContain('`crashWhenTold` exited with code 7');
    },
  },
  {
    name: 'throws an uncaught error from a timer while the call is pending',
    how: 'uncaught',
    check(error) {
      expect(isWorkerCrashedError(error)).toBe(true);
      expect(error.exitCode).toBe(1);
      expect(error.signal).toBeUndefined();
      expect(error.message).toContain('`crashWhenTold`');
    },
  },
];

export const threadLink: Link = {
  kind: 'thread',
  make: (options) => new ThreadExecutor(options),
  crashes: [
    commonCrashes[0]!,
    {
      ...commonCrashes[1]!,
      check(error) {
        commonCrashes[1]!.check(error);
        // A thread's uncaught error reaches the pool: it is the cause, and the message says so.
        expect(error.message).toContain('`crashWhenTold` crashed (uncaught error, exit code 1): late boom');
        expect((error.cause as Error).message).toBe('late boom');
      },
    },
  ],
};

export const processLink: Link = {
  kind: 'process',
  make: (options) => new ProcessExecutor(options),
  crashes: [
    ...commonCrashes,
    {
      name: 'is SIGKILLed from outside',
      how: 'outside',
      check(error) {
        expect(isWorkerCrashedError(error)).toBe(true);
        expect(error.signal).toBe('SIGKILL');
        expect(error.message).toContain('`crashWhenTold` was killed by SIGKILL');
      },
    },
  ],
  killFromOutside: (pid) => process.kill(pid, 'SIGKILL'),
};
