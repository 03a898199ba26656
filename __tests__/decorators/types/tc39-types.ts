/**
 * Type tests of the decorator under TC39 decorators (the root tsconfig): which members
 * `@unsync` and the hints accept, and that decorated methods keep their declared types
 * (TypeScript decorators cannot change them; `asUnfuture` recovers the future).
 */
import { asUnfuture, cpuBound, executor, ioBound, unsync, type Unfuture } from '../../../src';

export class Typed {
  @unsync
  async a(x: number): Promise<number> {
    return x;
  }

  @unsync()
  b(x: string): string {
    return x;
  }

  @unsync({ executor: 'loop', timeout: 10 })
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
  @executor('thread')
  e(): number {
    return 1;
  }

  // @ts-expect-error: @unsync cannot decorate a getter
  @unsync get g(): number {
    return 1;
  }

  // @ts-expect-error: nor a field
  @unsync f = 1;

  // @ts-expect-error: invalid option in a decorator factory
  @unsync({ executor: 'gpu' })
  h(): number {
    return 1;
  }

  // @ts-expect-error: invalid executor hint
  @executor('gpu')
  i(): number {
    return 1;
  }
}

export function recover(t: Typed): Unfuture<string> {
  return asUnfuture(t.b('x'));
}
