/**
 * The CLI's one error class: a problem with what the user typed or pointed at. The CLI
 * prints its message as ONE line on stderr (no stack trace) and exits with `exitCode`.
 */

/** A user-facing CLI error: bad flag, bad JSON, a module or export that cannot be used. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** 2 for command-line mistakes, 1 for a target that cannot be loaded or used. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}
