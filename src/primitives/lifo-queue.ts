/**
 * `LifoQueue<T>`: a {@link Queue} that returns the most recently added item first.
 */
import { Queue } from './queue';

/**
 * A last-in first-out queue (asyncio's `LifoQueue`): a {@link Queue} whose storage hooks
 * use a stack. Every waiting, fairness, cancellation and shutdown rule of `Queue` applies
 * unchanged (blocked getters are still served FIFO; only the items are LIFO).
 *
 * @example
 * const stack = new LifoQueue<number>();
 * stack.putNowait(1); stack.putNowait(2);
 * stack.getNowait(); // 2
 */
export class LifoQueue<T> extends Queue<T> {
  // `declare`: assigned by init(), which the base constructor calls (see Queue's hooks).
  declare private stack: T[];

  protected override init(): void {
    this.stack = [];
  }
  protected override getItem(): T {
    return this.stack.pop()!;
  }
  protected override putItem(item: T): void {
    this.stack.push(item);
  }
  protected override count(): number {
    return this.stack.length;
  }
  protected override putBackItem(item: T): void {
    this.stack.push(item); // the top: it was the next item out
  }
  protected override removeItem(item: T): boolean {
    const at = this.stack.lastIndexOf(item);
    if (at < 0) return false;
    this.stack.splice(at, 1);
    return true;
  }

  /** `'LifoQueue'`: what `Object.prototype.toString` and `util.inspect` show for it. */
  override get [Symbol.toStringTag](): string {
    return 'LifoQueue';
  }
}
