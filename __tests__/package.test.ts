/**
 * The built package works for a consumer: `require('unsync')` and `import ... from
 * 'unsync'` both load the one compiled implementation (no dual-package hazard), and
 * importing it starts no worker.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

function copyCjs(fromDir: string, toDir: string): void {
  for (const entry of fs.readdirSync(fromDir, { withFileTypes: true })) {
    const from = path.join(fromDir, entry.name);
    const to = path.join(toDir, entry.name);
    if (entry.isDirectory()) copyCjs(from, to);
    else if (/\.(cjs|d\.cts)$/.test(entry.name)) {
      fs.mkdirSync(toDir, { recursive: true });
      fs.copyFileSync(from, to);
    }
  }
}

describe('the built package', () => {
  let consumer: string;

  beforeAll(() => {
    consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'unsync-consumer-'));
    const pkg = path.join(consumer, 'node_modules', 'unsync');
    fs.mkdirSync(pkg, { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(pkg, 'dist')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    copyCjs(path.join(ROOT, 'src'), path.join(pkg, 'dist', 'src'));
  }, 120_000);

  afterAll(() => {
    fs.rmSync(consumer, { recursive: true, force: true });
  });

  const node = (args: string[]): string =>
    execFileSync(process.execPath, args, { cwd: consumer, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });

  it('loads with require and runs a gather', () => {
    const out = node([
      '-e',
      `const u = require('unsync');
       u.run(async () => console.log(JSON.stringify(await u.gather(u.sleep(5, 'a'), u.sleep(1, 'b')))));`,
    ]);
    expect(out.trim()).toBe('["a","b"]');
  });

  it('loads with import and shares one copy of every class with require', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { Unfuture, gather } from 'unsync';
       import { createRequire } from 'node:module';
       const required = createRequire(process.cwd() + '/x.js')('unsync');
       console.log(typeof gather, Unfuture === required.Unfuture);`,
    ]);
    expect(out.trim()).toBe('function true');
  });

  it('ships type declarations next to the entry point', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(fs.existsSync(path.join(consumer, 'node_modules', 'unsync', pkg.types))).toBe(true);
    expect(fs.existsSync(path.join(consumer, 'node_modules', 'unsync', pkg.main))).toBe(true);
  });

  it('starts no worker thread or child process on import', () => {
    const out = node([
      '-e',
      `const before = process.getActiveResourcesInfo();
       require('unsync');
       const after = process.getActiveResourcesInfo();
       // Loading node:assert may open stderr (a PipeWrap when piped): only workers count.
       console.log(JSON.stringify(after.filter((k) => !before.includes(k) && /Worker|ProcessWrap|MessagePort/.test(k))));`,
    ]);
    expect(JSON.parse(out.trim())).toEqual([]);
  });
});
