/**
 * Type tests: `tsc --noEmit` over files with `@ts-expect-error`, under TC39 decorators
 * (tsconfig.types.json) and legacy decorators with metadata (tsconfig.legacy.json, which
 * also checks the shared method fixture). An unused `@ts-expect-error` fails too.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

function tsc(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '--noEmit', '-p', path.join(__dirname, project)], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : 1, output: `${stdout}${stderr}` });
    });
  });
}

describe('types', () => {
  it('type-check under TC39 decorators', async () => {
    const { code, output } = await tsc('tsconfig.types.json');
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it('type-check under legacy decorators with emitDecoratorMetadata', async () => {
    const { code, output } = await tsc('tsconfig.legacy.json');
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);
});
