/**
 * examples/remote-worker.ts runs as a user would run it (its own redis-server, a worker
 * process started with `unsync worker`) and prints the same lines every time.
 */
import { runExample } from './run-example';

describe('remote example', () => {
  it('remote-worker.ts calls a worker process through Redis: a value, an error class, a cancelled running call', async () => {
    const result = await runExample('remote-worker.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout).toEqual([
      'double(21) = 42',
      'checkAge(-1) threw RangeError: an age cannot be negative (got -1)',
      'longReport: cancelled',
      'worker printed: longReport cleaned up',
      'worker printed: unsync worker: 3 job(s): 1 completed, 1 failed, 1 cancelled, 0 refused, 0 requeued',
    ]);
    expect(result.code).toBe(0);
  });
});
