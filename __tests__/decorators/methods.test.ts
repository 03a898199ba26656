/**
 * `@unsync` on methods, instance and static, under BOTH decorator systems: the same
 * fixture class built by ts-jest with TC39 decorators and by `buildLegacy` with
 * `experimentalDecorators` + `emitDecoratorMetadata`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isCancelledError, isTimeoutError, shutdown } from '../../src';
import { buildLegacy } from './legacy-build';

type FixtureModule = typeof import('../fixtures/decorated-methods');

const legacyFile = buildLegacy('decorated-methods');
const systems: Array<[string, () => FixtureModule]> = [
  ['TC39 decorators', () => require('../fixtures/decorated-methods') as FixtureModule],
  ['legacy decorators', () => require(legacyFile) as FixtureModule],
];

afterAll(async () => {
  await shutdown();
  fs.rmSync(legacyFile, { force: true });
});

describe.each(systems)('%s', (system, load) => {
  const { Service, steps } = load();
  const isUnfuture = (v: unknown): boolean => Object.prototype.toString.call(v) === '[object Unfuture]';

  beforeEach(() => {
    steps.length = 0;
  });

  it('keeps the method name and length', () => {
    expect(Service.prototype.fetch.name).toBe('fetch');
    expect(Service.prototype.fetch.length).toBe(1);
    expect(Service.create.name).toBe('create');
  });

  it('runs an async instance method as a task with its `this`', async () => {
    const s = new Service('a');
    const f = s.fetch(1);
    expect(isUnfuture(f)).toBe(true);
    expect(steps).toEqual([]); // a task starts on a later microtask, never inside the call
    expect(await f).toBe('a:1');
    expect(steps).toEqual(['fetch 1 start', 'fetch 1 end']);
  });

  it('runs a sync method on the loop inline and returns a done Unfuture', () => {
    const s = new Service('b');
    const f = s.onLoop(2) as unknown as { done(): boolean; result(): unknown };
    expect(steps).toEqual(['onLoop 2']);
    expect(f.done()).toBe(true);
    expect(f.result()).toBe('b:2');
  });

  it('supports @unsync() with empty options', async () => {
    expect(await new Service('c').tiny(41)).toBe(42);
  });

  it('rejects the Unfuture with what a sync method threw', async () => {
    await expect(new Service('d').fails('boom')).rejects.toThrow(RangeError);
  });

  it('cancels an async method call at its await', async () => {
    const s = new Service('e');
    const f = s.fetch(3) as unknown as PromiseLike<string> & { cancel(): boolean };
    await Promise.resolve();
    await Promise.resolve();
    f.cancel();
    expect(isCancelledError(await Promise.resolve(f).catch((e: unknown) => e))).toBe(true);
    expect(steps).toEqual(['fetch 3 start']);
  });

  it('cancels on `timeout` and rejects with TimeoutError after the body cleaned up', async () => {
    const error = await Promise.resolve(new Service('f').slow()).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(isCancelledError((error as Error).cause)).toBe(true);
    expect(steps).toEqual(['slow cleanup']);
  });

  it('calls static methods with the class as `this`', async () => {
    expect(await Service.create('x')).toBe('Service:x');
    expect(await Service.make('y')).toBe('Service:y');
  });

  it('runs an explicit thread method in a worker with a `this` that keeps its prototype', async () => {
    expect(await new Service('g').where(5)).toBe('g:5@worker');
  });

  it('runs an explicit thread static method in a worker with the class as `this`', async () => {
    expect(await Service.whereStatic()).toBe('Service@worker');
  });

  it('registers a method under its `name` option, which also names the call and its task', async () => {
    const registry = (globalThis as unknown as Record<symbol, { byFile: Map<string, Map<string, unknown>> }>)[Symbol.for('unsync.registry.v1')];
    const keys = registry.byFile.get(system === 'legacy decorators' ? legacyFile : require.resolve('../fixtures/decorated-methods'))!;
    expect(keys.has('namedWhere')).toBe(true);
    // Not under the key it would have had without `name`.
    expect([...keys.keys()].filter((k) => k.endsWith('.whereNamed'))).toEqual([]);
    const s = new Service('n');
    const f = s.whereNamed(1) as unknown as PromiseLike<string> & { executor: string; getName(): string };
    expect([f.executor, f.getName()]).toEqual(['thread', 'namedWhere']);
    // The worker found the method by that key, and rebuilt `this` with its prototype.
    expect(await f).toBe('n:1@worker');
    expect(await s.fetchNamed()).toBe('named fetch');
  });

  it('sends a blocking-I/O method to the thread pool and reads the file there', async () => {
    const file = path.join(os.tmpdir(), `unsync-${system.replace(/\W/g, '')}-${process.pid}.txt`);
    fs.writeFileSync(file, 'hello');
    try {
      expect(await new Service('h').readText(file)).toBe('hello');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
