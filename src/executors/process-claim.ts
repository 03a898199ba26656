/**
 * The parent's side of a child's claim file: how the process pool learns, at the instant it
 * is about to kill a child to stop call X, whether X is still running there or the child
 * already started a call pipelined behind it (X's answer is then on its way, and killing the
 * child would kill an innocent call that would run again elsewhere). Design:
 * docs/executors.md, "Claim files".
 *
 * One small file per child, `claim-<pid>` in the pool's sync folder, made by whichever side
 * needs it first, with two 8-byte records: at offset 0 the child's *claim* (the sequence
 * number of the last pipelined call it started, written BEFORE starting it), at offset 8 the
 * parent's *stop* (the sequence number of the call it is about to kill the child for). A
 * sequence number is a call's position in its child's sending order (1, 2, …).
 *
 * The two sides each write their record, then read the other's (Peterson's handshake), so
 * they cannot both miss each other: the parent kills only when the claim is not past X (the
 * child then has not started the next call, and will not: it waits while a stop for an
 * earlier call stands); when the claim is past X, the parent clears its stop and lets X's
 * answer arrive. Sequential calls (sent to an idle child) carry no claim and cost nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Check word mixed into each record, so a torn or stray read is never taken as a number. */
const CHECK = 0x5a5a5a5a;

/** The claim file of child `pid` in `folder` (the child computes the same path). */
export function claimFilePath(folder: string, pid: number): string {
  return path.join(folder, `claim-${pid}`);
}

/** A record's bytes: `seq` and `seq ^ CHECK`; 0 is all zeros (what a fresh file reads). */
function encode(seq: number): Buffer {
  const bytes = Buffer.alloc(8);
  if (seq !== 0) {
    bytes.writeUInt32LE(seq, 0);
    bytes.writeUInt32LE((seq ^ CHECK) >>> 0, 4);
  }
  return bytes;
}

/** The record's number, or undefined when it does not check (torn, or garbage). */
function decode(bytes: Buffer): number | undefined {
  const seq = bytes.readUInt32LE(0);
  const check = bytes.readUInt32LE(4);
  if (seq === 0 && check === 0) return 0;
  return check === (seq ^ CHECK) >>> 0 ? seq : undefined;
}

/** The parent's handle on one child's claim file; opened on first use, closed with {@link close}. */
export class ClaimFile {
  #fd: number | undefined = undefined;

  constructor(readonly file: string) {}

  /**
   * Called just before killing the child to stop the call sent as number `seq`, when calls
   * were sent behind it. True when the child has already started a later call (so `seq`
   * ended and its answer is on its way): do not kill. False when it may still run `seq`, or
   * the file cannot be used: kill (the child will not start a pipelined call meanwhile).
   */
  startedPast(seq: number): boolean {
    try {
      this.#fd ??= fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
      const fd = this.#fd;
      fs.writeSync(fd, encode(seq), 0, 8, 8);
      const bytes = Buffer.alloc(8);
      fs.readSync(fd, bytes, 0, 8, 0);
      const claim = decode(bytes);
      if (claim === undefined || claim <= seq) return false;
      fs.writeSync(fd, encode(0), 0, 8, 8); // withdraw the stop: the child may go on
      return true;
    } catch {
      return false;
    }
  }

  /** Close the parent's descriptor (the child is gone; the folder's removal deletes the file). */
  close(): void {
    if (this.#fd === undefined) return;
    try {
      fs.closeSync(this.#fd);
    } catch {
      // already closed
    }
    this.#fd = undefined;
  }
}
