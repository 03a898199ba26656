/**
 * A FIFO of bytes kept as a list of chunks, so that feeding large payloads chunk by chunk
 * never re-copies what is already buffered (a single growing Buffer would be quadratic).
 */
export class ByteBuffer {
  // Invariant: #size === the sum of #chunks' lengths, and no chunk is empty.
  #chunks: Buffer[] = [];
  #size = 0;

  /** Number of buffered bytes. */
  get size(): number {
    return this.#size;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** Put `chunk` back in front (bytes taken by a read whose result was discarded). */
  unshift(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.unshift(chunk);
    this.#size += chunk.length;
  }

  /** Remove and return the first `n` bytes (`n` is clamped to the size). */
  take(n: number): Buffer {
    n = Math.min(n, this.#size);
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    let out: Buffer;
    if (n < first.length) {
      out = first.subarray(0, n);
      this.#chunks[0] = first.subarray(n);
    } else if (n === first.length) {
      out = first;
      this.#chunks.shift();
    } else {
      const all = this.flatten();
      out = all.subarray(0, n);
      this.#chunks = n < all.length ? [all.subarray(n)] : [];
    }
    this.#size -= n;
    return out;
  }

  /** Remove and return everything. */
  takeAll(): Buffer {
    return this.take(this.#size);
  }

  /** Drop the first `n` bytes. */
  discard(n: number): void {
    this.take(n);
  }

  /** The buffered bytes as one Buffer (merges the chunks in place; consumes nothing). */
  flatten(): Buffer {
    if (this.#chunks.length > 1) this.#chunks = [Buffer.concat(this.#chunks, this.#size)];
    return this.#chunks[0] ?? Buffer.alloc(0);
  }
}
