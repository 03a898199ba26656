/**
 * Runs an example script the way a user would (`tsx examples/<name>.ts`) and returns its
 * output lines. Shared by the example tests.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export interface ExampleRun {
  stdout: string[];
  stderr: string;
  code: number | null;
}

/** Run `examples/<file>` with `args`; resolves with its output (never rejects on exit code). */
export function runExample(file: string, args: string[] = [], env: Record<string, string> = {}): Promise<ExampleRun> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [path.join(ROOT, 'examples', file), ...args],
      { cwd: ROOT, env: { ...process.env, UNSYNC_EXAMPLE_SECOND: '40', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const exit = (error as { code?: unknown } | null)?.code;
        const code = error === null ? 0 : typeof exit === 'number' ? exit : 1;
        resolve({ stdout: stdout.split('\n').filter((l) => l.length > 0), stderr, code });
      },
    );
  });
}
