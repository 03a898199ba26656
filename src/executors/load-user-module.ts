/**
 * Loading a user's module into this process the way workers load one: a TypeScript file
 * first gets a loader when the process has none (tsx when installed, else the `typescript`
 * fallback, else Node's type stripping: ./worker/load-typescript.cjs), then CommonJS
 * `require`, and `import()` for an ES module. The CLI's targets (`npx unsync bench
 * ./jobs#fn`) and a remote worker's modules (`npx unsync worker ./jobs.ts`) load here: the
 * built CLI runs as plain JavaScript, with no loader of its own.
 */
import { pathToFileURL } from 'node:url';
import { ModuleLoadError } from '../core/executor-errors';
import { describeLoadFailure, ensureTypeScript, loaderInUse } from './worker/load-typescript.cjs';

/**
 * Load `file` (an absolute path) and resolve with its exports. Rejects with
 * `ModuleLoadError` when no loader can run it, when Node's type stripping cannot (the
 * message names the fix), or when its top-level code throws (`cause`: that error).
 */
export async function loadUserModule(file: string): Promise<unknown> {
  try {
    ensureTypeScript(file);
    return await requireOrImport(file);
  } catch (error) {
    throw new ModuleLoadError(`cannot load ${file}: ${loadFailureReason(error, file)}`, { cause: error, file, loader: loaderInUse() });
  }
}

/**
 * Why loading `file` failed, in one line: for TypeScript that Node's type stripping cannot
 * run (or no loader at all), the workers' explanation and fix; otherwise the error's first
 * line.
 */
export function loadFailureReason(error: unknown, file: string): string {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  const explained =
    (typeof code === 'string' && (code.startsWith('ERR_UNSUPPORTED_') || code === 'UNSYNC_NO_TS_LOADER')) || (loaderInUse() === 'native' && name === 'SyntaxError');
  return explained ? describeLoadFailure(error, file) : oneLine(error);
}

/**
 * The first line of an error, plus the next one when the first only announces it (esbuild's
 * `Transform failed with 1 error:` is followed by the file, position and message).
 */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const first = lines[0] ?? '';
  return first.endsWith(':') && lines.length > 1 ? `${first} ${lines[1]}` : first;
}

/** CommonJS `require` first (tsx, ts-node and jest hook it), `import()` for an ES module. */
export async function requireOrImport(file: string): Promise<unknown> {
  try {
    return require(file) as unknown;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_REQUIRE_ESM') throw error;
    return (await import(pathToFileURL(file).href)) as unknown;
  }
}
