'use strict';
// @ts-check
/**
 * Which TypeScript loader a worker (thread or child) uses to load a `.ts` module, and the
 * one-line explanation when a module cannot be loaded. The parent says how it runs
 * TypeScript (src/executors/typescript-loader.ts: a thread session's `tsLoader`, a child's
 * `UNSYNC_TS_LOADER`); the worker follows it:
 *
 * | parent        | worker tries, in order                                                 |
 * |---------------|------------------------------------------------------------------------|
 * | `tsx`         | tsx, then the `typescript` fallback                                    |
 * | `ts-node`     | ts-node (transpile-only), then tsx, then the fallback                  |
 * | `native`      | Node's type stripping (nothing to register), then tsx, then the fallback |
 * | `typescript`  | the fallback                                                           |
 * | none (jest)   | tsx, then the fallback, then Node's type stripping                     |
 *
 * A require hook already present in the worker (the parent's `--import tsx`, `-r
 * ts-node/register`, which threads and children inherit) is used as it is. The fallback is
 * ./typescript-hooks.cjs: the `typescript` package through `module.registerHooks`. Each
 * loader is resolved from the target module's folder first, then the working directory,
 * then unsync's own folder.
 *
 * Plain CommonJS: it runs before any TypeScript loader exists.
 */
const fs = require('node:fs');
const path = require('node:path');
const { registerTypeScriptHooks, TS_FILE } = require('./typescript-hooks.cjs');

/**
 * A loader's name as the parent sends it, or what the worker ended up with.
 * @typedef {'tsx' | 'ts-node' | 'typescript' | 'native' | 'inherited' | 'none'} LoaderInUse
 * A thrown value, read for its `message`, `code` and `name` when it has them.
 * @typedef {{ message?: unknown, code?: unknown, name?: unknown }} Thrown
 */

/** Node's own type stripping, when this Node has it on (`process.features.typescript`). */
const nativeStripping = () => Boolean(/** @type {{ typescript?: unknown }} */ (process.features).typescript);

/**
 * Register one loader; throws when it is not installed (code MODULE_NOT_FOUND) or fails.
 * @type {Record<string, (paths: string[]) => void>}
 */
const REGISTER = {
  tsx: (paths) => require(require.resolve('tsx/cjs/api', { paths })).register(),
  'ts-node': (paths) => require(require.resolve('ts-node', { paths })).register({ transpileOnly: true }),
  typescript: (paths) => registerTypeScriptHooks(require.resolve('typescript', { paths })),
  native: () => {
    if (!nativeStripping()) throw new Error(`Node ${process.version} does not strip types`);
  },
};

/** @type {Record<string, string[]>} */
const ORDER = {
  tsx: ['tsx', 'typescript'],
  'ts-node': ['ts-node', 'tsx', 'typescript'],
  native: ['native', 'tsx', 'typescript'],
  typescript: ['typescript'],
  none: ['tsx', 'typescript', 'native'],
};

/** What the parent runs under (see the table above); `none` when it did not say. */
let preferred = process.env.UNSYNC_TS_LOADER ?? 'none';
/** The loader this thread registered or found, once it needed one. */
/** @type {LoaderInUse | undefined} */
let inUse;

/**
 * The TypeScript loader the parent runs under, when it told us (a thread session's
 * `tsLoader`; a child reads `UNSYNC_TS_LOADER`).
 * @param {string | undefined} name
 */
function preferLoader(name) {
  if (name !== undefined) preferred = name;
}

/**
 * Make sure `file` can be loaded: for a TypeScript file with no loader yet in this thread,
 * register one (see the table above). Throws an error with code `UNSYNC_NO_TS_LOADER` when
 * none can be registered.
 * @param {string} file
 */
function ensureTypeScript(file) {
  if (inUse !== undefined || !TS_FILE.test(file)) return;
  // (jest's module-scoped `require` may lack `extensions`: the CLI's loader runs there in tests.)
  if (require.extensions !== undefined && require.extensions['.ts'] !== undefined) {
    inUse = 'inherited';
    return;
  }
  const paths = [path.dirname(file), process.cwd(), __dirname];
  /** @type {string[]} */
  const attempts = [];
  for (const name of ORDER[preferred] ?? ORDER.none) {
    try {
      REGISTER[name](paths);
      inUse = /** @type {LoaderInUse} */ (name);
      return;
    } catch (error) {
      const thrown = /** @type {Thrown | undefined} */ (error);
      const missing = thrown && thrown.code === 'MODULE_NOT_FOUND' && String(thrown.message).includes(`'${name === 'tsx' ? 'tsx/cjs/api' : name}'`);
      attempts.push(`${name}: ${missing ? 'not installed' : firstLine(thrown && thrown.message)}`);
    }
  }
  throw Object.assign(
    new Error(`no TypeScript loader for ${path.basename(file)} (${attempts.join('; ')}): install tsx (\`npm install --save-dev tsx\`) or typescript, run on Node >= 22.18, or compile to JavaScript`),
    { code: 'UNSYNC_NO_TS_LOADER' },
  );
}

/**
 * The loader this thread uses for TypeScript: `none` until a `.ts` module needed one.
 * @returns {LoaderInUse}
 */
function loaderInUse() {
  return inUse ?? 'none';
}

/**
 * The first line of a message (a loader's message can carry a code frame below it).
 * @param {unknown} message
 * @returns {string}
 */
function firstLine(message) {
  return String(message).split('\n').find((line) => line.trim() !== '') ?? String(message);
}

/** A decorator at the start of a line (`@unsync`, `@unsync.thread()`, `@Injectable()`). */
const DECORATOR = /^\s*(export\s+)?@[A-Za-z_$][\w$.]*/m;

/**
 * Whether `file` holds decorators (read only to explain a syntax error).
 * @param {string} file
 * @returns {boolean}
 */
function hasDecorators(file) {
  try {
    return DECORATOR.test(fs.readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** The fixes for TypeScript syntax that needs a transform, named in the error. */
const TRANSFORM_FIX =
  'Node strips types but does not transform code: use the `unsync(fn)` form instead of decorators (or plain code instead of enums, namespaces and parameter properties), run with tsx (`npx tsx app.ts`), or compile with tsc';

/**
 * Why `file` could not be loaded, in one line that names the fix: no loader, TypeScript
 * syntax Node's type stripping cannot run, or the module's own error (first line).
 * @param {unknown} error what loading threw
 * @param {string} file
 * @returns {string}
 */
function describeLoadFailure(error, file) {
  const thrown = /** @type {Thrown | undefined} */ (error);
  const code = thrown && thrown.code;
  const message = firstLine(thrown && thrown.message);
  if (code === 'UNSYNC_NO_TS_LOADER') return message;
  if (code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX') {
    return `it uses TypeScript syntax that Node's type stripping cannot run (${message}). ${TRANSFORM_FIX}`;
  }
  if (code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING') {
    return `Node does not strip types of files under node_modules (${message}): compile the package to JavaScript, or run with tsx`;
  }
  if (inUse === 'native' && thrown && thrown.name === 'SyntaxError' && hasDecorators(file)) {
    return `it uses decorators, which Node's type stripping cannot run (${message}). ${TRANSFORM_FIX}`;
  }
  return message;
}

module.exports = { ensureTypeScript, preferLoader, loaderInUse, describeLoadFailure };
