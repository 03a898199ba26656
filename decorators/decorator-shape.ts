/**
 * Telling the two decorator systems apart at run time, and refusing what cannot be
 * decorated. Both TypeScript modes call the same function:
 *
 * - TC39 (TS 5 default): `(value, context)` where `context.kind` says what is decorated.
 * - legacy `experimentalDecorators`: `(target, key, descriptor)` where `target` is the
 *   prototype (instance member) or the class (static member).
 */

/** A decorator call on a class method, normalised. */
export type MethodDecoration =
  | {
      readonly system: 'tc39';
      readonly method: Function;
      readonly context: ClassMethodDecoratorContext;
      readonly key: string | symbol;
      readonly isStatic: boolean;
    }
  | {
      readonly system: 'legacy';
      readonly method: Function;
      readonly target: object;
      readonly key: string | symbol;
      readonly descriptor: PropertyDescriptor;
      readonly isStatic: boolean;
    };

/** True when `value` is a TC39 decorator context object. */
export function isTc39Context(value: unknown): value is DecoratorContext {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { addInitializer?: unknown }).addInitializer === 'function'
  );
}

/** True when `args` look like a legacy member decorator call `(target, key, descriptor?)`. */
export function isLegacyCall(args: readonly unknown[]): boolean {
  const [target, key] = args;
  return (
    args.length >= 2 &&
    args.length <= 3 &&
    (typeof target === 'object' || typeof target === 'function') &&
    target !== null &&
    (typeof key === 'string' || typeof key === 'symbol' || key === undefined)
  );
}

/** True when `fn` is a class constructor (a legacy class decorator receives one). */
export function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/**
 * Normalise a decorator call, or throw a TypeError naming what was decorated when it is
 * not a plain (non-private) method. `who` is the decorator's name for the message.
 */
export function methodDecoration(who: string, args: readonly unknown[]): MethodDecoration {
  const [first, second, third] = args;
  if (isTc39Context(second)) {
    const context = second as DecoratorContext;
    const label = describeMember(context.kind, (context as { name?: unknown }).name);
    if (context.kind !== 'method') {
      throw new TypeError(`${who} can only decorate methods and functions, got ${label}; decorate a method instead`);
    }
    const c = context as ClassMethodDecoratorContext;
    if (c.private) {
      throw new TypeError(
        `${who} cannot decorate the private method ${String(c.name)}: a worker could never find it; make it a regular method`,
      );
    }
    return { system: 'tc39', method: first as Function, context: c, key: c.name, isStatic: c.static };
  }
  if (args.length === 1 && typeof first === 'function') {
    // A legacy class decorator gets the class alone.
    throw new TypeError(`${who} can only decorate methods and functions, got the class ${first.name || '(anonymous)'}; decorate a method instead`);
  }
  const key = second as string | symbol;
  if (typeof third === 'number') {
    throw new TypeError(`${who} can only decorate methods and functions, got a parameter of ${String(key)}`);
  }
  const descriptor = third as PropertyDescriptor | undefined;
  const keyName = typeof key === 'symbol' ? key.toString() : key;
  if (descriptor === undefined) {
    throw new TypeError(`${who} can only decorate methods and functions, got the field ${keyName}; decorate a method instead`);
  }
  if (descriptor.get !== undefined || descriptor.set !== undefined) {
    const kind = descriptor.get !== undefined ? 'getter' : 'setter';
    throw new TypeError(`${who} can only decorate methods and functions, got the ${kind} ${keyName}; decorate a method instead`);
  }
  if (typeof descriptor.value !== 'function') {
    throw new TypeError(`${who} can only decorate methods and functions, got the field ${keyName}; decorate a method instead`);
  }
  return {
    system: 'legacy',
    method: descriptor.value as Function,
    target: first as object,
    key,
    descriptor,
    isStatic: typeof first === 'function',
  };
}

function describeMember(kind: string, name: unknown): string {
  const shown = typeof name === 'symbol' ? name.toString() : name === undefined ? '' : ` ${String(name)}`;
  switch (kind) {
    case 'class':
      return `the class${shown}`;
    case 'accessor':
      return `the auto-accessor${shown}`;
    default:
      return `the ${kind}${shown}`;
  }
}
