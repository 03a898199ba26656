/**
 * The `unsync` command: `unsync bench <module>#<export> …`, `unsync inspect …` and
 * `unsync worker <module...>` (a remote worker, ./worker-command.ts).
 * Started by the plain `.cjs` launcher (`./unsync.cjs`). Output goes to stdout (the table
 * or JSON); progress, notes and errors go to stderr. A bad input is ONE line on stderr and
 * a non-zero exit code, never a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
// The CLI is the top of the stack: load the whole package through its barrel so the
// decorator layer is present and registers itself with the harness (see bench/decorator-bridge).
import '../index';
import { benchmark } from '../bench/benchmark';
import { inspectVerdict } from '../bench/decorator-bridge';
import { formatBenchmarkTable } from '../bench/format-table';
import { renderHtmlReport } from '../bench/html-report';
import { shutdown } from '../runtime/shutdown';
import { parseCommand, USAGE, type Command } from './args';
import { loadTarget } from './load-target';
import { progressBar } from './progress';
import { UsageError } from './usage-error';
import { runWorker } from './worker-command';

/** Where the CLI writes (tests pass their own). */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly cwd: string;
}

/**
 * Run the CLI with `argv` (no `node`/script) and resolve with the exit code: 0 on success,
 * 2 for a command-line mistake (including a `--report` path that cannot be written, checked
 * before the run), 1 for a module or export that cannot be used, or a run in which no
 * executor ran every call without failing (the table or JSON is still printed).
 *
 * @example
 * process.exitCode = await main(['bench', './src/hash.ts#hash', '--args', '[1000]']);
 */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  try {
    const command = parseCommand(argv, io.cwd);
    if (command.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (command.command === 'worker') return await runWorker(command, io);
    const fn = await loadTarget(command.target, io.cwd, { instanceMethods: command.command === 'inspect' });
    if (command.command === 'inspect') return runInspect(command, fn, io);
    return await runBench(command, fn, io);
  } catch (error) {
    const message = error instanceof UsageError ? error.message : `${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
    io.stderr.write(`unsync: ${message.split('\n')[0]}\n`);
    return error instanceof UsageError ? error.exitCode : 1;
  } finally {
    await shutdown({ wait: false, cancelPending: true }).catch(() => undefined);
  }
}

function runInspect(command: Extract<Command, { command: 'inspect' }>, fn: Function, io: CliIO): number {
  // Through the bench's bridge: the module may have been decorated by another loaded copy of unsync.
  const verdict = inspectVerdict(fn);
  if (verdict === undefined) throw new UsageError(`inspect() cannot decide for '${command.target.exportName}'`, 1);
  if (command.json) io.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
  else io.stdout.write(`${command.target.exportName}: ${verdict.executor} (${verdict.kind}) — ${verdict.reason}\n`);
  return 0;
}

async function runBench(command: Extract<Command, { command: 'bench' }>, fn: Function, io: CliIO): Promise<number> {
  // Check where the report goes before a run of possibly minutes, not after it.
  const reportFile = command.report === undefined ? undefined : checkReportPath(path.resolve(io.cwd, command.report), command.report);
  const bar = progressBar(command.target.exportName, !command.json && !command.quiet, io.stderr);
  let result;
  try {
    result = await benchmark(fn, {
      args: command.args,
      ...(command.executors !== undefined && { executors: command.executors }),
      ...(command.calls !== undefined && { calls: command.calls }),
      ...(command.concurrency !== undefined && { concurrency: command.concurrency }),
      ...(command.rounds !== undefined && { rounds: command.rounds }),
      ...(command.warmup !== undefined && { warmup: command.warmup }),
      onProgress: (p) => bar.update(p),
    });
  } catch (error) {
    // Options the harness rejects (e.g. --rounds above --calls is clamped, but an instance
    // method is refused): one line, like any other bad input.
    if (error instanceof TypeError || error instanceof RangeError) throw new UsageError(error.message, 1);
    throw error;
  } finally {
    bar.stop();
  }
  io.stdout.write(command.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatBenchmarkTable(result)}\n`);
  if (reportFile !== undefined) {
    try {
      fs.writeFileSync(reportFile, renderHtmlReport(result));
    } catch (error) {
      throw new UsageError(`cannot write the report to ${reportFile}: ${(error as Error).message}`, 1);
    }
    io.stderr.write(`report written to ${reportFile}\n`);
  }
  // Every executor failed (a wrong --args, a function that always throws): the table shows
  // it, and the exit code tells a script that nothing was measured.
  if (result.recommendation.executor === undefined) {
    const first = result.results.find((r) => r.error !== undefined)?.error ?? 'no calls ran';
    throw new UsageError(`no executor ran every call without failing (first error: ${first.split('\n')[0]})`, 1);
  }
  return 0;
}

/** `file` if a report can be written there, else a {@link UsageError} (exit 2: a bad flag value). */
function checkReportPath(file: string, given: string): string {
  const dir = path.dirname(file);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`--report ${given}: the folder ${dir} does not exist`);
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`--report ${given}: ${file} is a folder, not a file`);
  try {
    fs.accessSync(fs.existsSync(file) ? file : dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`--report ${given}: ${file} is not writable`);
  }
  return file;
}
