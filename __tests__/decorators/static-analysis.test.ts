/**
 * The source guesses of rule 3, on raw and compiled source text.
 */
import { classify, stripCommentsAndStrings } from '../../decorators/static-analysis';

describe('classify', () => {
  it.each([
    ['function f(p) { return fs.readFileSync(p); }', 'io', 'calls readFileSync'],
    ['function f(p) { return (0, node_fs_1.readFileSync)(p, "utf8"); }', 'io', 'calls readFileSync'],
    ['function f() { return execSync("ls"); }', 'io', 'calls execSync'],
    ['function f(b) { Atomics.wait(b, 0, 0, 10); }', 'io', 'calls Atomics.wait'],
    // A library's `*Sync` is not evidence of waiting: bcryptjs's hashSync computes. Measured.
    ['function f(x) { return bcrypt.hashSync(x, 10); }', 'small', 'short body'],
    ['function f(p) { return crypto.scryptSync(p, "s", 64); }', 'cpu', 'calls scryptSync'],
    ['function f(d) { return (0, zlib_1.brotliCompressSync)(d); }', 'cpu', 'calls brotliCompressSync'],
    ['function f(n) { let t = 0; while (n--) t += n; return t; }', 'cpu', 'loops'],
    ['function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }', 'cpu', 'recursively'],
    ['function f() { return new Promise((r) => setTimeout(r, 1)); }', 'promise', 'promises'],
    ['(a, b) => a + b', 'small', 'short body'],
  ])('%s', (source, shape, detail) => {
    const name = /function (\w+)\(/.exec(source)?.[1] ?? '';
    const result = classify(source, name);
    expect(result.shape).toBe(shape);
    expect(result.detail).toContain(detail);
  });

  it('ignores calls named only in comments and strings', () => {
    expect(classify('function f() { /* readFileSync(x) */ return "execSync(y)"; }').shape).toBe('small');
    expect(stripCommentsAndStrings('a // readFileSync(\nb')).not.toContain('readFileSync');
  });

  it('does not call a loop that awaits compute-shaped', () => {
    expect(classify('async function f(xs) { for (const x of xs) { await x; } }').shape).not.toBe('cpu');
  });
});
