/**
 * Argument checks shared by every public function. One message template:
 * "Expected `name` to be <what>, got <value> (<type>)".
 */

/** Render a value for an error message without dumping large objects. */
export function describeValue(value: unknown): string {
  let shown: string;
  switch (typeof value) {
    case 'string':
      shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
      break;
    case 'function':
      shown = `[Function ${value.name || 'anonymous'}]`;
      break;
    case 'object':
      shown = value === null ? 'null' : Array.isArray(value) ? '[Array]' : `[${value.constructor?.name ?? 'Object'}]`;
      break;
    case 'symbol':
      shown = value.toString();
      break;
    default:
      shown = String(value);
  }
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `${shown} (${type})`;
}

/** Build the standard argument error message. */
export function expected(name: string, what: string, value: unknown): string {
  return `Expected \`${name}\` to be ${what}, got ${describeValue(value)}`;
}

/** Throw a `TypeError` unless `value` is a function. */
export function assertFunction(name: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new TypeError(expected(name, 'a function', value));
}

/**
 * Validate a timeout in milliseconds: a finite or infinite number (zero and negative
 * expire at once, as in asyncio), or `null`/`undefined` for "no timeout" when allowed.
 * NaN is rejected.
 */
export function assertTimeout(name: string, value: unknown, allowNull = true): asserts value is number | null | undefined {
  if (value == null && allowNull) return;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(expected(name, allowNull ? 'a number of milliseconds or null' : 'a number of milliseconds', value));
  }
}

/** The longest delay a Node timer keeps: a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a timer delay, clamped to 0..MAX_TIMER_MS. */
export function timerDelay(ms: number): number {
  return Math.max(0, Math.min(ms, MAX_TIMER_MS));
}

/** Throw a `TypeError` unless `value` is a plain options object (or undefined). */
export function assertOptions(name: string, value: unknown, allowed: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(expected(name, 'an options object', value));
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `Unknown option \`${key}\` in \`${name}\`; valid options are: ${allowed.map((k) => `\`${k}\``).join(', ')}`,
      );
    }
  }
}

/** Throw a `TypeError`/`RangeError` unless `value` is an integer within [min, max]. */
export function assertInteger(name: string, value: unknown, min = -Infinity, max = Infinity): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(expected(name, 'an integer', value));
  if (value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : `between ${min} and ${max}`;
    throw new RangeError(expected(name, `an integer ${range}`, value));
  }
}

/** Throw a `TypeError` unless `message` (a cancellation message) is a string or undefined. */
export function assertCancelMessage(message: unknown): asserts message is string | undefined {
  if (message !== undefined && typeof message !== 'string') {
    throw new TypeError(expected('message', 'a string or undefined', message));
  }
}

/** Throw a `TypeError` unless `value` is an AbortSignal (or undefined). */
export function assertSignal(name: string, value: unknown): asserts value is AbortSignal | undefined {
  if (value === undefined) return;
  if (!(value instanceof AbortSignal)) throw new TypeError(expected(name, 'an AbortSignal', value));
}

/** True for anything with a callable `then` (a promise, an Unfuture, any thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
