/**
 * Creation stacks for debug reports: where the user's code made a future, with the
 * library's own frames (and Node's internals) left out so the first line is the caller's.
 */
import * as path from 'node:path';

const SRC_DIR = path.resolve(__dirname, '..') + path.sep;
const DECORATORS_DIR = path.resolve(__dirname, '..', '..', 'decorators') + path.sep;
/** Frames captured; enough to get past the library's own frames. */
const CAPTURED_FRAMES = 30;
/** Frames kept in a report. */
const SHOWN_FRAMES = 8;

function isLibraryFrame(line: string): boolean {
  return line.includes(SRC_DIR) || line.includes(DECORATORS_DIR) || /\(node:|at node:|\(native\)/.test(line);
}

/**
 * The current stack as text, user frames only (at most {@link SHOWN_FRAMES}). If every frame
 * is the library's (a future made by library code on its own), the raw top frames are kept.
 * Returns a string so the report holds no reference to any frame's receiver.
 */
export function creationStack(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = CAPTURED_FRAMES;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, creationStack);
  Error.stackTraceLimit = limit;
  const frames = (holder.stack ?? '').split('\n').slice(1);
  const user = frames.filter((line) => !isLibraryFrame(line));
  return (user.length > 0 ? user : frames).slice(0, SHOWN_FRAMES).join('\n');
}
