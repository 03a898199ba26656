/**
 * `npm run demo` (examples/demo.ts) runs to the end: the seed's timeline, the routing
 * comparison table, a benchmark of every showcase function, and the HTML report at the
 * path it names. Figures are not checked here (the harness tests do that), only shape.
 * It runs the demo as shipped, through `npm run demo` at full length (about 25 s on a busy
 * 2-core machine; the examples' time scale is not shortened), only pointing the report at
 * a folder of its own.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function npmRunDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string[]; stderr: string }> {
  const inherited = { ...process.env };
  delete inherited.UNSYNC_EXAMPLE_SECOND; // as a user runs it
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', 'demo'], { cwd: ROOT, env: { ...inherited, ...env }, timeout: 110_000 }, (error, stdout, stderr) => {
      const exit = (error as { code?: unknown } | null)?.code;
      resolve({ code: error === null ? 0 : typeof exit === 'number' ? exit : null, stdout: stdout.split('\n').filter((l) => l.length > 0), stderr });
    });
  });
}

it('prints the timeline, the routing table, the benchmarks and writes the report it names', async () => {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-demo-')), 'report.html');
  const run = await npmRunDemo({ UNSYNC_REPORT: report });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const out = run.stdout.join('\n');
  expect(out).toContain("Result: [ 'a', 'b', 'c' ]");
  for (const routing of ['loop', 'thread', 'process', 'auto']) {
    expect(run.stdout.some((l) => l.startsWith(`${routing} `))).toBe(true);
  }
  expect(out).toMatch(/^auto\s+\d+\s+[\d.]+x\s.*fetchQuote→loop readRecord→thread/m);
  for (const fn of ['fetchQuote', 'readRecord', 'hashPassword', 'formatPrice']) {
    expect(out).toMatch(new RegExp(`^Showcase\\.${fn} .*\\n\\s+-> (loop|thread|process): `, 'm'));
  }
  expect(out).toContain(`HTML report with charts: ${report}`);
  expect(fs.readFileSync(report, 'utf8')).toContain('<canvas id="routings"');
  fs.rmSync(path.dirname(report), { recursive: true, force: true });
}, 120_000);
