/**
 * Command-line parsing for `unsync bench` and `unsync inspect` (node's `util.parseArgs`,
 * strict: an unknown flag is an error).
 */
import { parseArgs } from 'node:util';
import { BENCH_EXECUTORS, type BenchExecutor } from '../bench/options';
import { UsageError } from './usage-error';

/** What the user asked for. */
export type Command =
  | { readonly command: 'help' }
  | { readonly command: 'inspect'; readonly target: TargetSpec; readonly json: boolean }
  | {
      readonly command: 'bench';
      readonly target: TargetSpec;
      readonly args: readonly unknown[];
      readonly executors: readonly BenchExecutor[] | undefined;
      readonly calls: number | undefined;
      readonly concurrency: number | undefined;
      readonly rounds: number | undefined;
      readonly warmup: number | undefined;
      readonly json: boolean;
      readonly report: string | undefined;
      readonly quiet: boolean;
    };

/** `<module>#<export>`, split. */
export interface TargetSpec {
  readonly module: string;
  readonly exportName: string;
}

/** The text of `unsync --help`. */
export const USAGE = `Usage:
  unsync bench <module>#<export> [--args JSON] [--executors loop,thread,process]
               [--calls N] [--concurrency N] [--rounds N] [--warmup N]
               [--json] [--report out.html] [--quiet]
  unsync inspect <module>#<export> [--json]

<module> is a .ts or .js file (a path); <export> names an exported function or static
method (Class.method). --args is a JSON array of the call's arguments (a single non-array
value is one argument).`;

/** Parse `argv` (without `node` and the script). Throws {@link UsageError} on bad input. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        args: { type: 'string' },
        executors: { type: 'string' },
        calls: { type: 'string' },
        concurrency: { type: 'string' },
        rounds: { type: 'string' },
        warmup: { type: 'string' },
        json: { type: 'boolean', default: false },
        report: { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    const message = firstLine(error instanceof Error ? error.message : String(error));
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw new UsageError(unknown !== null ? `unknown flag '${unknown[1]}' (see unsync --help)` : message);
  }
  const { values, positionals } = parsed;
  const [command, spec, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') return { command: 'help' };
  if (command !== 'bench' && command !== 'inspect') throw new UsageError(`unknown command '${command}' (expected 'bench' or 'inspect')`);
  if (spec === undefined) throw new UsageError(`missing <module>#<export> after '${command}'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const target = parseTarget(spec);
  if (command === 'inspect') {
    for (const flag of ['args', 'executors', 'calls', 'concurrency', 'rounds', 'warmup', 'report'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to 'bench', not 'inspect'`);
    }
    return { command, target, json: values.json === true };
  }
  return {
    command,
    target,
    args: parseCallArgs(values.args),
    executors: values.executors === undefined ? undefined : parseExecutors(values.executors),
    calls: positiveInt('calls', values.calls, 1),
    concurrency: positiveInt('concurrency', values.concurrency, 1),
    rounds: positiveInt('rounds', values.rounds, 1),
    warmup: positiveInt('warmup', values.warmup, 0),
    json: values.json === true,
    report: values.report,
    quiet: values.quiet === true,
  };
}

function parseTarget(spec: string): TargetSpec {
  const hash = spec.lastIndexOf('#');
  if (hash <= 0 || hash === spec.length - 1) {
    throw new UsageError(`expected <module>#<export>, got '${spec}' (for example ./lib/hash.ts#hashPassword)`);
  }
  return { module: spec.slice(0, hash), exportName: spec.slice(hash + 1) };
}

function parseCallArgs(text: string | undefined): readonly unknown[] {
  if (text === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--args is not valid JSON: ${firstLine(error instanceof Error ? error.message : String(error))}`);
  }
  return Array.isArray(value) ? value : [value];
}

function parseExecutors(text: string): BenchExecutor[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError('--executors is empty (expected a list such as loop,thread,process)');
  for (const name of names) {
    if (!(BENCH_EXECUTORS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown executor '${name}' in --executors (expected ${BENCH_EXECUTORS.join(', ')})`);
    }
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--executors lists an executor twice: ${text}`);
  return names as BenchExecutor[];
}

function positiveInt(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer >= ${min}, got '${text}'`);
  return n;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
