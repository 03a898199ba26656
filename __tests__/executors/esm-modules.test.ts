/**
 * Functions defined in ES modules. The worker `require`s a module first; a module with
 * top-level await cannot be required (ERR_REQUIRE_ASYNC_MODULE; on Node before 20.19 every
 * ES module gives ERR_REQUIRE_ESM), so the bootstrap falls back to `import()`, then finds
 * the function among the module's exports. Both pools, both fixtures (plain and top-level
 * await), through the executor and through `toThread` / `toProcess` with the registration an
 * ES module caller uses (docs/executors.md, "ES modules").
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ProcessExecutor, ThreadExecutor, unsyncRegister, type Executor } from '../../src/executors';
import { shutdown } from '../../src/runtime/shutdown';
import { toProcess } from '../../src/runtime/to-process';
import { toThread } from '../../src/runtime/to-thread';

const PLAIN = path.join(__dirname, '..', 'fixtures', 'esm-functions.mjs');
const AWAITING = path.join(__dirname, '..', 'fixtures', 'esm-tla-functions.mjs');

/*
 * What an ES module program does for a function of a plain ES module (one that does not
 * register itself): register the imported function with the module's URL. jest runs this
 * file as CommonJS and cannot import the .mjs fixture, so stand-ins with the exported names
 * take the imported functions' place here; their bodies never run (the worker runs the
 * module's own export).
 */
function triple(_x: number): number {
  throw new Error('the stand-in ran in the caller');
}
function scale(_x: number): number {
  throw new Error('the stand-in ran in the caller');
}
unsyncRegister(triple, { file: pathToFileURL(PLAIN).href });
unsyncRegister(scale, { file: pathToFileURL(AWAITING).href });

afterAll(() => shutdown());

describe.each<[string, () => Executor]>([
  ['thread', () => new ThreadExecutor({ maxWorkers: 1 })],
  ['process', () => new ProcessExecutor({ maxWorkers: 1 })],
])('ES modules on the %s pool', (_kind, make) => {
  let pool: Executor;
  beforeAll(() => {
    pool = make();
  });
  afterAll(() => pool.close());

  it('loads a plain .mjs module with import() and runs its exported functions and static methods', async () => {
    expect(await pool.submit({ file: PLAIN, name: 'triple' }, [14])).toBe(42);
    expect(await pool.submit({ file: PLAIN, name: 'whereFrom' }, [])).toEqual({ commonJs: false, file: 'esm-functions.mjs' });
    expect(await pool.submit({ file: PLAIN, name: 'Units.toCm' }, [10])).toBe(25.4);
  });

  it('waits for a module with top-level await before running its named and default exports', async () => {
    expect(await pool.submit({ file: AWAITING, name: 'scale' }, [4.2])).toBe(42);
    expect(await pool.submit({ file: AWAITING, name: 'default' }, [])).toBe('top-level await done: factor 10');
  });
});

describe('ES modules through toThread and toProcess', () => {
  it('runs a function registered with its ES module URL on a thread and in a child process', async () => {
    const onThread = toThread(triple, 5);
    const inChild = toProcess(scale, 5);
    expect([onThread.executor, inChild.executor]).toEqual(['thread', 'process']);
    expect(await Promise.all([onThread, inChild])).toEqual([15, 50]);
  });
});
