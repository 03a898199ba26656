/**
 * Finding the file a CLI target names, the way Node's `require` and tsx resolve a relative
 * import: the path as given, then with an extension, then as a folder's index file; and,
 * as tsx does, a `.js`-family path that does not exist finds its TypeScript source
 * (`./jobs.js` → `./jobs.ts`), the spelling TypeScript's own ES module imports use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './usage-error';

/**
 * Extensions tried for an extensionless path, in order. TypeScript first, as tsx does when
 * `jobs.ts` and a compiled `jobs.js` sit side by side.
 */
export const MODULE_EXTENSIONS: readonly string[] = Object.freeze(['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs']);

const JS_TO_TS: Readonly<Record<string, readonly string[]>> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/**
 * The absolute path of the module `spec` names, resolved from `cwd`, or a
 * {@link UsageError} (exit code 1) listing every place it looked.
 */
export function resolveModule(spec: string, cwd: string): string {
  const base = path.resolve(cwd, spec);
  const tried: string[] = [];
  const found = (file: string): boolean => {
    tried.push(file);
    return isFile(file);
  };
  if (found(base)) return base;
  const ext = path.extname(base);
  for (const tsExt of JS_TO_TS[ext] ?? []) {
    const file = base.slice(0, -ext.length) + tsExt;
    if (found(file)) return file;
  }
  for (const extension of MODULE_EXTENSIONS) if (found(base + extension)) return base + extension;
  if (isDirectory(base)) {
    const main = packageMain(base);
    if (main !== undefined && found(main)) return main;
    for (const extension of MODULE_EXTENSIONS) {
      const file = path.join(base, `index${extension}`);
      if (found(file)) return file;
    }
  }
  const shown = tried.map((file) => path.relative(cwd, file) || '.');
  throw new UsageError(`cannot find module '${spec}' (looked for ${shown.join(', ')})`, 1);
}

/** A folder's package.json `main`, as a path, when it has one. */
function packageMain(dir: string): string | undefined {
  try {
    const main = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { main?: unknown }).main;
    return typeof main === 'string' && main !== '' ? path.resolve(dir, main) : undefined;
  } catch {
    return undefined;
  }
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}

function isDirectory(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isDirectory() === true;
}
