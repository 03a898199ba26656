/**
 * `inspect(fn)`: where a decorated function's calls go under `executor: 'auto'`, and why.
 *
 * The rules, numbered as in the design (docs/decorator.md explains each):
 *   1. an explicit option (`executor`, `cpuBound`), then a hint decorator;
 *   2. async functions (native async, `design:returntype === Promise`, or a call that
 *      returned a thenable) run on the event loop as tasks;
 *   3. static evidence from the source (`./static-analysis.ts`);
 *   4. measured evidence (`./evidence.ts`), once there is enough of it;
 *   5. otherwise a sync function goes to the thread pool, as in Python's unsync.
 * They are checked in the order 1, 2, 4, 3, 5 and the first that decides wins: measured
 * evidence is checked before the source because it overrides that guess.
 * A function that cannot be found by a worker stays on the loop (said in `reason`).
 */
import 'reflect-metadata';
import { types } from 'node:util';
import { expected } from '../src/core/validate';
import { isGeneratorFunction } from '../src/executors/unsync-stream';
import { decoratedInfo, type DecoratedInfo } from './decorated';
import {
  measuredDecision,
  measuredFacts,
  measuredKind,
  poolRoute,
  returnedThenable,
  timesOf,
} from './evidence';
import type { ExecutorTimes, MeasuredFacts } from './evidence-types';
import { readHint, type Hint } from './hints';
import { declaredFile, unlocatableReason } from './locate';
import { nativeAddonOf } from './native-addons';
import { analyseDeep, type AnalysisTarget } from './state-analysis';
import type { ConcreteExecutor, RoutedExecutor } from './options';
import { analyseSource, type SourceEvidence } from './static-analysis';
import { firstPool } from './pool-choice';

/** Which rule decided. */
export type InspectRule = 'option' | 'hint' | 'async' | 'unlocatable' | 'state' | 'measured' | 'source' | 'default';

/** What `inspect` returns: a plain frozen object. */
export interface Inspection {
  /** The nature of the function: awaits (`async`), blocks waiting (`io`) or computes (`cpu`). */
  readonly kind: 'async' | 'io' | 'cpu';
  /** Where its next call will run (`'remote'` only when the option names it: `'auto'` never does). */
  readonly executor: RoutedExecutor;
  /**
   * Which rule decided, in plain words. For a generator function it also says where its
   * stream is produced.
   */
  readonly reason: string;
  /**
   * True for a generator function (`function*`, `async function*`): each call returns an
   * `UnsyncStream` of what it yields, produced on `executor`.
   */
  readonly generator: boolean;
  /** The rule's short name. */
  readonly rule: InspectRule;
  /** Measured call times per executor so far. */
  readonly measured: Readonly<Partial<Record<ConcreteExecutor, ExecutorTimes>>>;
  /**
   * What measurement found beyond times: the share of running time spent on a CPU (which
   * decides `kind` once there is any), and the per-call cost on each pool (which decides
   * thread against process).
   */
  readonly evidence: MeasuredFacts;
}

/** The parts of a decision that never change once the class is defined (cached per function). */
interface FixedFacts {
  readonly hint: Hint | undefined;
  readonly nativeAsync: boolean;
  readonly returnsPromiseType: boolean;
  /** Rule 3's guess: the function's own source, or a CPU/I-O helper it calls when its own says little. */
  readonly source: SourceEvidence;
  /** What moving it could change (`./state-analysis.ts`); undefined for functions `'auto'` never moves. */
  readonly moveProblem: string | undefined;
  /** A native addon its module loaded: it then needs a process (`./native-addons.ts`). */
  readonly nativeAddon: string | undefined;
}

const facts = new WeakMap<Function, FixedFacts>();

function fixedFacts(original: Function, info: DecoratedInfo | undefined): FixedFacts {
  let f = facts.get(original);
  if (f === undefined) {
    const member = info?.member;
    const returnType = member !== undefined ? Reflect.getMetadata('design:returntype', member.target, member.key) : undefined;
    const hint = readHint(info !== undefined ? [info.wrapper, original] : [original], member);
    const nativeAsync = types.isAsyncFunction(original);
    const returnsPromiseType = returnType === Promise;
    let source = analyseSource(original);
    let moveProblem: string | undefined;
    let nativeAddon: string | undefined;
    // Functions 'auto' may move: read their module's source (and their helpers').
    if (info !== undefined && !info.options.explicit && hint?.executor === undefined && !nativeAsync && !returnsPromiseType) {
      const deep = analyseDeep(analysisTarget(info));
      if (deep.helper !== undefined && (source.shape === 'small' || source.shape === 'unknown')) source = deep.helper;
      moveProblem = deep.problem;
      nativeAddon = nativeAddonOf(declaredFile(info));
    }
    f = { hint, nativeAsync, returnsPromiseType, source, moveProblem, nativeAddon };
    // Safe to cache: a decorator stack is fully applied before its method can be called
    // or inspected, so no hint can arrive later.
    facts.set(original, f);
  }
  return f;
}

/**
 * Decide where `fnOrMethod`'s next call runs and say why.
 *
 * Accepts a function or method decorated with `unsync` (e.g. `obj.method`,
 * `Class.prototype.method`, `Class.staticMethod`, the result of `unsync(fn)`) or any plain
 * function (inspected as if wrapped with default options). The answer can change as
 * evidence is measured, but never flip-flops (see docs/decorator.md).
 *
 * @example
 * inspect(unsync(() => readFileSync('a.txt')))
 * // { kind: 'io', executor: 'thread', rule: 'source', reason: 'calls readFileSync, which blocks ...' }
 */
export function inspect(fnOrMethod: Function): Inspection {
  if (typeof fnOrMethod !== 'function') throw new TypeError(expected('fnOrMethod', 'a function', fnOrMethod));
  const info = decoratedInfo(fnOrMethod);
  return decide(info?.original ?? fnOrMethod, info);
}

/** The decision for one call (internal: dispatch calls it on every call). */
export function decide(original: Function, info: DecoratedInfo | undefined): Inspection {
  const f = fixedFacts(original, info);
  const isAsync = f.nativeAsync || f.returnsPromiseType || returnedThenable(original);
  const measured = timesOf(original);
  const evidence = measuredFacts(original);
  const generator = info?.generator ?? isGeneratorFunction(original);
  const make = (kind: Inspection['kind'], executor: RoutedExecutor, rule: InspectRule, reason: string): Inspection =>
    Object.freeze({ kind, executor, rule, reason: generator ? `${reason}${streamWords(executor)}` : reason, generator, measured, evidence });
  // What it is, where something else decides where it runs: measurement, then a hint, then the source.
  const natureWithout = (executor: RoutedExecutor): Inspection['kind'] =>
    isAsync ? 'async' : evidence.kind ?? f.hint?.kind ?? sourceKind(f.source) ?? (executor === 'process' ? 'cpu' : 'io');

  // Rule 1: explicit option, then hint.
  const options = info?.options;
  if (options?.explicit === true) {
    const chosen = options.executor as RoutedExecutor;
    const remote = chosen === 'remote' ? ', so it runs on a remote worker, through the queue `configure({ remote })` names' : '';
    return make(natureWithout(chosen), chosen, 'option', `the option ${options.given} was given explicitly${remote}`);
  }
  if (f.hint?.executor !== undefined) {
    return make(natureWithout(f.hint.executor), f.hint.executor, 'hint', `the method is marked ${f.hint.source}`);
  }
  // Rule 2: async.
  if (isAsync) {
    const why = f.nativeAsync
      ? 'it is an async function'
      : f.returnsPromiseType
        ? 'its declared return type is a Promise'
        : 'a call returned a promise';
    return make('async', 'loop', 'async', `${why}, so it runs as a task on the event loop, where awaiting costs nothing`);
  }
  const choice = offLoopChoice(original, f, make);
  if (choice.executor === 'loop' || info === undefined) return choice;
  // Only now, when a call would leave the loop, is the function located (issue 17).
  const unlocatable = unlocatableReason(info);
  if (unlocatable !== undefined) return make(choice.kind, 'loop', 'unlocatable', `it runs on the loop because ${unlocatable}`);
  if (info.thisProblem !== undefined) {
    return make(choice.kind, 'loop', 'state', `it stays on the loop, where its \`this\` lives, because ${info.thisProblem}`);
  }
  if (f.moveProblem !== undefined) {
    return make(
      choice.kind,
      'loop',
      'state',
      `it stays on the loop because it ${f.moveProblem}. To let 'auto' move it, pass what it reads as arguments and return what it changes; an explicit \`executor\` still sends it where you say`,
    );
  }
  return choice;
}

/** What the state analysis needs to find a decorated function in its module. */
export function analysisTarget(info: DecoratedInfo): AnalysisTarget {
  return {
    fn: info.original,
    file: declaredFile(info),
    role: info.system === 'function' ? 'function' : info.isStatic ? 'static' : 'instance',
    owner: info.owner?.name,
    name: info.system === 'function' ? info.original.name : info.memberName,
  };
}

/**
 * Rules 4, 3 and 5: measured evidence, then the source, then the default. Measurement
 * decides three things, each with its own hysteresis (`./evidence.ts`): whether calls stay
 * on the loop (their wall time), what the function is (CPU time against running time: a
 * label; both kinds start on the thread pool, `firstPool`), and, for a function that runs
 * often, thread against process (the per-call cost on each).
 */
function offLoopChoice(
  original: Function,
  f: FixedFacts,
  make: (kind: Inspection['kind'], executor: ConcreteExecutor, rule: InspectRule, reason: string) => Inspection,
): Inspection {
  const m = measuredDecision(original);
  const k = measuredKind(original);
  const s = f.source;
  const kindWords = k === undefined ? '' : `; ${k.reason}`;
  // On the loop the kind is only a label (in `evidence`): the reason is the timing.
  if (m?.placement === 'loop') return make(k?.kind ?? 'cpu', 'loop', 'measured', m.reason);
  if (m === undefined) {
    // Rule 3, where the source keeps calls on the loop until measured.
    if (s.shape === 'promise') return make('async', 'loop', 'source', `its source ${s.detail}, so it runs on the loop (its first call confirms)`);
    if (s.shape === 'small') {
      return make(k?.kind ?? 'cpu', 'loop', 'source', `its source ${s.detail}, so it runs inline on the loop until measurements say otherwise`);
    }
  }
  // Off the loop: which pool. Measured kind first, then the source's guess.
  // ('small' says "runs inline", not what it is: moved off the loop unmeasured, it is taken for I/O.)
  const kind = k?.kind ?? (s.shape === 'cpu' ? 'cpu' : 'io');
  const guess = firstPool(f.nativeAddon !== undefined);
  const route = poolRoute(original, guess, f.nativeAddon === undefined);
  const pool = route.pool;
  const rule: InspectRule = m !== undefined || k !== undefined || route.reason !== undefined ? 'measured' : s.shape === 'unknown' ? 'default' : 'source';
  if (rule === 'default' && f.nativeAddon === undefined) {
    // Rule 5.
    return make('io', 'thread', 'default', 'it is a sync function with no other evidence, so it runs on the thread pool (as in Python unsync)');
  }
  const why = m !== undefined ? m.reason : s.shape === 'unknown' ? 'it is a sync function with no other evidence' : `its source ${s.detail}`;
  const addon = f.nativeAddon !== undefined ? `; it loads the native addon ${f.nativeAddon}, which may not be safe in a worker thread` : '';
  const where = route.reason !== undefined ? `; ${route.reason}` : `, so it runs on the ${pool} pool`;
  return make(kind, pool, rule, `${why}${kindWords}${addon}${where}`);
}

/** What `inspect` adds to the reason of a generator function: where its stream is produced. */
function streamWords(executor: RoutedExecutor): string {
  const where = executor === 'loop' ? 'on the event loop, as the consumer pulls' : `in a worker of the ${executor} pool, at most \`highWaterMark\` values ahead of the consumer`;
  return `; it is a generator function: each call returns a stream of what it yields, produced ${where}`;
}

function sourceKind(s: SourceEvidence): 'io' | 'cpu' | undefined {
  return s.shape === 'io' ? 'io' : s.shape === 'cpu' || s.shape === 'small' ? 'cpu' : undefined;
}
