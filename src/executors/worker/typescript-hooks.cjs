'use strict';
// @ts-check
/**
 * The fallback TypeScript loader of a worker: Node's own module hooks, compiling each file
 * with the `typescript` package's `transpileModule` (one file at a time, no type check, the
 * same thing ts-jest's `isolatedModules` and ts-node's transpile-only do). A worker uses it
 * when it must load a `.ts` module and its parent ran no loader Node can see (jest + ts-jest
 * compiles inside jest's own module system) and tsx is not installed
 * (./load-typescript.cjs decides).
 *
 * It compiles what Node's type stripping cannot run (decorators of both kinds, enums,
 * parameter properties, namespaces), with the project's own settings: the nearest
 * tsconfig.json (`experimentalDecorators`, `emitDecoratorMetadata`, `esModuleInterop`, …);
 * only the module format is set here, per file, as Node decides it: `.cts` CommonJS, `.mts`
 * ES module, `.ts`/`.tsx` after the nearest package.json's `type`.
 *
 * How the hooks are installed:
 * - `module.registerHooks` (Node >= 22.15 / 23.5): synchronous, in-thread hooks that serve
 *   `require` and `import` alike;
 * - else (Node 20) `module.register` for `import()` (./typescript-esm-hooks.cjs, on Node's
 *   loader thread), and `require.extensions` for `require`: on Node 20 the hooks of
 *   `module.register` never see a `require`, nor the `require`s inside a CommonJS module
 *   they compiled, so CommonJS TypeScript is compiled where Node 20's CommonJS loader looks.
 *
 * Plain CommonJS: it runs before any TypeScript loader exists.
 */
const fs = require('node:fs');
const path = require('node:path');
const nodeModule = require('node:module');
const { fileURLToPath, pathToFileURL } = require('node:url');

/** TypeScript files this loader compiles. */
const TS_FILE = /\.[cm]?tsx?$/;

/**
 * What this file uses of the `typescript` package (structural: the worker side imports no
 * types from packages).
 * @typedef {{ options: Record<string, unknown> }} ParsedConfig
 * @typedef {{
 *   version: string,
 *   transpileModule(input: string, options: { fileName: string, compilerOptions: Record<string, unknown>, reportDiagnostics?: boolean }): { outputText: string },
 *   findConfigFile(searchPath: string, fileExists: (file: string) => boolean): string | undefined,
 *   readConfigFile(file: string, readFile: (file: string) => string | undefined): { config?: unknown, error?: unknown },
 *   parseJsonConfigFileContent(json: unknown, host: unknown, basePath: string): ParsedConfig,
 *   sys: { fileExists(file: string): boolean, readFile(file: string): string | undefined },
 *   ModuleKind: { CommonJS: number, ESNext: number },
 *   ScriptTarget: { ES2022: number },
 * }} TypeScriptApi
 * A module format as Node's hooks name it.
 * @typedef {'commonjs' | 'module'} Format
 * The synchronous hooks of `module.registerHooks` (not in @types/node 20).
 * @typedef {{ url: string, format?: string, shortCircuit?: boolean }} ResolveResult
 * @typedef {{ format: string, source?: string | Buffer, shortCircuit?: boolean }} LoadResult
 * @typedef {{ parentURL?: string, conditions?: string[] }} ResolveContext
 * @typedef {(specifier: string, context: ResolveContext, next: (specifier: string, context: ResolveContext) => ResolveResult) => ResolveResult} ResolveHook
 * @typedef {(url: string, context: { format?: string }, next: (url: string, context: { format?: string }) => LoadResult) => LoadResult} LoadHook
 * @typedef {(hooks: { resolve: ResolveHook, load: LoadHook }) => unknown} RegisterHooks
 * A module as Node's CommonJS loader hands it to a `require.extensions` handler.
 * @typedef {{ _compile(source: string, file: string): unknown }} CompilingModule
 */

/** Compiler options by tsconfig.json path ('' for none found). */
/** @type {Map<string, Record<string, unknown>>} */
const projectOptions = new Map();

/**
 * The project's compiler options for `file` (nearest tsconfig.json, `extends` followed),
 * minus those that do not apply to a one-file transpile.
 * @param {TypeScriptApi} ts
 * @param {string} file
 * @returns {Record<string, unknown>}
 */
function optionsFor(ts, file) {
  const config = ts.findConfigFile(path.dirname(file), ts.sys.fileExists) ?? '';
  let options = projectOptions.get(config);
  if (options === undefined) {
    options = {};
    if (config !== '') {
      const read = ts.readConfigFile(config, ts.sys.readFile);
      // Only the options are needed: a host that lists no directories skips expanding `include`.
      const host = { ...ts.sys, readDirectory: () => [] };
      if (read.config !== undefined) options = { ...ts.parseJsonConfigFileContent(read.config, host, path.dirname(config)).options };
    }
    // Emit settings of a whole-program build, and those that forbid the module format chosen here.
    for (const key of ['noEmit', 'declaration', 'composite', 'incremental', 'emitDeclarationOnly', 'verbatimModuleSyntax', 'moduleResolution', 'outDir', 'outFile', 'rootDir', 'sourceMap']) delete options[key];
    options.target ??= ts.ScriptTarget.ES2022;
    projectOptions.set(config, options);
  }
  return options;
}

/** Package folder -> its package.json `type` is "module". */
/** @type {Map<string, boolean>} */
const moduleTyped = new Map();

/**
 * Whether the nearest package.json above `dir` says `"type": "module"`.
 * @param {string} dir
 * @returns {boolean}
 */
function inModulePackage(dir) {
  const known = moduleTyped.get(dir);
  if (known !== undefined) return known;
  let answer = false;
  const manifest = path.join(dir, 'package.json');
  if (fs.existsSync(manifest)) {
    try {
      answer = JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
    } catch {
      answer = false;
    }
  } else if (path.dirname(dir) !== dir) {
    answer = inModulePackage(path.dirname(dir));
  }
  moduleTyped.set(dir, answer);
  return answer;
}

/**
 * The module format Node gives `file`: `.cts` CommonJS, `.mts` ES module, `.ts`/`.tsx` after
 * the nearest package.json's `type`.
 * @param {string} file
 * @returns {Format}
 */
function formatOf(file) {
  if (/\.cts$/.test(file)) return 'commonjs';
  if (/\.mts$/.test(file)) return 'module';
  return inModulePackage(path.dirname(file)) ? 'module' : 'commonjs';
}

/**
 * `file` compiled to JavaScript in `format`.
 * @param {TypeScriptApi} ts
 * @param {string} file
 * @param {Format} format
 * @returns {string}
 */
function compile(ts, file, format) {
  const compilerOptions = { ...optionsFor(ts, file), module: format === 'module' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS };
  return ts.transpileModule(fs.readFileSync(file, 'utf8'), { fileName: file, compilerOptions, reportDiagnostics: false }).outputText;
}

/**
 * What a relative specifier written in TypeScript may mean when Node finds nothing under
 * it: `./x.js` written for `./x.ts` (the ES module convention), or `./x` with no extension.
 * @param {string} specifier
 * @returns {string[]}
 */
function candidates(specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return [];
  const js = /\.([cm]?)js(x?)$/.exec(specifier);
  if (js) return [`${specifier.slice(0, -js[0].length)}.${js[1]}ts${js[2]}`];
  if (TS_FILE.test(specifier)) return [];
  return ['.ts', '.tsx', '.mts', '.cts', '/index.ts', '/index.tsx'].map((ending) => specifier + ending);
}

/**
 * Resolve `specifier` with `next`, falling back to the TypeScript files it may mean.
 * @param {string} specifier
 * @param {(specifier: string) => ResolveResult} next
 * @returns {ResolveResult}
 */
function resolveSync(specifier, next) {
  const tries = [specifier, ...candidates(specifier)];
  let failure;
  for (const attempt of tries) {
    try {
      return next(attempt);
    } catch (error) {
      failure ??= error;
    }
  }
  throw failure;
}

/** The `typescript` the hooks of this thread compile with, once registered. */
/** @type {TypeScriptApi | undefined} */
let installed;

/**
 * Install the hooks in this thread, compiling with the `typescript` package at `typescriptPath`
 * (a resolved path). Once per thread; later calls do nothing.
 * @param {string} typescriptPath
 * @returns {'registerHooks' | 'register'} the Node API that serves them
 */
function registerTypeScriptHooks(typescriptPath) {
  const registerHooks = /** @type {{ registerHooks?: RegisterHooks }} */ (/** @type {unknown} */ (nodeModule)).registerHooks;
  const api = typeof registerHooks === 'function' ? 'registerHooks' : 'register';
  if (installed !== undefined) return api;
  const ts = /** @type {TypeScriptApi} */ (require(typescriptPath));
  installed = ts;
  if (typeof registerHooks === 'function') {
    registerHooks({
      resolve: (specifier, context, next) => resolveSync(specifier, (s) => next(s, context)),
      load: (url, context, next) => {
        if (!url.startsWith('file:') || !TS_FILE.test(new URL(url).pathname)) return next(url, context);
        const file = fileURLToPath(url);
        const format = formatOf(file);
        return { format, source: compile(ts, file, format), shortCircuit: true };
      },
    });
    return api;
  }
  // Node 20: `require` through the CommonJS loader's extensions, `import()` through module.register.
  const extensions = /** @type {Record<string, (module: CompilingModule, file: string) => void>} */ (/** @type {unknown} */ (require.extensions));
  for (const ending of ['.ts', '.cts', '.mts', '.tsx']) {
    extensions[ending] = (module, file) => {
      if (formatOf(file) === 'module') {
        // run-call.cjs falls back to import() on this code, which module.register serves.
        throw Object.assign(new Error(`${file} is an ES module: load it with import()`), { code: 'ERR_REQUIRE_ESM' });
      }
      module._compile(compile(ts, file, 'commonjs'), file);
    };
  }
  nodeModule.register(pathToFileURL(path.join(__dirname, 'typescript-esm-hooks.cjs')).href, { data: { typescriptPath } });
  return api;
}

module.exports = { registerTypeScriptHooks, compile, formatOf, candidates, resolveSync, TS_FILE };
