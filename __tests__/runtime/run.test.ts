import { InvalidStateError, isCancelledError } from '../../src/core/errors';
import { allTasks, createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { run } from '../../src/runtime/run';
import { onRuntimeShutdown } from '../../src/runtime/lifecycle';
import { execFile } from 'node:child_process';
import * as path from 'node:path';

/** Run a TypeScript script with tsx; resolves with its stdout and exit code. */
function runScript(file: string): Promise<{ stdout: string; code: number }> {
  const tsx = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  return new Promise((resolve) => {
    execFile(tsx, [file], { timeout: 30_000 }, (error, stdout) => {
      resolve({ stdout, code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1 });
    });
  });
}

describe('run', () => {
  it('resolves with the result of main', async () => {
    await expect(run(async () => 'result')).resolves.toBe('result');
  });

  it('rejects with the error of main', async () => {
    await expect(
      run(async () => {
        throw new RangeError('main failed');
      }),
    ).rejects.toThrow(RangeError);
  });

  it('cancels the tasks left pending and waits for them before returning', async () => {
    const steps: string[] = [];
    await run(async () => {
      createTask(async () => {
        try {
          await sleep(10_000);
        } catch (e) {
          steps.push(`leftover cancelled: ${isCancelledError(e)}`);
          await sleep(1);
          steps.push('leftover cleaned up');
          throw e;
        }
      });
      await sleep(1);
      steps.push('main returns');
    });
    steps.push('run returned');
    expect(steps).toEqual(['main returns', 'leftover cancelled: true', 'leftover cleaned up', 'run returned']);
    expect(allTasks().size).toBe(0);
  });

  it('cancels a sleep the program started and never awaited, so it cannot keep the process alive', async () => {
    const before = sleep(60_000); // armed before run(): not the program's, left alone
    let stray: ReturnType<typeof sleep> | undefined;
    await run(async () => {
      stray = sleep(60_000);
    });
    expect(stray!.cancelled()).toBe(true);
    expect(before.state).toBe('pending');
    before.cancel();
  });

  it('returns even when a leftover task is stuck on a promise nothing can settle (the loop goes idle)', async () => {
    const { stdout, code } = await runScript(path.join(__dirname, '..', 'fixtures', 'run-stuck-task.ts'));
    expect([code, stdout.trim()]).toEqual([0, 'run returned: main done']);
  });

  it('refuses to run inside a running run', async () => {
    let inner: unknown;
    await run(async () => {
      try {
        await run(async () => 1);
      } catch (e) {
        inner = e;
      }
    });
    expect(inner).toBeInstanceOf(InvalidStateError);
  });

  it('shuts the executors down on return', async () => {
    const steps: string[] = [];
    const off = onRuntimeShutdown((options) => {
      steps.push(`shutdown wait=${options.wait}`);
    });
    try {
      await run(async () => steps.push('main'));
    } finally {
      off();
    }
    expect(steps).toEqual(['main', 'shutdown wait=true']);
  });

  it('validates its arguments', async () => {
    await expect(run(42 as never)).rejects.toThrow(/Expected `main` to be a function/);
    await expect(run(async () => 1, { debug: 'yes' as never })).rejects.toThrow(TypeError);
    await expect(run(async () => 1, { debgu: true } as never)).rejects.toThrow(/Unknown option `debgu`/);
  });
});
