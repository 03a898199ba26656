/**
 * The layering promised in src/index.ts and STYLE.md, checked on the source text:
 * nothing in src/ but the barrel imports decorators/; piscina and child_process are each
 * imported in exactly one file; files that run inside workers import only the protocol,
 * serialization and error modules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function files(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(rel, pattern));
    else if (pattern.test(entry.name)) out.push(rel);
  }
  return out;
}

const sources = [...files('src', /\.(ts|cjs)$/), ...files('decorators', /\.(ts|cjs)$/)];
const importsOf = (file: string): string[] => {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)) specs.push(m[1]!);
  return specs;
};

describe('architecture', () => {
  it('keeps decorators/ out of src/ except through the src/index.ts barrel', () => {
    const offenders = sources
      .filter((f) => f.startsWith('src') && f !== path.join('src', 'index.ts'))
      .filter((f) => importsOf(f).some((s) => /(^|\/)decorators(\/|$)/.test(s)));
    expect(offenders).toEqual([]);
  });

  it('imports piscina in exactly one file', () => {
    const users = sources.filter((f) => importsOf(f).includes('piscina'));
    expect(users).toHaveLength(1);
  });

  it('imports child_process in at most one library file', () => {
    const users = sources.filter((f) => importsOf(f).some((s) => s === 'child_process' || s === 'node:child_process'));
    expect(users.length).toBeLessThanOrEqual(1);
  });

  it('keeps core/ free of every higher layer', () => {
    const higher = /\/(primitives|combinators|executors|runtime|streams|bench|cli)\//;
    const offenders = sources
      .filter((f) => f.startsWith(path.join('src', 'core')))
      .filter((f) => importsOf(f).some((s) => s.startsWith('.') && higher.test(`/${path.join(path.dirname(f), s)}/`)));
    expect(offenders).toEqual([]);
  });
});
