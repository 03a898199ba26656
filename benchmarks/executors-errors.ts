/**
 * What keeping an error's class costs (issue 17 item 2, docs/errors.md): a call that fails
 * with an error whose class the caller finds through a module's exports or a registration,
 * or does not find (RemoteError), against the same call failing with a built-in
 * `RangeError`, which needs no lookup. Side by side in interleaved rounds:
 *   1. failing calls, one at a time, on the thread pool and on the process pool;
 *   2. `encodeError` alone (where the error was thrown), per error;
 *   3. the first lookup of a class the worker has not seen (it reads every loaded module's
 *      exports once), with the number of modules loaded.
 * Run: npx tsx benchmarks/executors-errors.ts [--markdown] [--quick]
 *
 * This module is loaded again in every worker (that is how workers find the functions), so
 * the benchmark itself only runs when `!inWorker()`.
 */
import { ProcessExecutor, ThreadExecutor, inWorker, registerErrorClass, unsyncRegister, type Executor } from '../src/executors';
import { exportLocations } from '../src/executors/worker/error-classes.cjs';
import { encodeError } from '../src/executors/worker/error-codec.cjs';
import { interleave, machine, ratio } from './lib/measure';

/** Found through this module's exports. */
export class ExportedError extends Error {
  readonly code = 'E_EXPORTED';
}
/** Found through its registration. */
class RegisteredError extends Error {
  readonly code = 'E_REGISTERED';
}
registerErrorClass(RegisteredError, { name: 'bench.RegisteredError' });
/** Found nowhere: arrives as RemoteError. */
class HiddenError extends Error {
  readonly code = 'E_HIDDEN';
}

const MAKERS = {
  'RangeError (built-in)': () => Object.assign(new RangeError('failed'), { code: 'E_RANGE' }),
  'exported class': () => new ExportedError('failed'),
  'registered class': () => new RegisteredError('failed'),
  'unknown class (RemoteError)': () => new HiddenError('failed'),
} as const;
type Kind = keyof typeof MAKERS;
const KINDS = Object.keys(MAKERS) as Kind[];
const PEER: Kind = 'RangeError (built-in)';

export function fail(kind: Kind): never {
  throw MAKERS[kind]();
}
const failRef = unsyncRegister(fail);

const QUICK = process.argv.includes('--quick');
const CALLS = QUICK ? 100 : 400;
const ENCODES = QUICK ? 2_000 : 10_000;
const ROUNDS = QUICK ? 3 : 7;

/** µs per failing call, `CALLS` calls one after another. */
async function failingCalls(pool: Executor, kind: Kind): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) {
    try {
      await pool.submit(failRef, [kind]);
    } catch {
      // expected
    }
  }
  return ((performance.now() - start) * 1000) / CALLS;
}

/** µs per `encodeError` of a fresh error of `kind`. */
async function encodes(kind: Kind): Promise<number> {
  const errors = Array.from({ length: ENCODES }, MAKERS[kind]);
  const start = performance.now();
  for (const error of errors) encodeError(error);
  return ((performance.now() - start) * 1000) / ENCODES;
}

/** ms for the first `exportLocations` of `count` classes no module exports (median). */
function firstLookups(count: number): number {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const Fresh = class extends Error {};
    const start = performance.now();
    exportLocations(Fresh);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

function table(title: string, unit: string, figures: Record<string, number>): string {
  const rows = KINDS.map((k) => `| ${k} | ${figures[k]!.toFixed(1)} | ${ratio(figures[k]!, figures[PEER]!)} |`);
  return [`| ${title} | ${unit} | vs RangeError |`, '| --- | ---: | ---: |', ...rows].join('\n');
}

async function main(): Promise<void> {
  const thread = new ThreadExecutor({ maxWorkers: 1 });
  const process_ = new ProcessExecutor({ maxWorkers: 1 });
  try {
    // Start both workers and load this module in them before measuring.
    for (const kind of KINDS) await Promise.allSettled([thread.submit(failRef, [kind]), process_.submit(failRef, [kind])]);
    const onThread = await interleave(Object.fromEntries(KINDS.map((k) => [k, () => failingCalls(thread, k)])), ROUNDS, 1);
    const onProcess = await interleave(Object.fromEntries(KINDS.map((k) => [k, () => failingCalls(process_, k)])), ROUNDS, 1);
    const encoded = await interleave(Object.fromEntries(KINDS.map((k) => [k, () => encodes(k)])), ROUNDS, 1);
    const modules = Object.keys(require.cache).length;
    const firstMs = firstLookups(QUICK ? 5 : 15);
    const markdown = process.argv.includes('--markdown');
    const out = [
      '## Executors: errors that keep their class',
      '',
      `Command: \`npx tsx benchmarks/executors-errors.ts --markdown\` (medians of ${ROUNDS} interleaved rounds). Machine: ${machine()}.`,
      '',
      `A call that throws, ${CALLS} calls one after another on a one-worker pool, by the class of what it throws: a built-in \`RangeError\` (no lookup), a class the caller finds through the defining module's exports, a class registered with \`registerErrorClass\`, and a class found nowhere (arrives as \`RemoteError\`). Every error carries a \`code\` property. See docs/errors.md.`,
      '',
      table('thread pool, failing call', 'µs per call', onThread),
      '',
      table('process pool, failing call', 'µs per call', onProcess),
      '',
      table('`encodeError` alone', 'µs per error', encoded),
      '',
      `First lookup of a class the thread has not seen (it reads the exports of every loaded module once, then remembers the answer): ${firstMs.toFixed(2)} ms with ${modules} modules loaded (median of ${QUICK ? 5 : 15} fresh classes).`,
      '',
      'Reading it: the lookup is remembered per class, so a failing call pays the same whichever way its class is found, within the noise of the machine; encoding is dominated by reading the stack (under tsx, formatted with source maps), not by the lookup.',
    ];
    console.log(markdown ? out.join('\n') : out.filter((l) => l.startsWith('|') || l.startsWith('First')).join('\n'));
  } finally {
    await Promise.all([thread.close(), process_.close()]);
  }
}

if (!inWorker()) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
