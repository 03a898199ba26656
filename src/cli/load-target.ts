/**
 * Loading `<module>#<export>` for the CLI, with the same loader logic as the workers'
 * bootstrap (src/executors/bootstrap.cjs): a TypeScript file gets `tsx/cjs/api` (then
 * ts-node) registered when no loader is present; CommonJS `require` first, `import()` for
 * ES modules. Every failure becomes a one-line {@link UsageError}.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TargetSpec } from './args';
import { UsageError } from './usage-error';

const TYPESCRIPT = /\.[cm]?tsx?$/;

/** The function named by `spec`, loaded from the module (paths resolve from `cwd`). */
export async function loadTarget(spec: TargetSpec, cwd = process.cwd()): Promise<Function> {
  const file = path.resolve(cwd, spec.module);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`cannot find module '${spec.module}' (looked for ${file})`, 1);
  ensureTypeScriptLoader(file);
  let exports: unknown;
  try {
    exports = await loadModule(file);
  } catch (error) {
    throw new UsageError(`cannot load module '${spec.module}': ${oneLine(error)}`, 1);
  }
  const value = lookup(exports, spec.exportName);
  if (value === undefined) {
    const names = exports !== null && typeof exports === 'object' ? Object.keys(exports).filter((k) => k !== '__esModule') : [];
    throw new UsageError(
      `module '${spec.module}' has no export '${spec.exportName}'${names.length > 0 ? ` (it exports: ${names.slice(0, 12).join(', ')})` : ''}`,
      1,
    );
  }
  if (typeof value !== 'function') {
    throw new UsageError(`export '${spec.exportName}' of '${spec.module}' is not a function (it is ${describe(value)})`, 1);
  }
  return value;
}

async function loadModule(file: string): Promise<unknown> {
  try {
    return require(file) as unknown;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_REQUIRE_ESM') throw error;
    return (await import(pathToFileURL(file).href)) as unknown;
  }
}

/** `name` or `Class.member` inside the exports (also under `default`). */
function lookup(exports: unknown, name: string): unknown {
  const parts = name.split('.');
  for (const root of [exports, (exports as { default?: unknown } | null)?.default]) {
    let value: unknown = root;
    for (const part of parts) {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
        value = undefined;
        break;
      }
      value = (value as Record<string, unknown>)[part];
    }
    if (value !== undefined) return value;
  }
  return undefined;
}

let loaderRegistered = false;

/** Register a TypeScript loader when `file` needs one and none is present (as bootstrap.cjs does). */
function ensureTypeScriptLoader(file: string): void {
  if (loaderRegistered || !TYPESCRIPT.test(file) || require.extensions['.ts'] !== undefined) return;
  const paths = [path.dirname(file), __dirname, process.cwd()];
  try {
    (require(require.resolve('tsx/cjs/api', { paths })) as { register(): void }).register();
    loaderRegistered = true;
    return;
  } catch {
    // fall through to ts-node
  }
  try {
    (require(require.resolve('ts-node', { paths })) as { register(o: object): void }).register({ transpileOnly: true });
    loaderRegistered = true;
  } catch {
    throw new UsageError(`cannot load '${file}': no TypeScript loader found (install tsx)`, 1);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.split('\n')[0]!.trim();
}
