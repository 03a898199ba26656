/**
 * Does a function need a process? Under `'auto'` the one reason left is a native addon:
 * the other reasons a function needs a process of its own (process-wide state, `process.exit`,
 * `process.chdir`) already keep it on the loop (the `'state'` rule, which wins), and an
 * addon may not be safe to load in a worker thread (an addon that is not context-aware fails
 * to load there; one that is may still keep process-wide state). So a function whose module
 * loaded a `.node` file, directly or through the modules it required, is never moved to the
 * thread pool by measurement: it stays on the process pool.
 *
 * What it reads: the module tree in `require.cache` (CommonJS; an ES module or a module
 * loaded by jest's own registry shows no children, and then nothing is found). The tree
 * below unsync's own modules is not walked: what the library loads for itself (BullMQ's
 * msgpackr loads a native addon once a remote call or worker starts) says nothing about the
 * user's function, and would otherwise send every function of a module that imports unsync
 * to the process pool.
 */
import * as path from 'node:path';

/** Modules of the tree looked at, at most (a big application's tree is not walked to the end). */
const MAX_MODULES = 2000;

const cache = new Map<string, string | undefined>();

/** The folders of unsync's own modules (`src/` and `decorators/`, beside this file's folder, compiled or not). */
const LIBRARY_FOLDERS = [path.join(__dirname, '..', 'src') + path.sep, __dirname + path.sep];

function isLibraryModule(filename: string | undefined): boolean {
  return filename !== undefined && LIBRARY_FOLDERS.some((folder) => filename.startsWith(folder));
}

/** The first native addon (`.node` file) loaded by `file` or the modules it requires, if any. */
export function nativeAddonOf(file: string | undefined): string | undefined {
  if (file === undefined || typeof require !== 'function') return undefined;
  if (cache.has(file)) return cache.get(file);
  const root = require.cache[file];
  let found: string | undefined;
  if (root !== undefined) {
    const seen = new Set<NodeJS.Module>();
    const stack: NodeJS.Module[] = [root];
    while (stack.length > 0 && seen.size < MAX_MODULES && found === undefined) {
      const m = stack.pop()!;
      if (seen.has(m)) continue;
      seen.add(m);
      if (m.filename?.endsWith('.node')) found = m.filename;
      for (const child of m.children ?? []) if (!isLibraryModule(child.filename)) stack.push(child);
    }
  }
  cache.set(file, found);
  return found;
}
