/**
 * Decorating something that is not a plain method is a TypeError at decoration time,
 * under TC39 decorators (real classes below) and legacy decorators (the exact calls
 * `__decorate` makes, and classes compiled with `experimentalDecorators`).
 */
import * as fs from 'node:fs';
import { cpuBound, executor, unsync } from '../../src';
import { buildLegacy } from './legacy-build';

type LegacyErrors = typeof import('../fixtures/decorated-legacy-errors');

const legacyErrorsFile = buildLegacy('decorated-legacy-errors');

afterAll(() => {
  fs.rmSync(legacyErrorsFile, { force: true });
});

describe('TC39 decorators', () => {
  it('refuse a getter, a setter, a field and an auto-accessor', () => {
    expect(() => {
      class A {
        // @ts-expect-error: @unsync only types as a method decorator
        @unsync get g(): number {
          return 1;
        }
      }
      return A;
    }).toThrow(new TypeError('@unsync can only decorate methods and functions, got the getter g; decorate a method instead'));
    expect(() => {
      class B {
        // (TypeScript accepts this one: its setter type fits the method overload.)
        @unsync set s(_v: number) {}
      }
      return B;
    }).toThrow(/got the setter s/);
    expect(() => {
      class C {
        // @ts-expect-error: not a method
        @unsync() f = 1;
      }
      return C;
    }).toThrow(/got the field f/);
    expect(() => {
      class D {
        // @ts-expect-error: not a method
        @unsync accessor a = 1;
      }
      return D;
    }).toThrow(/got the auto-accessor a/);
  });

  it('refuse a private method', () => {
    expect(() => {
      class E {
        @unsync #hidden(): number {
          return 1;
        }
        use(): unknown {
          return this.#hidden();
        }
      }
      return E;
    }).toThrow(/cannot decorate the private method #hidden: a worker could never find it/);
  });

  it('refuse a class', () => {
    expect(() => {
      // @ts-expect-error: not a method
      @unsync
      class F {}
      return F;
    }).toThrow(/got the class F/);
  });

  it('check hint decorators the same way', () => {
    expect(() => {
      class G {
        // @ts-expect-error: not a method
        @cpuBound() get g(): number {
          return 1;
        }
      }
      return G;
    }).toThrow(/@cpuBound\(\) can only decorate methods/);
    // @ts-expect-error: not an executor
    expect(() => executor('gpu')).toThrow("Expected `name` to be one of 'loop', 'thread', 'process', got \"gpu\" (string)");
  });
});

describe('legacy decorators (as __decorate calls them)', () => {
  const proto = {};
  const call = (...args: unknown[]): unknown => (unsync as unknown as (...a: unknown[]) => unknown)(...args);

  it('refuse getters, setters, fields and parameters', () => {
    expect(() => call(proto, 'g', { get: () => 1, configurable: true })).toThrow(/got the getter g/);
    expect(() => call(proto, 's', { set: () => undefined, configurable: true })).toThrow(/got the setter s/);
    expect(() => call(proto, 'f', undefined)).toThrow(/got the field f/);
    expect(() => call(proto, 'f')).toThrow(/got the field f/);
    expect(() => call(proto, 'm', 0)).toThrow(/got a parameter of m/);
  });

  it('validate options given to @unsync({...}) before any target is seen', () => {
    expect(() => unsync({ executor: 'gpu' as never })).toThrow(/one of 'auto', 'loop', 'thread', 'process'/);
  });

  it('refuse a non-method target of @unsync()', () => {
    const decorator = unsync({ executor: 'loop' }) as unknown as (...a: unknown[]) => unknown;
    expect(() => decorator(42)).toThrow(TypeError);
  });
});

describe('legacy decorators (classes compiled with experimentalDecorators)', () => {
  const L = require(legacyErrorsFile) as LegacyErrors;
  const only = (who: string, what: string): TypeError =>
    new TypeError(`${who} can only decorate methods and functions, got the ${what}; decorate a method instead`);

  it('refuse @unsync on a getter or setter, with or without options, instance or static', () => {
    expect(() => L.unsyncOnGetter()).toThrow(only('@unsync', 'getter value'));
    expect(() => L.unsyncWithOptionsOnStaticGetter()).toThrow(only('@unsync', 'getter value'));
    expect(() => L.unsyncOnSetter()).toThrow(only('@unsync', 'setter value'));
  });

  it('refuse hint decorators on a getter or setter', () => {
    expect(() => L.cpuBoundOnGetter()).toThrow(only('@cpuBound()', 'getter value'));
    expect(() => L.ioBoundOnSetter()).toThrow(only('@ioBound()', 'setter value'));
    expect(() => L.executorHintOnStaticGetter()).toThrow(only("@executor('thread')", 'getter value'));
  });

  it('refuse a getter stacked with @unsync and a hint, at the first decorator applied (the innermost)', () => {
    expect(() => L.unsyncOnGetterNextToMethod()).toThrow(only('@cpuBound()', 'getter value'));
  });

  it('refuse a class, naming it', () => {
    expect(() => L.unsyncOnClass()).toThrow(new TypeError('unsync cannot decorate a class; decorate its methods instead'));
    expect(() => L.cpuBoundOnClass()).toThrow(new TypeError('@cpuBound() can only decorate methods and functions, got the class Hinted; decorate a method instead'));
  });
});
