/**
 * Every unsync error class by its brand name, built from the error modules (each class is
 * named after its brand) rather than from a list that could drift: what the caller's side
 * rebuilds a crossed unsync error with (`./serialization.ts`), and the classes
 * `registerErrorClass` refuses because they cross as themselves (`./error-classes.ts`).
 */
import * as coreErrors from '../core/errors';
import * as executorErrors from '../core/executor-errors';
import * as primitiveErrors from '../core/primitive-errors';
import * as streamErrors from '../core/stream-errors';

/** An error class, as the decoder builds an instance of it. */
export type ErrorClass = new (...args: never[]) => Error;

/** unsync's branded error classes by brand name (every family: core, executors, primitives, streams). */
export const brandedErrorClasses: Record<string, ErrorClass> = Object.create(null);
for (const family of [coreErrors, executorErrors, primitiveErrors, streamErrors]) {
  for (const value of Object.values(family)) {
    if (typeof value === 'function' && value.prototype instanceof Error) brandedErrorClasses[value.name] = value as ErrorClass;
  }
}
