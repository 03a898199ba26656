/**
 * Hint decorators: `@cpuBound()`, `@ioBound()`, `@executor('thread')`. They do not wrap
 * anything; they store a hint with reflect-metadata that `inspect` reads (rule 1, after an
 * explicit option). They stack with `@unsync` in either order and under both decorator
 * systems: legacy decorators store the hint on `(target, key)`, TC39 decorators on the
 * method function itself, and `inspect` looks in both places lazily, at the first call.
 */
import 'reflect-metadata';
import { methodDecoration } from './decorator-shape';
import { assertExecutorChoice, type ConcreteExecutor } from './options';

/** The metadata key of a hint. */
export const HINT_KEY = 'unsync:hint';

/** What a hint decorator stored. */
export interface Hint {
  readonly kind?: 'io' | 'cpu';
  readonly executor?: ConcreteExecutor;
  /** How the hint was written, for `inspect().reason` (`@cpuBound()`). */
  readonly source: string;
}

/** A decorator usable on methods under either decorator system. */
export type MethodHintDecorator = {
  (value: Function, context: ClassMethodDecoratorContext): void;
  (target: object, key: string | symbol, descriptor: PropertyDescriptor): void;
};

function hintDecorator(hint: Hint): MethodHintDecorator {
  return ((...args: unknown[]) => {
    const d = methodDecoration(hint.source, args);
    Reflect.defineMetadata(HINT_KEY, hint, d.method);
    if (d.system === 'legacy') Reflect.defineMetadata(HINT_KEY, hint, d.target, d.key);
  }) as MethodHintDecorator;
}

/**
 * Mark a method as CPU-bound: under `executor: 'auto'` it runs on the process pool.
 *
 * @example
 * ```ts
 * class Hasher { @unsync @cpuBound() hash(data: string) { ... } }
 * ```
 */
export function cpuBound(): MethodHintDecorator {
  return hintDecorator({ kind: 'cpu', executor: 'process', source: '@cpuBound()' });
}

/**
 * Mark a method as blocking on I/O: under `executor: 'auto'` it runs on the thread pool.
 *
 * @example
 * ```ts
 * class Files { @ioBound() @unsync read(path: string) { return readFileSync(path, 'utf8'); } }
 * ```
 */
export function ioBound(): MethodHintDecorator {
  return hintDecorator({ kind: 'io', executor: 'thread', source: '@ioBound()' });
}

/**
 * Name the executor a method should use under `executor: 'auto'`.
 * An explicit `@unsync({ executor })` option still wins.
 *
 * @example
 * ```ts
 * class Api { @executor('thread') @unsync parse(text: string) { ... } }
 * ```
 */
export function executor(name: ConcreteExecutor): MethodHintDecorator {
  assertExecutorChoice('name', name, ['loop', 'thread', 'process']);
  return hintDecorator({ executor: name, source: `@executor('${name}')` });
}

/** The first hint found on any of `targets` (functions, or `[object, key]` pairs). */
export function readHint(functions: readonly Function[], member?: { target: object; key: string | symbol }): Hint | undefined {
  for (const fn of functions) {
    const hint = Reflect.getMetadata(HINT_KEY, fn) as Hint | undefined;
    if (hint !== undefined) return hint;
  }
  if (member !== undefined) return Reflect.getMetadata(HINT_KEY, member.target, member.key) as Hint | undefined;
  return undefined;
}
