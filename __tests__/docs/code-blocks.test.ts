/**
 * Every ```ts block of README.md and docs/*.md type-checks, and the runnable ones run.
 *
 * Each block is written to its own file (its `'unsync'` imports pointed at src/index.ts)
 * and compiled with the project's tsconfig.json settings (strict, TC39 decorators) in one
 * program; a block that uses decorators is compiled again under legacy
 * `experimentalDecorators` + `emitDecoratorMetadata`. A block is run when the line before
 * its fence is `<!-- runnable -->`: it runs under tsx from the repository root and must
 * exit 0. The conventions are in docs/contributing-docs.md.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const RUNNABLE = '<!-- runnable -->';

interface Block {
  /** `docs/decorator.md:24`: where the fence opens. */
  readonly where: string;
  readonly code: string;
  readonly runnable: boolean;
  file: string;
}

/** The ```ts / ```typescript blocks of one markdown file. */
export function extractBlocks(markdown: string, name: string): Omit<Block, 'file'>[] {
  const lines = markdown.split('\n');
  const blocks: Omit<Block, 'file'>[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`${name}:${start + 1}: a code block that never closes`);
    blocks.push({ where: `${name}:${start + 1}`, code: body.join('\n'), runnable: lines[start - 1]?.trim() === RUNNABLE });
  }
  return blocks;
}

function markdownFiles(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

function compilerOptions(extra: ts.CompilerOptions): ts.CompilerOptions {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  // The project's settings, minus what only concerns its own tree: no emit, no rootDir
  // (the blocks live in a temporary folder), and no jest globals in documentation.
  return { ...parsed.options, noEmit: true, rootDir: undefined, outDir: undefined, declaration: false, sourceMap: false, types: ['node'], ...extra };
}

/** Diagnostics per block file, formatted with the block's markdown location. */
function typeCheck(blocks: readonly Block[], options: ts.CompilerOptions): Map<string, string> {
  const program = ts.createProgram(blocks.map((b) => b.file), options);
  const byFile = new Map<string, string>(blocks.map((b) => [b.file, '']));
  // Only the blocks' own diagnostics: src/ itself is checked by `npm test`'s tsc, and
  // asking per file lets the checker skip the parts of src/ the blocks do not touch.
  const diagnostics = blocks.flatMap((b) => {
    const source = program.getSourceFile(b.file)!;
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  });
  for (const diagnostic of diagnostics) {
    const file = diagnostic.file?.fileName;
    const block = blocks.find((b) => b.file === file);
    if (block === undefined) continue;
    const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const [doc, fence] = block.where.split(':');
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    byFile.set(block.file, `${byFile.get(block.file)}${doc}:${Number(fence) + 1 + line}: TS${diagnostic.code}: ${text}\n`);
  }
  return byFile;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-docs-'));
const blocks: Block[] = markdownFiles().flatMap((name) =>
  extractBlocks(fs.readFileSync(path.join(ROOT, name), 'utf8'), name).map((b) => {
    const file = path.join(dir, `${b.where.replace(/[/.:]/g, '-')}.ts`);
    const source = b.code.replace(/(from\s+|import\s*\(\s*)(['"])unsync\2/g, (_m, lead: string) => `${lead}${JSON.stringify(path.join(ROOT, 'src', 'index'))}`);
    fs.writeFileSync(file, source.endsWith('\n') ? source : `${source}\n`);
    return { ...b, file };
  }),
);
const decorated = blocks.filter((b) => /^\s*@\w/m.test(b.code));

let tc39: Map<string, string>;
let legacy: Map<string, string>;
beforeAll(() => {
  tc39 = typeCheck(blocks, compilerOptions({}));
  legacy = typeCheck(decorated, compilerOptions({ experimentalDecorators: true, emitDecoratorMetadata: true, isolatedModules: false }));
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('code blocks in README.md and docs/', () => {
  it('finds the blocks, runnable ones among them', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks.some((b) => b.runnable)).toBe(true);
    expect(decorated.length).toBeGreaterThan(0);
  });

  it.each(blocks.map((b) => [b.where, b] as const))('%s type-checks (strict, TC39 decorators)', (_where, block) => {
    expect(tc39.get(block.file)).toBe('');
  });

  it.each(decorated.map((b) => [b.where, b] as const))('%s type-checks under legacy experimentalDecorators', (_where, block) => {
    expect(legacy.get(block.file)).toBe('');
  });

  const runnable = blocks.filter((b) => b.runnable);
  it.each(runnable.map((b) => [b.where, b] as const))('%s runs and exits 0', async (_where, block) => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(TSX, [block.file], { cwd: ROOT, timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } }, (error, _stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ code: error === null ? 0 : typeof code === 'number' ? code : null, stderr });
      });
    });
    // A block that turns debug mode on with a logger writing to stderr (docs/debug.md) may
    // see a slow-callback report: on a loaded machine loading modules can hold the loop
    // past its threshold. That is debug mode reporting, not the block failing.
    const slowCallback = /^\[app\] unsync: the event loop was blocked for \d+ ms by .*\n/gm;
    expect(run.stderr.replace(slowCallback, '')).toBe('');
    expect(run.code).toBe(0);
  }, 60_000);
});

describe('extractBlocks', () => {
  it('takes ts and typescript fences, marks the runnable ones, and skips other languages', () => {
    const md = ['# t', '```ts', 'const a = 1;', '```', RUNNABLE, '```typescript', 'const b = 2;', '```', '```js', 'x', '```', '```sh', 'npm test', '```'].join('\n');
    expect(extractBlocks(md, 'x.md')).toEqual([
      { where: 'x.md:2', code: 'const a = 1;', runnable: false },
      { where: 'x.md:6', code: 'const b = 2;', runnable: true },
    ]);
  });

  it('refuses a block that never closes', () => {
    expect(() => extractBlocks('```ts\nconst a = 1;\n', 'y.md')).toThrow('y.md:1: a code block that never closes');
  });
});
