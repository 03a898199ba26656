/**
 * Property-based fuzz: random trees of gather / wait / asCompleted / waitFor / shield /
 * timeout / TaskGroup over random leaf tasks (sleep d then return, or fail), with random
 * deadlines and cancellations. Without deadlines or cancellations the outcome is compared
 * with a reference model; with them, invariants are checked: everything settles exactly
 * once, no CancelledError inside a TaskGroupError, no task left, no timer left.
 */
import fc from 'fast-check';
import { isCancelledError, isTaskGroupError, isTimeoutError } from '../../src/core/errors';
import { Unfuture } from '../../src/core/future';
import { allTasks, createTask } from '../../src/core/task';
import { sleep } from '../../src/combinators/sleep';
import { gather } from '../../src/combinators/gather';
import { wait, ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, type ReturnWhen } from '../../src/combinators/wait';
import { asCompleted } from '../../src/combinators/as-completed';
import { waitFor } from '../../src/combinators/wait-for';
import { shield } from '../../src/combinators/shield';
import { timeout } from '../../src/combinators/timeout';
import { TaskGroup } from '../../src/combinators/task-group';
import { activeTimers, drainTasks, macroTurns, settledWithin, timersSettleTo } from './helpers';

type Node =
  | { kind: 'ok'; d: number; value: number }
  | { kind: 'fail'; d: number; id: number }
  | { kind: 'gather'; children: Node[]; returnExceptions: boolean }
  | { kind: 'group'; children: Node[] }
  | { kind: 'shield'; child: Node }
  | { kind: 'waitFor'; child: Node; ms: number | null }
  | { kind: 'timeout'; child: Node; ms: number | null }
  | { kind: 'wait'; children: Node[]; returnWhen: ReturnWhen; ms: number | null }
  | { kind: 'asCompleted'; children: Node[]; ms: number | null }
  | { kind: 'cancelAfter'; child: Node; ms: number };

const delay = fc.integer({ min: 0, max: 4 });

/** Trees; `timed` adds deadlines and cancellations (outcome then depends on timing). */
function treeArb(timed: boolean): fc.Arbitrary<Node> {
  const ms = timed ? fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }) : fc.constant(null);
  return fc.letrec<{ node: Node }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.record({ kind: fc.constant('ok' as const), d: delay, value: fc.integer({ min: 0, max: 99 }) }),
      fc.record({ kind: fc.constant('fail' as const), d: delay, id: fc.integer({ min: 0, max: 99 }) }),
      fc.record({ kind: fc.constant('gather' as const), children: fc.array(tie('node'), { maxLength: 3 }), returnExceptions: fc.boolean() }),
      fc.record({ kind: fc.constant('group' as const), children: fc.array(tie('node'), { maxLength: 3 }) }),
      fc.record({ kind: fc.constant('shield' as const), child: tie('node') }),
      fc.record({ kind: fc.constant('waitFor' as const), child: tie('node'), ms }),
      fc.record({ kind: fc.constant('timeout' as const), child: tie('node'), ms }),
      fc.record({
        kind: fc.constant('wait' as const),
        children: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
        returnWhen: fc.constantFrom<ReturnWhen>(ALL_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION),
        ms,
      }),
      fc.record({ kind: fc.constant('asCompleted' as const), children: fc.array(tie('node'), { maxLength: 3 }), ms }),
      ...(timed ? [fc.record({ kind: fc.constant('cancelAfter' as const), child: tie('node'), ms: fc.integer({ min: 0, max: 4 }) })] : []),
    ),
  })).node;
}

/** What one run made: every future, with how many times each settled. */
interface Ledger {
  futures: Unfuture<unknown>[];
  settles: Map<Unfuture<unknown>, number>;
  errors: Map<number, Error>;
}

function track<T>(ledger: Ledger, f: Unfuture<T>): Unfuture<T> {
  ledger.futures.push(f);
  ledger.settles.set(f, 0);
  f.addDoneCallback(() => ledger.settles.set(f, ledger.settles.get(f)! + 1));
  return f;
}

/** The work of `node` as a zero-argument function (combinators start it as a task). */
function build(node: Node, ledger: Ledger): () => Unfuture<unknown> {
  return () => track(ledger, createTask(() => body(node, ledger)));
}

function body(node: Node, ledger: Ledger): unknown {
  switch (node.kind) {
    case 'ok':
      return sleep(node.d, node.value);
    case 'fail':
      return sleep(node.d).then(() => {
        throw errorFor(ledger, node.id);
      });
    case 'gather':
      return gather(node.children.map((c) => build(c, ledger)), { returnExceptions: node.returnExceptions });
    case 'group':
      return new TaskGroup().run(async (tg) => {
        const tasks = node.children.map((c) => tg.createTask(build(c, ledger)));
        const values: unknown[] = [];
        for (const t of tasks) values.push(await t);
        return values;
      });
    case 'shield':
      return shield(build(node.child, ledger)());
    case 'waitFor':
      return waitFor(build(node.child, ledger), node.ms);
    case 'timeout':
      return timeout(node.ms, build(node.child, ledger));
    case 'wait':
      return wait(node.children.map((c) => build(c, ledger)()), { returnWhen: node.returnWhen, timeout: node.ms }).then((r) => r.done.size);
    case 'asCompleted':
      return (async () => {
        const out: unknown[] = [];
        for await (const v of asCompleted(node.children.map((c) => build(c, ledger)()), { timeout: node.ms })) out.push(v);
        return out.length;
      })();
    case 'cancelAfter':
      return (async () => {
        const f = build(node.child, ledger)();
        await wait([f], { timeout: node.ms });
        f.cancel('fuzz');
        return await f;
      })();
  }
}

function errorFor(ledger: Ledger, id: number): Error {
  let e = ledger.errors.get(id);
  if (e === undefined) ledger.errors.set(id, (e = new Error(`leaf ${id}`)));
  return e;
}

/** Reference model (no deadlines, no cancellations): value, or the set of errors that may surface. */
type Model = { ok: true; value: unknown } | { ok: false; errors: Set<number> };

function model(node: Node): Model {
  switch (node.kind) {
    case 'ok':
      return { ok: true, value: node.value };
    case 'fail':
      return { ok: false, errors: new Set([node.id]) };
    case 'gather': {
      const ms = node.children.map(model);
      if (node.returnExceptions || ms.every((m) => m.ok)) {
        return { ok: true, value: ms.map((m) => (m.ok ? m.value : { anyOf: m.errors })) };
      }
      return { ok: false, errors: union(ms) };
    }
    case 'group': {
      const ms = node.children.map(model);
      if (ms.every((m) => m.ok)) return { ok: true, value: ms.map((m) => (m as { value: unknown }).value) };
      return { ok: false, errors: union(ms) };
    }
    case 'shield':
    case 'waitFor':
    case 'timeout':
      return model(node.child);
    case 'wait':
      return { ok: true, value: node.returnWhen === ALL_COMPLETED ? node.children.length : { atLeast: 1 } };
    case 'asCompleted': {
      const ms = node.children.map(model);
      return ms.every((m) => m.ok) ? { ok: true, value: node.children.length } : { ok: false, errors: union(ms) };
    }
    case 'cancelAfter':
      throw new Error('not modelled');
  }
}

function union(ms: Model[]): Set<number> {
  const out = new Set<number>();
  for (const m of ms) if (!m.ok) for (const id of m.errors) out.add(id);
  return out;
}

/** The leaf errors inside `error` (TaskGroupErrors flattened); CancelledError is a failure. */
function leafErrors(error: unknown, ledger: Ledger): number[] {
  if (isTaskGroupError(error)) {
    const errors = (error as AggregateError).errors;
    expect(errors.length).toBeGreaterThan(0);
    return errors.flatMap((e) => {
      expect(isCancelledError(e)).toBe(false);
      return leafErrors(e, ledger);
    });
  }
  for (const [id, e] of ledger.errors) if (e === error) return [id];
  return [-1];
}

function matches(actual: unknown, expected: unknown, ledger: Ledger): boolean {
  if (expected !== null && typeof expected === 'object' && 'anyOf' in expected) {
    return leafErrors(actual, ledger).every((id) => (expected as { anyOf: Set<number> }).anyOf.has(id));
  }
  if (expected !== null && typeof expected === 'object' && 'atLeast' in expected) {
    return typeof actual === 'number' && actual >= (expected as { atLeast: number }).atLeast;
  }
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => matches(actual[i], e, ledger));
  }
  return Object.is(actual, expected);
}

/** Run `node` as the root, optionally cancel it after `cancelTurns` event-loop turns, settle everything. */
async function runTree(node: Node, cancelTurns: number | null): Promise<{ root: Unfuture<unknown>; ledger: Ledger }> {
  const ledger: Ledger = { futures: [], settles: new Map(), errors: new Map() };
  const timersBefore = activeTimers();
  const root = build(node, ledger)();
  if (cancelTurns !== null) {
    await macroTurns(cancelTurns);
    root.cancel('fuzz root');
  }
  await settledWithin(root, 3000, 'root');
  expect(await drainTasks(500)).toEqual([]);
  await macroTurns(1);
  // Every future settled, exactly once.
  for (const f of ledger.futures) {
    expect(f.done()).toBe(true);
    expect(ledger.settles.get(f)).toBe(1);
  }
  // Every failure anywhere in the tree: never a CancelledError inside a TaskGroupError.
  for (const f of ledger.futures) if (f.state === 'rejected') leafErrors(f.exception(), ledger);
  expect(await timersSettleTo(timersBefore)).toBeLessThanOrEqual(timersBefore);
  return { root: root, ledger };
}

describe('combinator trees', () => {
  it('match the reference model when nothing is timed or cancelled', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb(false), async (node) => {
        const { root, ledger } = await runTree(node, null);
        const expected = model(node);
        if (expected.ok) {
          expect(root.state).toBe('fulfilled');
          expect(matches(root.result(), expected.value, ledger)).toBe(true);
        } else if (node.kind === 'fail' || root.state !== 'fulfilled') {
          expect(root.state).toBe('rejected');
          const ids = leafErrors(root.exception(), ledger);
          for (const id of ids) expect(expected.errors.has(id)).toBe(true);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x5eed1 },
    );
  });

  it('keep their invariants under random deadlines and cancellations', async () => {
    await fc.assert(
      fc.asyncProperty(treeArb(true), fc.option(fc.integer({ min: 0, max: 6 }), { nil: null }), async (node, cancelTurns) => {
        const { root } = await runTree(node, cancelTurns);
        // A TimeoutError may surface only where a deadline exists in the tree.
        if (root.state === 'rejected' && isTimeoutError(root.exception())) expect(JSON.stringify(node)).toMatch(/"ms":\d/);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400), seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 0x5eed2 },
    );
  });
});

afterAll(() => {
  expect(allTasks().size).toBe(0);
});
