/**
 * A benchmark compiled as `dist/` runs: tsc compiles `benchmarks/<name>.ts` and what it
 * imports (unsync's source, helpers) as CommonJS into a temporary folder, the `.cjs`
 * modules tsc does not copy are copied, and `node_modules` is linked, so the figures come
 * from plain JavaScript run by node, not from tsx's output (whose exports are getters and
 * whose named functions are wrapped). Shared by core-tasks.ts and remote.ts.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Compile `benchmarks/<name>.ts` into a temporary folder, call `use` with the compiled
 * file's path and the folder (the copy's root), and remove the folder afterwards.
 * `quiet`: tsc's output is not shown (it is, by default).
 */
export function withCompiled<T>(name: string, use: (file: string, root: string) => T, quiet = false): T {
  const root = path.resolve(__dirname, '..', '..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `unsync-${name}-bench-`));
  try {
    const tsc = require.resolve('typescript/bin/tsc');
    const args = [tsc, path.join(root, 'benchmarks', `${name}.ts`), '--outDir', out, '--rootDir', root, '--module', 'commonjs', '--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--strict', '--types', 'node'];
    execFileSync(process.execPath, args, { cwd: root, stdio: quiet ? 'pipe' : 'inherit' });
    // tsc does not copy the .cjs modules (src/core/keys.cjs, src/executors/worker/*.cjs): copy every one.
    for (const file of fs.readdirSync(path.join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.cjs'))) {
      fs.mkdirSync(path.dirname(path.join(out, 'src', file)), { recursive: true });
      fs.copyFileSync(path.join(root, 'src', file), path.join(out, 'src', file));
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');
    return use(path.join(out, 'benchmarks', `${name}.js`), out);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
