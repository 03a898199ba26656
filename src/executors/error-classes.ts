/**
 * `registerErrorClass`: name an error class so that an error of that class, thrown where a
 * call ran (a worker thread, a child process), arrives at the caller as the same class.
 * The table itself is `./worker/error-classes.cjs` (shared with the worker side and every
 * copy of unsync in a thread); this file validates and explains. The rules are in
 * docs/errors.md.
 */
import { InvalidStateError } from '../core/errors';
import { assertOptions, expected } from '../core/validate';
import { brandedErrorClasses } from './branded-errors';
import { findRegistrationSite } from './call-site';
import { claimErrorClass } from './worker/error-classes.cjs';

/** Options of {@link registerErrorClass}. */
export interface ErrorClassOptions {
  /**
   * The stable key the class crosses under (default: the class's `name`). Both sides must
   * use the same key; give one when two classes share a name (`'billing.ValidationError'`).
   */
  readonly name?: string;
}

// Built-in classes cross as themselves; registering one is a mistake worth saying so.
const BUILTIN = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError', 'DOMException'];
const UNSYNC_CLASSES = new Set<unknown>(Object.values(brandedErrorClasses));

/** Distinct sites for registrations whose site cannot be read: they never count as re-evaluations. */
let unknownSites = 0;

/**
 * Register an error class so that an error of this class thrown in a worker thread or a
 * child process arrives at the caller as an instance of the same class: `instanceof` in the caller's `catch`
 * matches whether the call ran on the loop or elsewhere. Returns `Class`.
 *
 * Register at module top level of a module that both sides load (the module that defines
 * the class, or the one of the functions that throw it): a worker runs a module's top level
 * again when it loads it, so both sides then know the class under the same key.
 *
 * - Registered on both sides: the error crosses under its key and comes back as the
 *   caller's class, with message, stack, `cause` and own properties that clone.
 * - Registered only where it was thrown: the key alone cannot help the caller; the class
 *   is still found if the caller has loaded a module that exports it (as it would be
 *   without any registration), else the error arrives as `RemoteError`.
 * - Registered only in the caller: found when the class's key is its own `name` (the
 *   default), matched against the thrown error's class name.
 *
 * Not needed for built-in errors, unsync's own errors, or classes exported by a CommonJS
 * module the caller has loaded (js-yaml's `YAMLException`): those cross as themselves. Do
 * register classes of ES modules and classes that no module exports.
 *
 * The class's constructor is not run on the caller's side: the error is an object of the
 * class with the thrown error's fields (see docs/errors.md).
 *
 * Errors: `TypeError` when `Class` is not an error class, is a built-in or unsync error
 * class, has no name and no `options.name` is given, or for bad options.
 * `InvalidStateError` when another class is registered under the same key (from another
 * place: registering again from the same source position, a module evaluated again,
 * replaces the entry), or when `Class` is already registered under another key.
 *
 * @example
 * export class QuotaError extends Error {
 *   constructor(readonly limit: number) { super(`over the quota of ${limit}`); }
 * }
 * registerErrorClass(QuotaError);
 * // caller: try { await toThread(work) } catch (e) { if (e instanceof QuotaError) e.limit }
 */
export function registerErrorClass<C extends abstract new (...args: never[]) => Error>(Class: C, options?: ErrorClassOptions): C {
  if (typeof Class !== 'function' || !(Class.prototype instanceof Error)) {
    throw new TypeError(expected('Class', 'an error class (a constructor whose prototype inherits from Error)', Class));
  }
  const className = Class.name;
  if (BUILTIN.includes(className) && (globalThis as Record<string, unknown>)[className] === Class) {
    throw new TypeError(`\`${className}\` is a built-in error class: it crosses as itself and needs no registration`);
  }
  if (UNSYNC_CLASSES.has(Class)) {
    throw new TypeError(`\`${className}\` is one of unsync's error classes: it crosses as itself and needs no registration`);
  }
  assertOptions('options', options, ['name']);
  const name = options?.name;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new TypeError(expected('options.name', 'a non-empty string', name));
  }
  const key = name ?? className;
  if (key === '') throw new TypeError('The error class to register has no name: pass `options.name`, the key it crosses under');
  const found = findRegistrationSite(registerErrorClass);
  const site = found?.file !== undefined ? `${found.file}:${found.line}:${found.column}` : `an unknown place (${++unknownSites})`;
  const conflict = claimErrorClass(Class, key, site);
  if (conflict?.kind === 'key') {
    throw new InvalidStateError(
      `cannot register the error class \`${className || key}\` as \`${key}\`: another class, \`${conflict.other.name}\`, was registered under that name at ${conflict.site}; ` +
        `give one of them its own name (registerErrorClass(Class, { name: 'my-package.${key}' }))`,
    );
  }
  if (conflict?.kind === 'class') {
    throw new InvalidStateError(`the error class \`${className}\` is already registered as \`${conflict.key}\`; a class crosses under one name`);
  }
  return Class;
}
