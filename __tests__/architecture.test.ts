/**
 * The layering promised in src/index.ts and STYLE.md, checked on the source text:
 * nothing in src/ but the barrel imports decorators/; piscina and child_process are each
 * imported in exactly one file; files that run inside workers import only the protocol,
 * serialization and error modules; no two modules of src/ or decorators/ import each
 * other, directly or through others.
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

  it('keeps the worker side to Node built-ins, itself and the global keys', () => {
    // src/executors/worker/ loads before any TypeScript loader exists: plain CommonJS that
    // reaches nothing of the TypeScript library.
    const worker = path.join('src', 'executors', 'worker');
    const allowed = (from: string, spec: string): boolean => {
      if (!spec.startsWith('.')) return spec.startsWith('node:') || !spec.includes('/');
      const target = path.join(path.dirname(from), spec);
      return (path.dirname(target) === worker && target.endsWith('.cjs')) || target === path.join('src', 'core', 'keys.cjs');
    };
    const offenders = sources
      .filter((f) => path.dirname(f) === worker)
      .flatMap((f) => importsOf(f).filter((s) => !allowed(f, s)).map((s) => `${f} -> ${s}`));
    expect(sources.filter((f) => path.dirname(f) === worker).length).toBeGreaterThan(5);
    expect(offenders).toEqual([]);
  });

  it('keeps core/ free of every higher layer', () => {
    const higher = /\/(primitives|combinators|executors|runtime|streams|bench|cli)\//;
    const offenders = sources
      .filter((f) => f.startsWith(path.join('src', 'core')))
      .filter((f) => importsOf(f).some((s) => s.startsWith('.') && higher.test(`/${path.join(path.dirname(f), s)}/`)));
    expect(offenders).toEqual([]);
  });

  it('has no import circle among src/ and decorators/ files', () => {
    expect(newCircles(findCircles(importGraph()))).toEqual([]);
  });

  it('finds a circle of any length, and only circles', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
      ['f', ['d']],
    ]);
    expect(findCircles(graph)).toEqual([['a', 'b', 'c'], ['e']]);
  });
});

/*
 * Import circles. Every relative import counts: `import`, `import type`, `export … from`,
 * a bare `import './x'`, `require(...)` and `import(...)`. Type-only imports are counted
 * on purpose: they vanish from the JavaScript, so they cannot break module loading, but a
 * type circle is still two modules that each need the other to be understood, which is
 * the layering this test guards (the streams circle options → reader → options was one).
 */

// Circles found in folders others are rewriting, each listed exactly, so that any NEW
// circle still fails. (None today: keep it that way.)
const KNOWN_CIRCLES: readonly string[] = [
  // owned by the engine rewrite (issue 13): src/executors/**
  // decorators (issue 17): decorators/**
];

const RELATIVE_IMPORT =
  /(?:\bfrom\s*|\bimport\s*|\brequire\(\s*|\bimport\(\s*)['"](\.{1,2}\/[^'"]*|\.{1,2})['"]/g;

function resolveImport(from: string, spec: string, known: ReadonlySet<string>): string | undefined {
  const base = path.join(path.dirname(from), spec);
  const candidates = [base, `${base}.ts`, `${base}.cjs`, base.replace(/\.js$/, '.ts'), path.join(base, 'index.ts'), path.join(base, 'index.cjs')];
  return candidates.find((c) => known.has(c));
}

/** Each source file and the source files it imports. */
function importGraph(): Map<string, string[]> {
  const known = new Set(sources);
  const graph = new Map<string, string[]>();
  for (const file of sources) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const deps = new Set<string>();
    for (const m of text.matchAll(RELATIVE_IMPORT)) {
      const target = resolveImport(file, m[1]!, known);
      if (target !== undefined) deps.add(target);
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/**
 * The strongly connected components with more than one file, or one file that imports
 * itself (Tarjan's algorithm), each sorted; in the order Tarjan closes them, sorted too.
 */
function findCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) circles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Circles not listed in KNOWN_CIRCLES, each as its files' POSIX paths joined by ', '. */
function newCircles(circles: string[][]): string[] {
  return circles
    .map((c) => c.map((f) => f.split(path.sep).join('/')).join(', '))
    .filter((c) => !KNOWN_CIRCLES.includes(c));
}

