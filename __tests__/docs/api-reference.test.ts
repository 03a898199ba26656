/**
 * `npm run docs` builds the HTML API reference (typedoc, configured in typedoc.json, entry
 * point src/index.ts) and typedoc has nothing to warn about on the public API: every export
 * and member documented, every type a public signature names exported, no broken links.
 *
 * KNOWN lists the warnings that remain in code this test's author could not edit in the same
 * change (the executors, core and decorator internals, owned by other work in progress).
 * It is exact and may only shrink: a new warning fails, and so does an entry that no longer
 * occurs (delete it once its doc comment is written).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const TYPEDOC = path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');

const KNOWN: readonly string[] = [
  // decorators/ (not the typing files): `@unsync` at the start of an @example line reads as a block tag.
  './decorators/hints.ts - Encountered an unknown block tag @unsync',
  './decorators/hints.ts - Encountered an unknown block tag @unsync',
  './decorators/unsync.ts - Encountered an unknown block tag @unsync',
  'ExecutorTimes.calls (Property), defined in unsync/decorators/evidence.ts, does not have any documentation',
  'ExecutorTimes.maxMs (Property), defined in unsync/decorators/evidence.ts, does not have any documentation',
  'ExecutorTimes.meanMs (Property), defined in unsync/decorators/evidence.ts, does not have any documentation',
  'ExecutorTimes.totalMs (Property), defined in unsync/decorators/evidence.ts, does not have any documentation',
  // src/core/
  'FutureController.future (Property), defined in unsync/src/core/future.ts, does not have any documentation',
  'FutureTiming.createdAt (Property), defined in unsync/src/core/future-types.ts, does not have any documentation',
  'FutureTiming.settledAt (Property), defined in unsync/src/core/future-types.ts, does not have any documentation',
  'Task.[toStringTag] (GetSignature), defined in unsync/src/core/future.ts, does not have any documentation',
  'Unfuture.[toStringTag] (GetSignature), defined in unsync/src/core/future.ts, does not have any documentation',
  // src/executors/
  'DurationSummary.count (Property), defined in unsync/src/executors/executor.ts, does not have any documentation',
  'DurationSummary.max (Property), defined in unsync/src/executors/executor.ts, does not have any documentation',
  'DurationSummary.mean (Property), defined in unsync/src/executors/executor.ts, does not have any documentation',
  'DurationSummary.min (Property), defined in unsync/src/executors/executor.ts, does not have any documentation',
  'ExecutorStatistics.cancelled (Property), defined in unsync/src/executors/executor.ts, does not have any documentation',
  'ExecutorStatistics.completed (Property), defined in unsync/src/executors/executor.ts, does not have any documentation',
  'ExecutorStatistics.executor (Property), defined in unsync/src/executors/executor.ts, does not have any documentation',
  'RegisteredRef.fn (Property), defined in unsync/src/executors/registry.ts, does not have any documentation',
];

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
