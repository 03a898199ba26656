/**
 * Rule 3 of `inspect`: a guess from the function's source text, made once per function.
 *
 * It reads `Function.prototype.toString` (comments and string contents removed) and looks
 * for known blocking calls (I/O), known CPU-heavy natives, and the shape of the body. It is
 * only a guess: measured evidence (`./evidence.ts`) overrides it once calls have been timed.
 * The lists below are Node's own APIs, whose nature is known; a library's functions are
 * judged by what their calls cost (CPU time against running time), never by their names.
 */

/** What the source suggests. */
export type SourceShape =
  /** Calls a known blocking I/O API: belongs on a thread. */
  | 'io'
  /** Calls a CPU-heavy native or is compute-shaped (loops or self-recursion, no I/O): CPU-bound. */
  | 'cpu'
  /** Builds or chains promises (`new Promise`, `.then(`): probably returns a thenable. */
  | 'promise'
  /** A short body without loops: probably microseconds, run inline until measured. */
  | 'small'
  /** Nothing recognisable. */
  | 'unknown';

/** The guess and the words explaining it. */
export interface SourceEvidence {
  readonly shape: SourceShape;
  /** Plain words: which call or construct decided (`calls readFileSync`, `has a loop`). */
  readonly detail: string;
}

/** Blocking calls that only wait (file system, child processes, Atomics.wait, sync message reads). */
export const BLOCKING_IO_CALLS: readonly string[] = Object.freeze([
  'readFileSync', 'writeFileSync', 'appendFileSync', 'readdirSync', 'statSync', 'lstatSync', 'fstatSync',
  'existsSync', 'openSync', 'readSync', 'writeSync', 'closeSync', 'copyFileSync', 'cpSync', 'mkdirSync',
  'mkdtempSync', 'rmSync', 'rmdirSync', 'unlinkSync', 'renameSync', 'fsyncSync', 'accessSync',
  'readlinkSync', 'realpathSync', 'truncateSync', 'execSync', 'execFileSync', 'spawnSync',
  'Atomics.wait', 'receiveMessageOnPort',
]);

/** Native calls that burn CPU (crypto key derivation, compression, prime generation). */
export const CPU_HEAVY_CALLS: readonly string[] = Object.freeze([
  'pbkdf2Sync', 'scryptSync', 'hkdfSync', 'generateKeyPairSync', 'generatePrimeSync', 'checkPrimeSync',
  'gzipSync', 'gunzipSync', 'deflateSync', 'inflateSync', 'deflateRawSync', 'inflateRawSync', 'unzipSync',
  'brotliCompressSync', 'brotliDecompressSync',
]);

/** Bodies at most this long (characters, comments and strings removed) count as small. */
const SMALL_BODY_CHARS = 240;

const cache = new WeakMap<Function, SourceEvidence>();

/** Analyse `fn`'s source (cached per function). */
export function analyseSource(fn: Function): SourceEvidence {
  let evidence = cache.get(fn);
  if (evidence === undefined) {
    evidence = Object.freeze(classify(sourceOf(fn), fn.name));
    cache.set(fn, evidence);
  }
  return evidence;
}

/** Classify a source text (exported for tests). */
export function classify(rawSource: string, name = ''): SourceEvidence {
  const source = stripCommentsAndStrings(rawSource);
  const body = bodyOf(source);
  const cpuCall = findCall(body, CPU_HEAVY_CALLS);
  if (cpuCall !== undefined) return { shape: 'cpu', detail: `calls ${cpuCall}, a CPU-heavy native` };
  // Only Node's own blocking calls: a library's `fooSync` may compute (bcryptjs's
  // `hashSync`), so an unknown name is left to measurement (issue 17, item 3).
  const ioCall = findCall(body, BLOCKING_IO_CALLS);
  if (ioCall !== undefined) return { shape: 'io', detail: `calls ${ioCall}, which blocks while it waits` };
  const hasAwait = /\bawait\b/.test(body);
  if (/\bnew\s+Promise\b|\.then\s*\(|\bPromise\s*\.\s*(all|race|any|allSettled|resolve)\b/.test(body)) {
    return { shape: 'promise', detail: 'builds or chains promises, so it probably returns one' };
  }
  const hasLoop = /\b(for|while)\s*\(|\bdo\s*\{|\.(forEach|map|reduce|filter)\s*\(/.test(body);
  if (hasLoop && !hasAwait && /\b(for|while)\s*\(|\bdo\s*\{/.test(body)) {
    return { shape: 'cpu', detail: 'is compute-shaped: it loops without awaiting or doing I/O' };
  }
  if (name !== '' && new RegExp(`(^|[^.\\w$])${escapeRegExp(name)}\\s*\\(`).test(body)) {
    return { shape: 'cpu', detail: 'is compute-shaped: it calls itself recursively' };
  }
  if (!hasLoop && body.replace(/\s+/g, '').length <= SMALL_BODY_CHARS) {
    return { shape: 'small', detail: 'has a short body without loops' };
  }
  return { shape: 'unknown', detail: 'has no recognisable blocking calls or compute loops' };
}

function sourceOf(fn: Function): string {
  try {
    return Function.prototype.toString.call(fn);
  } catch {
    return '';
  }
}

/** The text after the parameter list: `{ ... }` or an arrow's expression. */
function bodyOf(source: string): string {
  const brace = source.indexOf('{');
  const arrow = source.indexOf('=>');
  if (arrow !== -1 && (brace === -1 || arrow < brace)) return source.slice(arrow + 2);
  return brace === -1 ? source : source.slice(brace);
}

function findCall(body: string, names: readonly string[]): string | undefined {
  for (const name of names) {
    // `\)?` also matches compiled imports: `(0, fs_1.readFileSync)(path)`.
    if (new RegExp(`(^|[^\\w$])${escapeRegExp(name)}\\s*\\)?\\s*\\(`).test(body)) return name;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Remove comments and the contents of string and template literals (keeps their quotes). */
export function stripCommentsAndStrings(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:\\])\/\/[^\n]*/g, '$1')
    .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
    .replace(/"(?:[^"\\\n]|\\.)*"/g, '""')
    .replace(/`(?:[^`\\]|\\.)*`/g, '``');
}
