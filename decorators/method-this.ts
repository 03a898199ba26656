/**
 * Can an instance method's `this` travel to a worker? Checked before anything is sent
 * (issue 17, item 5): the worker rebuilds `this` from a structured clone of its own
 * properties and the worker's copy of the class, so the clone must succeed and the worker
 * must find the class. docs/decorator.md, "What survives cloning `this`".
 */
import * as fs from 'node:fs';
import { CloneError, LocateError } from '../src/core/executor-errors';
import { qualifiedName, type DecoratedInfo } from './decorated';
import { cloneProblem, loadedExports } from './dispatch';

/**
 * The error an instance-method call would meet in a worker because of its `this`, or
 * undefined: `LocateError` when the worker cannot find the class (a TC39 method of a class
 * its module does not export), `CloneError` when `this` cannot be cloned. `file` is the
 * defining module, as located.
 */
export function thisProblem(info: DecoratedInfo, self: unknown, file: string): CloneError | LocateError | undefined {
  const label = qualifiedName(info);
  const owner = info.owner ?? (self as { constructor?: Function } | null)?.constructor;
  const className = owner?.name || 'anonymous class';
  // Legacy decorators hand the class to the decorator, in the worker too: nothing to find.
  if (info.system === 'tc39' && owner !== undefined && !classExported(file, owner, info)) {
    return new LocateError(
      `\`${label}\` cannot run in a worker: a worker rebuilds \`this\` (a \`${className}\`) from the class its module exports, ` +
        `and ${file} does not export \`${className}\`. Export the class, or make the method static and pass what it needs as arguments`,
      { file, qualifiedName: label },
    );
  }
  const problem = cloneProblem(self);
  if (problem === undefined) return undefined;
  const where = problem.path === '' ? '' : ` (at \`this${problem.path}\`)`;
  return new CloneError(
    `\`this\` of \`${label}\` (a \`${className}\`) cannot be sent to a worker${where}: ${problem.reason}. ` +
      `Keep values that cannot be cloned (functions, sockets, streams) out of the instance, or make the method static and pass what it needs as arguments, or run it with \`executor: 'loop'\``,
    'this',
    { cause: problem.reason },
  );
}

/** Does the module export the class (so a worker finds it by name)? From its exports when loaded here, else from its source. */
function classExported(file: string, owner: Function, info: DecoratedInfo): boolean {
  const exports = loadedExports(file);
  if (exports !== undefined) {
    const candidate = exports[owner.name];
    const prototype = typeof candidate === 'function' ? (candidate.prototype as Record<string, unknown> | undefined) : undefined;
    return prototype?.[info.memberName] === info.wrapper;
  }
  return exportedInSource(file, owner.name);
}

const sourceExports = new Map<string, boolean>();

/**
 * Under jest or for ES modules the module's exports are not reachable here: read its source
 * (TypeScript or compiled JavaScript). Unknown (an unreadable file) counts as exported, so
 * that this check never refuses a call the worker could run.
 */
function exportedInSource(file: string, name: string): boolean {
  const key = `${file}\0${name}`;
  let found = sourceExports.get(key);
  if (found === undefined) {
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
    const n = name.replace(/[$]/g, '\\$');
    found =
      text === undefined ||
      new RegExp(`export\\s+(?:default\\s+)?(?:abstract\\s+)?class\\s+${n}\\b`).test(text) ||
      new RegExp(`export\\s*\\{[^}]*\\b${n}\\b[^}]*\\}`).test(text) ||
      new RegExp(`exports\\.${n}\\s*=|defineProperty\\(exports,\\s*["']${n}["']`).test(text);
    sourceExports.set(key, found);
  }
  return found;
}
