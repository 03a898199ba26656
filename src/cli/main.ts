/**
 * The `unsync` command: `unsync bench <module>#<export> …` and `unsync inspect …`.
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

/** Where the CLI writes (tests pass their own). */
export interface CliIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly cwd: string;
}

/**
 * Run the CLI with `argv` (no `node`/script) and resolve with the exit code: 0 on success,
 * 2 for a command-line mistake, 1 for a module or export that cannot be used or a run
 * that failed.
 */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  try {
    const command = parseCommand(argv);
    if (command.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const fn = await loadTarget(command.target, io.cwd);
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
  if (command.report !== undefined) {
    const file = path.resolve(io.cwd, command.report);
    try {
      fs.writeFileSync(file, renderHtmlReport(result));
    } catch (error) {
      throw new UsageError(`cannot write the report to ${file}: ${(error as Error).message}`, 1);
    }
    io.stderr.write(`report written to ${file}\n`);
  }
  return 0;
}
