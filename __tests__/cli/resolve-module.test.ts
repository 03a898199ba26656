/**
 * Resolving the module of `unsync inspect ./jobs#fn` (src/cli/resolve-module.ts) as Node's
 * `require` and tsx resolve a relative import.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveModule } from '../../src/cli/resolve-module';
import { UsageError } from '../../src/cli/usage-error';

describe('resolveModule', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-resolve-'));
  const write = (name: string, text = 'export {};\n'): string => {
    const file = path.join(root, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  write('exact.ts');
  write('only-ts.ts');
  write('both.ts');
  write('both.js');
  write('only-js.js');
  write('esm.mts');
  write('cjs.cts');
  write('plain.mjs');
  write('folder/index.ts');
  write('js-folder/index.js');
  write('pkg/package.json', JSON.stringify({ main: 'lib/entry.js' }));
  write('pkg/lib/entry.js');
  write('pkg-ts/package.json', JSON.stringify({ main: 'missing.js' }));
  write('pkg-ts/index.ts');
  write('dir-and-file.ts');
  write('dir-and-file/index.ts');
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  const cases: Array<[string, string]> = [
    ['./exact.ts', 'exact.ts'],
    ['./only-ts', 'only-ts.ts'],
    ['./both', 'both.ts'],
    ['./both.js', 'both.js'],
    ['./only-js', 'only-js.js'],
    ['./only-ts.js', 'only-ts.ts'],
    ['./esm', 'esm.mts'],
    ['./esm.mjs', 'esm.mts'],
    ['./cjs.cjs', 'cjs.cts'],
    ['./plain', 'plain.mjs'],
    ['./folder', 'folder/index.ts'],
    ['folder/', 'folder/index.ts'],
    ['./js-folder', 'js-folder/index.js'],
    ['./pkg', 'pkg/lib/entry.js'],
    ['./pkg-ts', 'pkg-ts/index.ts'],
    ['./dir-and-file', 'dir-and-file.ts'],
  ];
  it.each(cases)('finds %s at %s', (spec, expected) => {
    expect(resolveModule(spec, root)).toBe(path.join(root, expected));
  });

  it('takes absolute paths as they are', () => {
    expect(resolveModule(path.join(root, 'only-ts'), os.tmpdir())).toBe(path.join(root, 'only-ts.ts'));
  });

  it('lists every place it looked when nothing is there (exit code 1)', () => {
    let error: unknown;
    try {
      resolveModule('./folder/nope', root);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(1);
    const tried = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((ext) => `folder/nope${ext}`);
    expect((error as UsageError).message).toBe(`cannot find module './folder/nope' (looked for ${tried.join(', ')})`);
  });
});
