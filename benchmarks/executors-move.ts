/**
 * `move()`: a 64 MiB ArrayBuffer to a thread call and back, copied against moved, beside
 * piscina used directly (copy, and `Piscina.move`) in the same run (issue 14, "Moving
 * instead of copying"). Each round trip sends the buffer to the worker, which returns it.
 *
 *   npx tsx benchmarks/executors-move.ts [--quick] [--markdown]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { ThreadExecutor, inWorker, unsyncRegister } from '../src/executors';
import { move } from '../src/core/move';
import { interleave, machine, ratio, timed } from './lib/measure';

/** Returns what it was given; moved back when the caller moved it here. */
export function echo(buffer: ArrayBuffer, moveBack: boolean): ArrayBuffer {
  return moveBack ? move(buffer) : buffer;
}
const echoRef = unsyncRegister(echo);

const QUICK = process.argv.includes('--quick');
const SIZE = 64 * 1024 * 1024;
const TRIPS = QUICK ? 4 : 10;
const ROUNDS = QUICK ? 3 : 7;

const HANDLER = `const { Piscina } = require(${JSON.stringify(require.resolve('piscina'))});
module.exports = (buffer) => buffer;
module.exports.moveBack = (buffer) => Piscina.move(buffer);
`;

async function main(): Promise<void> {
  const markdown = process.argv.includes('--markdown');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-bench-'));
  const handler = path.join(dir, 'echo.cjs');
  fs.writeFileSync(handler, HANDLER);
  const pool = new ThreadExecutor({ minWorkers: 1, maxWorkers: 1 });
  const piscina = new Piscina({ filename: handler, minThreads: 1, maxThreads: 1 });
  let buffer = new ArrayBuffer(SIZE);
  const check = (b: ArrayBuffer): ArrayBuffer => {
    if (b.byteLength !== SIZE) throw new Error(`expected ${SIZE} bytes back, got ${b.byteLength}`);
    return b;
  };
  const trips = (one: () => Promise<ArrayBuffer>) => () =>
    timed(async () => {
      for (let i = 0; i < TRIPS; i++) buffer = check(await one());
    });
  const figures = await interleave(
    {
      'unsync, copied': trips(() => pool.submit<ArrayBuffer>(echoRef, [buffer, false])),
      'unsync, move()': trips(() => pool.submit<ArrayBuffer>(echoRef, [move(buffer), true])),
      'piscina, copied': trips(() => piscina.run(buffer)),
      'piscina, Piscina.move': trips(() => piscina.run(Piscina.move(buffer), { name: 'moveBack' })),
    },
    ROUNDS,
    1,
  );
  const per = (name: string): number => figures[name]! / TRIPS;
  const rows = Object.keys(figures).map((name) => `| ${name} | ${per(name).toFixed(2)} | ${ratio(per(name), per('unsync, move()'))} |`);
  const out = [
    `Round trip of a 64 MiB ArrayBuffer to a thread and back (median of ${ROUNDS} rounds of ${TRIPS} trips, one thread; ${machine()}):`,
    '',
    '| contender | ms per round trip | vs unsync move() |',
    '|---|---:|---:|',
    ...rows,
  ].join('\n');
  console.log(out);
  if (!markdown) console.log(`\nmove() is ${ratio(per('unsync, copied'), per('unsync, move()'))} faster than a copy`);
  await pool.close();
  await piscina.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

if (!inWorker()) void main();
