/**
 * examples/debug-mode.ts is run as a script: it must show one report of each kind, in the
 * order the program provokes them, and exit cleanly.
 */
import { runExample } from './run-example';

describe('debug-mode example', () => {
  it('shows a slow task, a slow decorated function, an unretrieved error and a never-awaited future, then exits', async () => {
    const { stdout, stderr, code } = await runExample('debug-mode.ts');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const expected: RegExp[] = [
      /^1\. a forgotten await$/,
      /^2\. a task blocking the event loop$/,
      /^ {2}\[debug\] unsync: the event loop was blocked for \d+ ms by task "cruncher" \(resuming after an await\) \(slowCallbackDuration is 100 ms(, not counting \d+ ms its thread waited for a core)?\)/,
      /^3\. a decorated function blocking the event loop$/,
      /^ {2}\[debug\] unsync: the event loop was blocked for \d+ ms by decorated function "renderReport" \(slowCallbackDuration is 100 ms(, not counting \d+ ms its thread waited for a core)?\); nothing else could run meanwhile\. inspect\(\) would run it on the thread executor: a call blocked the event loop for \d+ ms \(limit 5\.0 ms\), so it was moved off the loop; its measured calls \(1\) spent \d+% of their running time on a CPU: CPU-bound, so it runs on the thread pool\.$/,
      /^4\. a failure nobody handles$/,
      /^main returns$/,
      /^ {2}\[debug\] unsync: the error of task "saver" \(loop\) was never retrieved \(found when run\(\) returned\)/,
      /^ {2}\[debug\] {3}created at main \(debug-mode\.ts:\d+\)$/,
      /^ {2}\[debug\] {3}error: disk full$/,
      /^5\. run\(\) returned; collecting garbage$/,
      /^ {2}\[debug\] unsync: future "[^"]+" \(loop\) was never awaited: it was garbage-collected/,
      /^ {2}\[debug\] {3}created at forgetful \(debug-mode\.ts:\d+\)$/,
      /^reports: neverAwaited=1 slowCallback=2 unretrievedError=1$/,
    ];
    expect(stdout).toHaveLength(expected.length);
    stdout.forEach((line, i) => expect(line).toMatch(expected[i]!));
  });
});
