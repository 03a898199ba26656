/**
 * `npm run docs` builds the HTML API reference (typedoc, configured in typedoc.json, entry
 * point src/index.ts) and typedoc has nothing to warn about on the public API: every export
 * and member documented, every type a public signature names exported, no broken links.
 *
 * KNOWN lists the warnings allowed to remain (none since December 2026: every member the
 * public API shows is documented, and `@example` code is fenced so that a line starting with
 * `@unsync` is not read as a block tag). It is exact: a new warning fails.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TYPEDOC = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

const KNOWN: readonly string[] = [];

/** typedoc's warning lines, without colours, the `[warning]` prefix, positions or the closing count. */
function warnings(output: string): string[] {
  return output
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.includes('[warning]') && !/Found \d+ errors and \d+ warnings/.test(line))
    .map((line) => line.replace('[warning] ', '').replace(/^(\S+?):\d+:\d+ /, '$1 '))
    .sort();
}

describe('API reference (npm run docs)', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-api-'));
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('builds from typedoc.json with no warnings beyond the known list', async () => {
    const run = await new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(process.execPath, [TYPEDOC, '--out', out, '--logLevel', 'Warn'], { cwd: ROOT, timeout: 170_000 }, (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ code: error === null ? 0 : typeof code === 'number' ? code : null, output: `${stdout}${stderr}` });
      });
    });
    expect(run.output).not.toMatch(/\[error\]/);
    expect(warnings(run.output)).toEqual([...KNOWN].sort());
    expect(run.code).toBe(0);
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    for (const name of ['unsync', 'gather', 'Unfuture', 'TaskGroup', 'benchmark']) expect(index).toContain(name);
    expect(fs.existsSync(path.join(out, 'functions', 'gather.html'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'classes', 'Unfuture.html'))).toBe(true);
  }, 180_000);

  it('reads warnings the way typedoc prints them', () => {
    const printed = [
      '\x1b[96m./decorators/hints.ts\x1b[0m:\x1b[93m51\x1b[0m:\x1b[93m28\x1b[0m - \x1b[93m[warning]\x1b[0m Encountered an unknown block tag @unsync',
      '\x1b[93m[warning]\x1b[0m X.y (Property), defined in unsync/src/a.ts, does not have any documentation',
      '\x1b[93m[warning]\x1b[0m Found 0 errors and 2 warnings',
      'some other line',
    ].join('\n');
    expect(warnings(printed)).toEqual([
      './decorators/hints.ts - Encountered an unknown block tag @unsync',
      'X.y (Property), defined in unsync/src/a.ts, does not have any documentation',
    ]);
  });
});
