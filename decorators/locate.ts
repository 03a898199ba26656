/**
 * Where a worker finds a decorated function: the registry declaration made at decoration
 * time, located when a call first needs a worker (issue 17, "registration only when
 * needed"). `call.ts` locates before it submits; `inspect.ts` asks whether `'auto'` may
 * send the function at all.
 */
import { LocateError } from '../src/core/executor-errors';
import { qualifiedName, type DecoratedInfo } from './decorated';
import type { CallRef, Declaration } from './dispatch';

const declarations = new WeakMap<DecoratedInfo, Declaration>();

/** Keep the declaration `registerDecorated` made for `info`. */
export function rememberDeclaration(info: DecoratedInfo, declaration: Declaration): void {
  declarations.set(info, declaration);
}

/**
 * The call reference of a decorated function, located now if it was not yet; throws the
 * `LocateError` that says how to make it locatable (top level, export, `name`).
 */
export function locateDecorated(info: DecoratedInfo): CallRef {
  const declaration = declarations.get(info);
  if (declaration === undefined) {
    throw new LocateError(`\`${qualifiedName(info)}\` was never declared for workers`, { qualifiedName: qualifiedName(info) });
  }
  const ref = declaration.locate();
  return { file: ref.file, name: ref.name };
}

/** The call reference if the function can be located, else undefined (never throws). */
export function locatedRef(info: DecoratedInfo): CallRef | undefined {
  try {
    return locateDecorated(info);
  } catch {
    return undefined;
  }
}

/**
 * Why a worker could not find the function (undefined: it can). `'auto'` then keeps it on
 * the loop; the first answer that says it cannot is kept.
 */
export function unlocatableReason(info: DecoratedInfo): string | undefined {
  if (info.unlocatable !== undefined) return info.unlocatable;
  try {
    locateDecorated(info);
    return undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    info.unlocatable = reason;
    return reason;
  }
}

/** The defining module of a decorated function, as its declaration read it from the call site. */
export function declaredFile(info: DecoratedInfo): string | undefined {
  return declarations.get(info)?.file;
}
