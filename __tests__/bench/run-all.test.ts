/**
 * `npm run bench`'s runner, on fixture scripts and a temp output path (the real
 * docs/performance.md is never written by tests).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPTS = path.join(ROOT, '__tests__', 'fixtures', 'bench-scripts');

describe('benchmarks/run-all.ts', () => {
  it('concatenates the sections after the header, notes skipped and failed scripts, and exits non-zero on a failure', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-runall-')), 'performance.md');
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', path.join(ROOT, 'benchmarks', 'run-all.ts'), '--dir', SCRIPTS, '--out', out],
        { cwd: ROOT, timeout: 60_000 },
        (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), stderr }),
      );
    });
    expect(code).toBe(1);
    expect(stderr).toContain('(1 ok, 1 skipped, 1 failed)');
    const page = fs.readFileSync(out, 'utf8');
    expect(page.startsWith('# Performance\n')).toBe(true);
    expect(page).toContain(`Node ${process.version}`);
    const a = page.indexOf('## Section A');
    const b = page.indexOf('b-plain.ts` does not support `--markdown` yet; skipped.');
    const c = page.indexOf('c-broken.ts` failed (exit 3: something went wrong in c)');
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(page).toContain('| nothing | 1.0 |');
  });
});
