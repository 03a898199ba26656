/**
 * Where was this registration made? Read with V8's structured call-site API
 * (`Error.captureStackTrace` + a temporary `Error.prepareStackTrace` returning the
 * `CallSite` objects), never by parsing `err.stack` text, which source maps and test
 * runners rewrite.
 */
import Module from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The frame that registered a function, outside unsync's own code. */
export interface RegistrationSite {
  /** Absolute path of the module whose code made the registration. */
  readonly file: string | undefined;
  readonly line: number;
  readonly column: number;
  /** True when the frame is module top-level code (or a class static block / decorator helper in it). */
  readonly topLevel: boolean;
  /** The enclosing function's name when it is not top level. */
  readonly enclosing: string | undefined;
  /** True when the registration came from `eval` / `new Function` code. */
  readonly dynamic: boolean;
}

// unsync's own folders: src/ and decorators/ next to this package's root (the repo, or dist/).
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
const INTERNAL_DIRS = [path.join(PACKAGE_ROOT, 'src') + path.sep, path.join(PACKAGE_ROOT, 'decorators') + path.sep];

// Helpers TypeScript, esbuild (tsx) and Babel emit to apply decorators: frames to look through.
const DECORATOR_HELPER = /^(?:__decorate|__esDecorate|__runInitializers|__decorateClass|__decorateElement|__decorateParam|__setFunctionName|_applyDecs\w*|_decorate)$/;

// reflect-metadata's `Reflect.decorate`, which TypeScript's legacy `__decorate` calls when the
// package is loaded: `decorate` -> `DecorateProperty`/`DecorateConstructor` -> the decorator.
// Also looked through; `decorate` only right after one of the other two (it is a common name).
const REFLECT_METADATA_FILE = /[\\/]node_modules[\\/]reflect-metadata[\\/]/;
const REFLECT_DECORATE_STEP = /^(?:DecorateProperty|DecorateConstructor)$/;

function isDecoratorPlumbing(site: NodeJS.CallSite, previous: NodeJS.CallSite | undefined): boolean {
  const name = site.getFunctionName() ?? '';
  if (DECORATOR_HELPER.test(name) || REFLECT_DECORATE_STEP.test(name)) return true;
  if (REFLECT_METADATA_FILE.test(site.getFileName() ?? '')) return true;
  return name === 'decorate' && REFLECT_DECORATE_STEP.test(previous?.getFunctionName() ?? '');
}

/** Normalise a call-site file name (a path or a `file://` URL) to an absolute path. */
export function normaliseFile(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : path.resolve(file);
}

function isInternal(file: string | null | undefined): boolean {
  if (!file) return false;
  const f = file.startsWith('file://') ? fileURLToPath(file) : file;
  return INTERNAL_DIRS.some((dir) => f.startsWith(dir)) || f.includes(`${path.sep}node_modules${path.sep}tslib${path.sep}`);
}

function isTopLevelName(name: string | null): boolean {
  // CommonJS module wrapper and ESM top level have no name; jest's wrapper shows as
  // `Object.<anonymous>`; a class static block is `<static_initializer>`.
  return !name || name.includes('<anonymous>') || name === '<static_initializer>';
}

/** The structured frames of the current stack, above `below`. */
export function captureCallSites(below: Function, limit = 30): NodeJS.CallSite[] {
  const previousPrepare = Error.prepareStackTrace;
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, below);
    return holder.stack ?? [];
  } finally {
    Error.prepareStackTrace = previousPrepare;
    Error.stackTraceLimit = previousLimit;
  }
}

/** Frames findRegistrationSite reads; a stack this deep may have lost its bottom frames. */
const CAPTURED_SITES = 30;

/**
 * Nothing is below the registering frame: ES module top level (after a top-level `await`),
 * or the continuation of an async function after an `await`. A CommonJS module's top level
 * always has the loader below it, so in a module Node loaded as CommonJS (it is in Node's
 * module cache) it is the continuation. Unknown (treated as top level) when the stack may be
 * cut short, or for modules loaded by others (jest's own registry, ES modules).
 */
function asyncContinuation(file: string, depth: number): boolean {
  if (depth >= CAPTURED_SITES) return false;
  const cache = (Module as unknown as { _cache?: Record<string, unknown> })._cache;
  return cache?.[normaliseFile(file)] !== undefined;
}

// Frames of the code that loads modules: what sits right below module top-level code.
const LOADER_FILE = /^node:internal\/modules\/|[\\/]node_modules[\\/](?:jest-runtime|tsx|ts-node|pirates|esbuild-register|@swc[\\/]register)[\\/]/;
const LOADER_FUNCTION = /Module\._compile|Module\._extensions|Module\.load|ModuleJob\.run|_execModule/;

function isLoaderFrame(site: NodeJS.CallSite): boolean {
  return LOADER_FILE.test(site.getFileName() ?? '') || LOADER_FUNCTION.test(site.getFunctionName() ?? '');
}

/**
 * The registration site: the first frame above `below` that is not unsync's own code nor
 * decorator plumbing (compilers' helpers, reflect-metadata's `Reflect.decorate`). It is top
 * level when, going down the stack through anonymous frames of the same file (the module
 * wrapper, a top-level IIFE, a class static block), the next frame is the module loader
 * (or nothing, for ES module top level). `undefined` when no such frame exists.
 */
export function findRegistrationSite(below: Function): RegistrationSite | undefined {
  const sites = captureCallSites(below, CAPTURED_SITES);
  let i = 0;
  while (i < sites.length && isInternal(sites[i]!.getFileName())) i++;
  while (i < sites.length && isDecoratorPlumbing(sites[i]!, sites[i - 1])) i++;
  const site = sites[i];
  if (site === undefined) return undefined;
  const raw = site.getFileName() ?? undefined;
  const dynamic = site.isEval() || raw === undefined || raw === '';
  const file = dynamic || raw.startsWith('node:') ? undefined : normaliseFile(raw);
  let enclosing: string | undefined;
  let topLevel = false;
  if (!dynamic) {
    let j = i;
    while (j < sites.length && sites[j]!.getFileName() === raw && isTopLevelName(sites[j]!.getFunctionName())) j++;
    const next = sites[j];
    if (j === i) enclosing = `function \`${site.getFunctionName()}\``;
    else if (next !== undefined ? isLoaderFrame(next) : !asyncContinuation(raw, sites.length)) topLevel = true;
    else if (next === undefined) enclosing = 'an anonymous async function, after an `await`';
    else enclosing = `an anonymous function called by ${next.getFunctionName() ?? 'anonymous code'}`;
  }
  return {
    file,
    line: site.getLineNumber() ?? 0,
    column: site.getColumnNumber() ?? 0,
    topLevel,
    enclosing,
    dynamic,
  };
}
