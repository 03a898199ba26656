/**
 * Registers this copy of the decorator layer with the benchmark harness
 * (`src/bench/decorator-bridge.ts`), which may not import `decorators/` itself.
 * Imported for its effect by `decorators/index.ts`.
 */
import { decoratorBridges, type Bridge } from '../src/bench/decorator-bridge';
import { decoratedInfo, qualifiedName, registryName } from './decorated';
import { configureEvidence } from './evidence-thresholds';
import { inspect } from './inspect';

const bridge: Bridge = {
  target(fn) {
    const info = decoratedInfo(fn);
    if (info === undefined) return undefined;
    return {
      original: info.original,
      qualifiedName: qualifiedName(info),
      registryName: registryName(info),
      instanceMethod: info.system !== 'function' && !info.isStatic,
    };
  },
  verdict(fn) {
    try {
      const i = inspect(fn);
      if (i.executor === 'remote') return undefined; // benchmarks run here: no remote verdict
      return Object.freeze({ kind: i.kind, executor: i.executor, reason: i.reason });
    } catch {
      return undefined;
    }
  },
  thresholds() {
    const t = configureEvidence({}); // no keys: reads the current thresholds without changing them
    return { blockMs: t.blockMs, cheapMs: t.cheapMs };
  },
};

const bridges = decoratorBridges();
if (!bridges.includes(bridge)) bridges.push(bridge);
