/**
 * How this process runs TypeScript, so that workers load the caller's modules the same way.
 *
 * A worker (thread or child) that must load a `.ts` module and has no loader registers one
 * itself (./worker/load-typescript.cjs), following what the pools tell it: the thread pool in
 * each session's init message (`tsLoader`), the process pool in the child's
 * `UNSYNC_TS_LOADER` variable. Where the parent uses a loader, workers use the same one;
 * where it runs on Node's type stripping (`node app.ts`), workers do too; where it uses none
 * Node can see (jest + ts-jest), workers take tsx when installed, else the `typescript`
 * package through Node's module hooks (docs/executors.md, "Running TypeScript in workers").
 */

/**
 * How a worker loads TypeScript: the value of `UNSYNC_TS_LOADER` / a session's `tsLoader`.
 * `'typescript'` is unsync's fallback (the `typescript` package through `module.registerHooks`);
 * `'native'` is Node's own type stripping.
 */
export type TypeScriptLoader = 'ts-node' | 'tsx' | 'native' | 'typescript';

const LOADERS: readonly string[] = ['ts-node', 'tsx', 'native', 'typescript'] satisfies readonly TypeScriptLoader[];

/** ts-node keeps its registered service here (`REGISTER_INSTANCE` in ts-node's index). */
const TS_NODE_INSTANCE = Symbol.for('ts-node.register.instance');

/** A Node flag that loads tsx: `--import tsx`, `--require …/tsx/dist/preflight.cjs`, `--import file:///…/tsx/dist/loader.mjs`. */
const TSX_FLAG = /(^|[\\/=@])tsx([\\/]|$)/;

/** A TypeScript entry file. */
const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;

/**
 * How this process runs TypeScript, read once per pool start (cheap):
 * - `UNSYNC_TS_LOADER` when set to one of the loaders (a deliberate choice wins);
 * - `'ts-node'` when ts-node is registered (its `register()` ran: the `ts-node` binary,
 *   `-r ts-node/register`);
 * - `'tsx'` when tsx's flags are in `process.execArgv` (the `tsx` binary, `--import tsx`),
 *   or another require hook for `.ts` is registered (tsx stands in for it in workers);
 * - `'native'` when the entry script is a TypeScript file that Node itself runs (type
 *   stripping: `node app.ts` on Node >= 22.18 / 23.6, or an earlier 22 with
 *   `--experimental-strip-types`);
 * - else undefined: no loader Node can see (jest + ts-jest, compiled JavaScript).
 */
export function parentTypeScriptLoader(): TypeScriptLoader | undefined {
  const chosen = process.env.UNSYNC_TS_LOADER;
  if (chosen !== undefined && LOADERS.includes(chosen)) return chosen as TypeScriptLoader;
  if ((process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE] !== undefined) return 'ts-node';
  // jest's module-scoped `require` may lack `extensions`.
  const extensions = (require as { extensions?: Record<string, unknown> }).extensions;
  if (process.execArgv.some((flag) => TSX_FLAG.test(flag)) || extensions?.['.ts'] !== undefined) return 'tsx';
  const features = process.features as { typescript?: unknown };
  if (Boolean(features.typescript) && TYPESCRIPT_FILE.test(process.argv[1] ?? '')) return 'native';
  return undefined;
}
