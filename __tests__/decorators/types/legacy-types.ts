/**
 * Type tests of the decorator under legacy decorators (`experimentalDecorators` +
 * `emitDecoratorMetadata`, tsconfig.legacy.json): the valid forms compile, and misuse the
 * legacy signatures can see is a type error. (A getter or setter has a property
 * descriptor, which fits the legacy method signature: those fail at decoration time
 * instead, see decorated-legacy-errors.ts.)
 */
import { cpuBound, executor, ioBound, unsync } from '../../../src';

export class LegacyTyped {
  @unsync
  async a(x: number): Promise<number> {
    return x;
  }

  @unsync()
  b(x: string): string {
    return x;
  }

  @unsync({ executor: 'thread', timeout: 10, name: 'LegacyTyped.c' })
  static c(): number {
    return 1;
  }

  @cpuBound()
  @unsync
  d(): number {
    return 1;
  }

  @unsync
  @ioBound()
  @executor('process')
  e(): number {
    return 1;
  }

  // @ts-expect-error: a field is not a method
  @unsync f = 1;

  // @ts-expect-error: nor with options
  @unsync({ executor: 'thread' }) g = 2;

  // @ts-expect-error: a hint on a field
  @cpuBound() h = 3;

  // @ts-expect-error: unknown option
  @unsync({ exector: 'thread' })
  i(): number {
    return 1;
  }

  // @ts-expect-error: invalid executor
  @unsync({ executor: 'gpu' })
  j(): number {
    return 1;
  }

  // @ts-expect-error: timeout is a number of milliseconds
  @unsync({ timeout: '5' })
  k(): number {
    return 1;
  }

  // @ts-expect-error: invalid executor hint
  @executor('gpu')
  l(): number {
    return 1;
  }

  // @ts-expect-error: cpuBound is a factory: @cpuBound()
  @cpuBound
  m(): number {
    return 1;
  }
}

// @ts-expect-error: a class is not a method
@unsync
export class NotAMethod {}
