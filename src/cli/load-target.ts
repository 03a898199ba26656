/**
 * Loading `<module>#<export>` for the CLI, with the workers' own loader logic
 * (src/executors/worker/load-typescript.cjs): a TypeScript file gets tsx, else the
 * `typescript` fallback, else Node's type stripping, when no loader is present; CommonJS
 * `require` first, `import()` for ES modules. Every failure becomes a one-line
 * {@link UsageError}.
 */
import { loadFailureReason, requireOrImport } from '../executors/load-user-module';
import { ensureTypeScript } from '../executors/worker/load-typescript.cjs';
import type { TargetSpec } from './args';
import { resolveModule } from './resolve-module';
import { UsageError } from './usage-error';

/**
 * The function named by `spec`, loaded from the module (resolved from `cwd` as Node and tsx
 * resolve an import, see {@link resolveModule}).
 * `Class.method` names a static method; with `instanceMethods` (what `inspect` allows) it
 * may also name an instance method, found on the class's prototype. A class itself, or an
 * instance method where one is not allowed, is refused with a hint.
 */
export async function loadTarget(spec: TargetSpec, cwd = process.cwd(), { instanceMethods = false } = {}): Promise<Function> {
  const file = resolveModule(spec.module, cwd);
  ensureTypeScriptLoader(file);
  let exports: unknown;
  try {
    exports = await requireOrImport(file);
  } catch (error) {
    // TypeScript that Node's type stripping cannot run gets the workers' explanation and fix.
    throw new UsageError(`cannot load module '${spec.module}': ${loadFailureReason(error, file)}`, 1);
  }
  let value = lookup(exports, spec.exportName);
  if (value === undefined) {
    const instance = instanceMember(exports, spec.exportName);
    if (instance !== undefined && instanceMethods) value = instance;
    else if (instance !== undefined) {
      throw new UsageError(
        `'${spec.exportName}' of '${spec.module}' is an instance method, which needs an instance: name a static method or a function`,
        1,
      );
    }
  }
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
  if (isClass(value)) {
    // A class is a function to `typeof`, but calling it throws: every call would fail.
    const statics = Object.getOwnPropertyNames(value).filter(
      (k) => !['length', 'name', 'prototype'].includes(k) && typeof (value as unknown as Record<string, unknown>)[k] === 'function',
    );
    const hint = statics.length > 0 ? `name one of its static methods: ${statics.slice(0, 6).map((k) => `${spec.exportName}.${k}`).join(', ')}` : 'name a function or a static method';
    throw new UsageError(`export '${spec.exportName}' of '${spec.module}' is a class, not a function (${hint})`, 1);
  }
  return value;
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

/** `Class.member` where `member` lives on the class's prototype (an instance method), else undefined. */
function instanceMember(exports: unknown, name: string): Function | undefined {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const owner = lookup(exports, name.slice(0, dot));
  if (typeof owner !== 'function') return undefined;
  const member = (owner.prototype as Record<string, unknown> | undefined)?.[name.slice(dot + 1)];
  return typeof member === 'function' ? member : undefined;
}

/** True for a `class` (its source starts with the keyword; compiled ES5 classes look like functions). */
function isClass(fn: Function): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/** Register a TypeScript loader when `file` needs one and none is present, as a worker does. */
function ensureTypeScriptLoader(file: string): void {
  try {
    ensureTypeScript(file);
  } catch (error) {
    throw new UsageError(`cannot load '${file}': ${(error as Error).message}`, 1);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}
