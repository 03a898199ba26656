/**
 * Which TypeScript loader this process runs under, so that workers register the same one.
 *
 * A worker (thread or child) that must load a `.ts` module and has no loader registers one
 * itself (`ensureTypeScriptLoader` in ./worker/run-call.cjs): tsx first, ts-node as the fallback.
 * When the parent runs under ts-node, its workers should compile with ts-node as well (the
 * same compiler, the same tsconfig handling), so the pools tell them: the thread pool in each
 * session's init message, the process pool in the child's `UNSYNC_TS_LOADER` variable.
 */

/** A loader a worker can register: the value of `UNSYNC_TS_LOADER` / a session's `tsLoader`. */
export type TypeScriptLoader = 'ts-node';

/** ts-node keeps its registered service here (`REGISTER_INSTANCE` in ts-node's index). */
const TS_NODE_INSTANCE = Symbol.for('ts-node.register.instance');

/**
 * `'ts-node'` when ts-node is registered in this process (its `register()` ran: the
 * `ts-node` binary, `-r ts-node/register`), else undefined: workers then try tsx first.
 * Read once per pool start; cheap.
 */
export function parentTypeScriptLoader(): TypeScriptLoader | undefined {
  return (process as unknown as Record<symbol, unknown>)[TS_NODE_INSTANCE] !== undefined ? 'ts-node' : undefined;
}
