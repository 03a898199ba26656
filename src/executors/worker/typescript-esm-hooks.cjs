'use strict';
// @ts-check
/**
 * The `module.register` hooks of the fallback TypeScript loader on Node without
 * `module.registerHooks` (Node 20): they run on Node's loader thread and serve `import()` of
 * TypeScript ES modules (`.mts`, `.ts` under `"type": "module"`), compiled with the
 * `typescript` package whose path ./typescript-hooks.cjs passes as `data`. A TypeScript file
 * that is CommonJS is left to Node's CommonJS loader (format `commonjs`, no source), where
 * ./typescript-hooks.cjs compiles it through `require.extensions`.
 */
const { fileURLToPath } = require('node:url');
const { candidates, compile, formatOf, TS_FILE } = require('./typescript-hooks.cjs');

/**
 * @typedef {import('./typescript-hooks.cjs').TypeScriptApi} TypeScriptApi
 * @typedef {import('./typescript-hooks.cjs').ResolveResult} ResolveResult
 * @typedef {import('./typescript-hooks.cjs').LoadResult} LoadResult
 * @typedef {import('./typescript-hooks.cjs').ResolveContext} ResolveContext
 */

/** @type {TypeScriptApi | undefined} */
let ts;

/**
 * Called by Node with the `data` given to `module.register`.
 * @param {{ typescriptPath: string }} data
 */
function initialize(data) {
  ts = require(data.typescriptPath);
}

/**
 * Resolve as Node does; when that finds nothing, the TypeScript files a relative specifier
 * may mean (`./x.js` for `./x.ts`, `./x` with no extension).
 * @param {string} specifier
 * @param {ResolveContext} context
 * @param {(specifier: string, context: ResolveContext) => Promise<ResolveResult>} next
 * @returns {Promise<ResolveResult>}
 */
async function resolve(specifier, context, next) {
  let failure;
  for (const attempt of [specifier, ...candidates(specifier)]) {
    try {
      return await next(attempt, context);
    } catch (error) {
      failure ??= error;
    }
  }
  throw failure;
}

/**
 * Compile a TypeScript ES module; hand a CommonJS one to the CommonJS loader.
 * @param {string} url
 * @param {{ format?: string }} context
 * @param {(url: string, context: { format?: string }) => Promise<LoadResult>} next
 * @returns {Promise<LoadResult>}
 */
async function load(url, context, next) {
  if (ts === undefined || !url.startsWith('file:') || !TS_FILE.test(new URL(url).pathname)) return next(url, context);
  const file = fileURLToPath(url);
  const format = formatOf(file);
  if (format === 'commonjs') return { format, shortCircuit: true };
  return { format, source: compile(ts, file, format), shortCircuit: true };
}

module.exports = { initialize, resolve, load };
