/**
 * Command-line parsing for `unsync bench`, `unsync inspect` and `unsync worker`. Node's `util.parseArgs`
 * splits the words into tokens; every token is then checked here, so that each bad value
 * (an unknown flag, a missing or malformed value, a flag given twice) is ONE line naming
 * the flag, the value and what is accepted, with exit code 2.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_EXECUTORS, type BenchExecutor } from '../bench/options';
import { UsageError } from './usage-error';

/** What the user asked for. */
export type Command =
  | { readonly command: 'help' }
  | { readonly command: 'inspect'; readonly target: TargetSpec; readonly json: boolean }
  | {
      readonly command: 'worker';
      /** Module paths, as typed (resolved from the working folder). */
      readonly modules: readonly string[];
      readonly redis: string;
      readonly queue: string | undefined;
      readonly concurrency: number | undefined;
      readonly executor: 'loop' | 'thread' | 'process' | undefined;
      /** Shutdown grace (ms): running calls still going after it are stopped and requeued. */
      readonly grace: number | undefined;
      readonly verbose: boolean;
    }
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
  unsync bench <module>#<export> [--args JSON|@file.json] [--executors loop,thread,process]
               [--calls N] [--concurrency N] [--rounds N] [--warmup N]
               [--json] [--report out.html] [--quiet]
  unsync inspect <module>#<export> [--json]
  unsync worker <module...> [--redis URL] [--queue NAME] [--concurrency N]
               [--executor loop|thread|process] [--grace MS] [--verbose]

<module> is a path to a .ts or .js file, resolved as Node and tsx resolve an import:
./jobs finds ./jobs.ts, .tsx, .mts, .cts, .js, .mjs, .cjs (in that order), then
./jobs/index.* ; ./jobs.js also finds ./jobs.ts. <export> names an exported function or
static method (Class.method). --args is a JSON array of the call's arguments (a single
non-array value is one argument), or @file.json to read it from a file.

unsync worker loads the modules (registering their functions) and runs the remote calls
of a BullMQ queue on Redis (default redis://127.0.0.1:6379, queue 'unsync'): each where
its function's routing says (its decorator's executor), or all on the event loop or in its
own thread or process pool (--executor), --concurrency at once. On SIGINT
or SIGTERM it stops taking jobs, lets running calls finish (or, after --grace ms, stops
them and puts their jobs back to waiting), prints a summary and exits.`;

type CommandName = 'bench' | 'inspect' | 'worker';
const COMMANDS: readonly CommandName[] = ['bench', 'inspect', 'worker'];
const isCommand = (word: string): word is CommandName => (COMMANDS as readonly string[]).includes(word);

/** A flag's value kind, what it accepts in words, and which commands take it. */
interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly accepts: string;
  readonly commands: readonly CommandName[];
}

const FLAGS: Readonly<Record<string, FlagSpec>> = {
  args: { type: 'string', accepts: 'a JSON value (an array is the argument list) or @file.json', commands: ['bench'] },
  executors: { type: 'string', accepts: `a comma-separated list of ${BENCH_EXECUTORS.join(', ')}`, commands: ['bench'] },
  calls: { type: 'string', accepts: 'an integer >= 1', commands: ['bench'] },
  concurrency: { type: 'string', accepts: 'an integer >= 1', commands: ['bench', 'worker'] },
  rounds: { type: 'string', accepts: 'an integer >= 1', commands: ['bench'] },
  warmup: { type: 'string', accepts: 'an integer >= 0', commands: ['bench'] },
  report: { type: 'string', accepts: 'a path for the HTML report', commands: ['bench'] },
  json: { type: 'boolean', accepts: 'no value (a switch)', commands: ['bench', 'inspect'] },
  quiet: { type: 'boolean', accepts: 'no value (a switch)', commands: ['bench'] },
  redis: { type: 'string', accepts: "a Redis URL starting with 'redis://' or 'rediss://'", commands: ['worker'] },
  queue: { type: 'string', accepts: "a queue name (not empty, no ':')", commands: ['worker'] },
  executor: { type: 'string', accepts: 'one of loop, thread, process', commands: ['worker'] },
  grace: { type: 'string', accepts: 'an integer >= 0 (milliseconds)', commands: ['worker'] },
  verbose: { type: 'boolean', accepts: 'no value (a switch)', commands: ['worker'] },
  help: { type: 'boolean', accepts: 'no value (a switch)', commands: ['bench', 'inspect', 'worker'] },
};

const FLAG_LIST = Object.keys(FLAGS).map((name) => `--${name}`).join(', ');

/**
 * Parse `argv` (without `node` and the script); `@file` values of `--args` are read
 * relative to `cwd`. Throws {@link UsageError} (exit code 2) on bad input.
 */
export function parseCommand(argv: readonly string[], cwd = process.cwd()): Command {
  const { tokens } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: {
      ...Object.fromEntries(Object.entries(FLAGS).map(([name, spec]) => [name, { type: spec.type }])),
      help: { type: 'boolean', short: 'h' },
    },
  });
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === 'option-terminator') continue;
    const raw = token.rawName;
    const spec = FLAGS[token.name];
    const given = token.value === undefined ? raw : `${raw}=${token.value}`;
    if (spec === undefined) throw new UsageError(`unknown flag ${quote(given)}; expected one of ${FLAG_LIST} (see unsync --help)`);
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw new UsageError(`${raw} got ${quote(token.value)}; expected ${spec.accepts}`);
    }
    if (spec.type === 'string' && token.value === undefined) throw new UsageError(`${raw} got no value; expected ${spec.accepts}`);
    if (values.has(token.name)) {
      const first = values.get(token.name);
      const both = typeof first === 'string' ? ` (${quote(first)}, then ${quote(token.value!)})` : '';
      throw new UsageError(`${raw} given twice${both}; expected it once`);
    }
    values.set(token.name, token.value ?? true);
  }
  const [command, spec, ...extra] = positionals;
  if (values.has('help') || command === undefined || command === 'help') return { command: 'help' };
  if (!isCommand(command)) throw new UsageError(`unknown command ${quote(command)}; expected 'bench', 'inspect' or 'worker'`);
  for (const name of values.keys()) {
    const takers = FLAGS[name]!.commands;
    if (!takers.includes(command)) throw new UsageError(`--${name} applies to ${takers.map((c) => `'${c}'`).join(' and ')}, not '${command}'`);
  }
  const text = (name: string): string | undefined => values.get(name) as string | undefined;
  if (command === 'worker') {
    if (spec === undefined) throw new UsageError("missing <module...> after 'worker'; expected the modules that register the functions to run");
    return {
      command,
      modules: [spec, ...extra],
      redis: redisUrl(text('redis')),
      queue: queueName(text('queue')),
      concurrency: integer('concurrency', text('concurrency'), 1),
      executor: workerExecutor(text('executor')),
      grace: integer('grace', text('grace'), 0),
      verbose: values.has('verbose'),
    };
  }
  if (spec === undefined) throw new UsageError(`missing <module>#<export> after '${command}'`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${quote(extra[0]!)}; expected one <module>#<export> (flags start with --)`);
  const target = parseTarget(spec);
  if (command === 'inspect') return { command, target, json: values.has('json') };
  return {
    command,
    target,
    args: parseCallArgs(text('args'), cwd),
    executors: parseExecutors(text('executors')),
    calls: integer('calls', text('calls'), 1),
    concurrency: integer('concurrency', text('concurrency'), 1),
    rounds: integer('rounds', text('rounds'), 1),
    warmup: integer('warmup', text('warmup'), 0),
    json: values.has('json'),
    report: text('report'),
    quiet: values.has('quiet'),
  };
}

function parseTarget(spec: string): TargetSpec {
  const hash = spec.lastIndexOf('#');
  if (hash <= 0 || hash === spec.length - 1) {
    throw new UsageError(`expected <module>#<export>, got ${quote(spec)} (for example ./lib/hash.ts#hashPassword)`);
  }
  return { module: spec.slice(0, hash), exportName: spec.slice(hash + 1) };
}

/** `--args`: JSON text, or `@file.json` read from `cwd`. */
function parseCallArgs(text: string | undefined, cwd: string): readonly unknown[] {
  if (text === undefined) return [];
  const accepts = FLAGS.args!.accepts;
  let json = text;
  let source = '';
  if (text.startsWith('@')) {
    const file = path.resolve(cwd, text.slice(1));
    if (text.length === 1) throw new UsageError(`--args got '@' with no file name; expected ${accepts}`);
    try {
      json = fs.readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : firstLine((error as Error).message);
      throw new UsageError(`--args got ${quote(text)}: cannot read ${file} (${why}); expected ${accepts}`);
    }
    source = ` (in ${file})`;
  }
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value : [value];
  } catch (error) {
    throw new UsageError(`--args got ${quote(text)}, which is not valid JSON${source}: ${firstLine((error as Error).message)}; expected ${accepts}`);
  }
}

function parseExecutors(text: string | undefined): BenchExecutor[] | undefined {
  if (text === undefined) return undefined;
  const accepts = FLAGS.executors!.accepts;
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`--executors got ${quote(text)}; expected ${accepts}`);
  for (const name of names) {
    if (!(BENCH_EXECUTORS as readonly string[]).includes(name)) {
      throw new UsageError(`--executors got ${quote(text)}: unknown executor ${quote(name)}; expected ${accepts}`);
    }
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--executors got ${quote(text)}, which lists an executor twice; expected ${accepts}, each once`);
  return names as BenchExecutor[];
}

/** The Redis a worker connects to: `--redis`, else the local default. */
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

function redisUrl(text: string | undefined): string {
  if (text === undefined) return DEFAULT_REDIS;
  if (!/^rediss?:\/\/./.test(text)) throw new UsageError(`--redis got ${quote(text)}; expected ${FLAGS.redis!.accepts}`);
  return text;
}

function queueName(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (text === '' || text.includes(':')) throw new UsageError(`--queue got ${quote(text)}; expected ${FLAGS.queue!.accepts}`);
  return text;
}

function workerExecutor(text: string | undefined): 'loop' | 'thread' | 'process' | undefined {
  if (text === undefined) return undefined;
  if (text !== 'loop' && text !== 'thread' && text !== 'process') throw new UsageError(`--executor got ${quote(text)}; expected ${FLAGS.executor!.accepts}`);
  return text;
}

function integer(flag: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  // Number('') is 0 and Number('1e3') is 1000: accept plain decimal digits only.
  const n = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${flag} got ${quote(text)}; expected ${FLAGS[flag]!.accepts}`);
  return n;
}

/** A value as the user typed it, in single quotes (JSON-escaped only when it has a quote or a control character). */
function quote(value: string): string {
  return /['\u0000-\u001f]/.test(value) ? JSON.stringify(value) : `'${value}'`;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
