/**
 * Debug mode, one report of each kind (see docs/debug.md):
 *
 *   1. a forgotten await        -> "was never awaited" (when the future is garbage-collected)
 *   2. a task blocking the loop -> "the event loop was blocked for N ms by task ..."
 *   3. a decorated function blocking the loop -> "... by decorated function ...", with where
 *      inspect() now sends it (its first call ran inline and was measured)
 *   4. a failure nobody handles -> "the error of ... was never retrieved" (when run() returns)
 *
 * Run: npx tsx examples/debug-mode.ts
 * The reports go to the logger given to configure(); here it prints a short form of each.
 */
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { configure, createTask, inWorker, run, sleep, statistics, unsync, type Logger } from '../src';

// Garbage collection on demand, without starting node with --expose-gc.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const printer: Logger = {
  warn(message, ...details) {
    const [first, ...rest] = message.split('\n');
    console.log(`  [debug] ${first}`);
    const frame = rest.find((line) => line.trim().startsWith('at '));
    if (frame !== undefined) console.log(`  [debug]   created at ${shortFrame(frame)}`);
    for (const detail of details) if (detail instanceof Error) console.log(`  [debug]   error: ${detail.message}`);
  },
};

/** "    at forgetful (/abs/path/examples/debug-mode.ts:40:3)" -> "forgetful (debug-mode.ts:40)" */
function shortFrame(frame: string): string {
  const m = /at (?:(\S+) \()?(.+?):(\d+):\d+\)?$/.exec(frame.trim());
  return m === null ? frame.trim() : `${m[1] ?? '<top level>'} (${path.basename(m[2]!)}:${m[3]})`;
}

/**
 * Compute for `ms` milliseconds of CPU time: what a long synchronous computation does to the
 * event loop. (CPU time rather than wall time: debug mode leaves out the time a busy machine
 * made the thread wait for a core, so a wall-clock busy-wait could report less.)
 */
function crunch(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) break; // computing...
  }
}

/** A renderer object: its method is reached through the object, not called by name. */
const renderer = { crunch };

/**
 * A decorated function with a short body: `'auto'` runs its first call inline on the loop
 * until it has been measured. This one hides a long computation behind an object's method:
 * the static analysis follows helpers called by name (it would send `crunch(250)` straight
 * to a pool), not methods of objects (docs/decorator.md), so measurement has to find it.
 */
const renderReport = unsync(function renderReport(rows: number): string {
  renderer.crunch(250);
  return `${rows} rows`;
});

// Holds the example's bad futures until step 4, so each report comes at a predictable
// point of the output. Without it they come at whichever garbage collection finds them.
let kept: unknown[] = [];

function forgetful(): void {
  kept.push(sleep(10)); // the bug: no await, so nothing ever looks at this future
}

async function main(): Promise<void> {
  console.log('1. a forgotten await');
  forgetful();

  console.log('2. a task blocking the event loop');
  await createTask(
    async () => {
      await sleep(1);
      crunch(250);
    },
    { name: 'cruncher' },
  );

  console.log('3. a decorated function blocking the event loop');
  await renderReport(3);

  console.log('4. a failure nobody handles');
  const saver = createTask(
    async () => {
      throw new Error('disk full');
    },
    { name: 'saver' },
  );
  kept.push(saver); // the bug: nobody awaits it or looks at its error
  await sleep(10);
  console.log('main returns');
}

async function collectGarbage(): Promise<void> {
  // Finalizers run on a later turn of the loop: collect, yield, until the report came.
  for (let i = 0; i < 50 && statistics().debug.reports.neverAwaited === 0; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function demo(): Promise<void> {
  configure({ logger: printer, slowCallbackDuration: 100 });
  await run(main, { debug: true });
  console.log('5. run() returned; collecting garbage');
  kept = [];
  await collectGarbage();
  const { reports } = statistics().debug;
  console.log(`reports: neverAwaited=${reports.neverAwaited} slowCallback=${reports.slowCallback} unretrievedError=${reports.unretrievedError}`);
}

// Workers load this module too (renderReport may run on one): the demo runs in the main thread only.
if (!inWorker()) demo();
