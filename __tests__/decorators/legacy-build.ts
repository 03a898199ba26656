/**
 * Builds a fixture with legacy decorators (`experimentalDecorators` +
 * `emitDecoratorMetadata`, the options of `tsconfig.legacy.json`) into a `.legacy.js` file
 * next to it, so its relative imports still resolve, then loads it through jest. Workers
 * that load the built file get a TypeScript loader for the `.ts` files it requires.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
const CONFIG = path.join(__dirname, 'tsconfig.legacy.json');

// Workers require the built JavaScript directly; it requires TypeScript sources.
const WORKER_LOADER = `if (globalThis[Symbol.for('unsync.worker')] !== undefined && require.extensions['.ts'] === undefined) require('tsx/cjs/api').register();\n`;

/** The legacy build of `__tests__/fixtures/<name>.ts` (its path). */
export function buildLegacy(name: string): string {
  const source = fs.readFileSync(path.join(FIXTURES, `${name}.ts`), 'utf8');
  const { config } = ts.readConfigFile(CONFIG, ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, __dirname); // resolves `extends`
  const out = ts.transpileModule(source, { compilerOptions: { ...options, sourceMap: false, declaration: false }, fileName: `${name}.ts` });
  // One file per jest worker process: test files build in parallel.
  const file = path.join(FIXTURES, `${name}.legacy-${process.pid}.js`);
  fs.writeFileSync(file, WORKER_LOADER + out.outputText);
  return file;
}
