/**
 * A growable ring buffer: O(1) push/shift/pop without `Array.prototype.shift`'s copying.
 * Internal to the queues.
 */
export class Deque<T> {
  // Invariant: capacity (#items.length) is a power of two; live items are
  // #items[(#head + i) & #mask] for i in [0, #length); other slots are undefined.
  #items: (T | undefined)[] = new Array(16);
  #mask = 15;
  #head = 0;
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & this.#mask] = item;
    this.#length++;
  }

  /** Remove and return the first item (caller checks `length` first). */
  shift(): T {
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & this.#mask;
    this.#length--;
    return item;
  }

  /** Remove and return the last item (caller checks `length` first). */
  pop(): T {
    const i = (this.#head + this.#length - 1) & this.#mask;
    const item = this.#items[i] as T;
    this.#items[i] = undefined;
    this.#length--;
    return item;
  }

  /** Put `item` at the front. */
  unshift(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & this.#mask;
    this.#items[this.#head] = item;
    this.#length++;
  }

  /** Remove the last item identical to `item` (`Object.is`); false when there is none. O(n). */
  removeLast(item: T): boolean {
    for (let i = this.#length - 1; i >= 0; i--) {
      if (!Object.is(this.#items[(this.#head + i) & this.#mask], item)) continue;
      for (let j = i; j < this.#length - 1; j++) {
        this.#items[(this.#head + j) & this.#mask] = this.#items[(this.#head + j + 1) & this.#mask];
      }
      this.#items[(this.#head + this.#length - 1) & this.#mask] = undefined;
      this.#length--;
      return true;
    }
    return false;
  }

  clear(): void {
    this.#items = new Array(16);
    this.#mask = 15;
    this.#head = 0;
    this.#length = 0;
  }

  #grow(): void {
    const old = this.#items;
    const items: (T | undefined)[] = new Array(old.length * 2);
    for (let i = 0; i < this.#length; i++) items[i] = old[(this.#head + i) & this.#mask];
    this.#items = items;
    this.#mask = items.length - 1;
    this.#head = 0;
  }
}
