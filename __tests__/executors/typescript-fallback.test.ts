/**
 * unsync's own TypeScript loader for workers: the `typescript` package through Node's
 * module hooks (`module.registerHooks` on Node >= 22.15, `require.extensions` plus
 * `module.register` on Node 20), which a worker uses when its parent runs no loader Node can
 * see (jest + ts-jest) and tsx is not installed. tsx is installed here, so this file chooses
 * the fallback with `UNSYNC_TS_LOADER=typescript`, read when each pool starts: the thread
 * pool passes it in each session, children inherit it. CI runs this folder on Node 20, 22,
 * 24 and 26, so both hook APIs are covered. The consumer matrix (__tests__/consumers/) runs
 * the same fallback from an installed tarball under jest without tsx.
 */
import * as path from 'node:path';
import { ModuleLoadError, LocateError, ProcessExecutor, ThreadExecutor, isModuleLoadError, type Executor } from '../../src/executors';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const TRANSFORM = path.join(FIXTURES, 'transform-functions.ts');
const ESM = path.join(FIXTURES, 'esm-typescript.mts');
const BROKEN = path.join(FIXTURES, 'broken-module.ts');
const { describeLoadFailure } = require('../../src/executors/worker/load-typescript.cjs') as { describeLoadFailure(error: unknown, file: string): string };

const before = process.env.UNSYNC_TS_LOADER;
beforeAll(() => {
  process.env.UNSYNC_TS_LOADER = 'typescript';
});
afterAll(() => {
  if (before === undefined) delete process.env.UNSYNC_TS_LOADER;
  else process.env.UNSYNC_TS_LOADER = before;
});

describe.each<[string, () => Executor]>([
  ['thread', () => new ThreadExecutor({ maxWorkers: 1 })],
  ['process', () => new ProcessExecutor({ maxWorkers: 1 })],
])('the typescript fallback on the %s pool', (_kind, make) => {
  let pool: Executor;
  beforeAll(() => {
    pool = make();
  });
  afterAll(() => pool.close());

  it('compiles enums, namespaces, parameter properties and decorators with the project tsconfig', async () => {
    expect(await pool.submit({ file: TRANSFORM, name: 'workerLoader' }, [])).toBe('typescript');
    expect(await pool.submit({ file: TRANSFORM, name: 'toUnit' }, [2500, 1000])).toBe(2.5);
    expect(await pool.submit({ file: TRANSFORM, name: 'Ruler.measure' }, [25])).toBe('2.5 cm (measure)');
  });

  it('loads a TypeScript ES module whose import names its sibling .mts as .mjs', async () => {
    expect(await pool.submit({ file: ESM, name: 'cube' }, [3])).toBe(27);
  });

  it('reports a module that throws while loading as one ModuleLoadError naming the loader', async () => {
    const error = await pool.submit({ file: BROKEN, name: 'neverReached' }, []).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModuleLoadError);
    expect(error).toBeInstanceOf(LocateError);
    const loadError = error as ModuleLoadError;
    expect(isModuleLoadError(loadError)).toBe(true);
    expect({ loader: loadError.loader, file: loadError.file, qualifiedName: loadError.qualifiedName }).toEqual({ loader: 'typescript', file: BROKEN, qualifiedName: 'neverReached' });
    expect(loadError.message.split('\n')).toEqual([expect.stringMatching(/^the module .*broken-module\.ts could not be loaded in a (thread|process) worker: broken-module refuses to load in a worker$/)]);
    expect((loadError.cause as Error).message).toBe('broken-module refuses to load in a worker');
  });
});

describe('describeLoadFailure', () => {
  it('names the fixes when Node type stripping meets syntax that needs a transform', () => {
    const stripped = Object.assign(new SyntaxError('TypeScript enum is not supported in strip-only mode\n  > 1 | enum A {}'), { code: 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' });
    expect(describeLoadFailure(stripped, TRANSFORM)).toBe(
      "it uses TypeScript syntax that Node's type stripping cannot run (TypeScript enum is not supported in strip-only mode). Node strips types but does not transform code: use the `unsync(fn)` form instead of decorators (or plain code instead of enums, namespaces and parameter properties), run with tsx (`npx tsx app.ts`), or compile with tsc",
    );
  });

  it('keeps the first line of any other loader error', () => {
    expect(describeLoadFailure(new Error('\nUnexpected token (3:4)\n  at parse (internal)'), TRANSFORM)).toBe('Unexpected token (3:4)');
  });
});
