/**
 * Type tests valid under both decorator systems (checked by types.test.ts with the root
 * tsconfig and with tsconfig.legacy.json): what `unsync(fn)` turns a function into, and
 * how decorated methods' calls are typed for `await` and `gather`.
 */
import { asStream, asUnfuture, gather, toProcess, toRemote, toThread, unsync, withOptions, type Unfuture, type Unsynced, type UnsyncedFunction, type WithCallOptions, type UnsyncStream } from '../../../src';

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
const assertType = <T extends true>(): T => true as T;

const add = (a: number, b: number): number => a + b;
const fetchText = async (url: string): Promise<string> => url;
const pair = (n: number): [number, string] => [n, String(n)];

export const addU = unsync(add);
export const fetchU = unsync(fetchText, { timeout: 100 });
export const pairU = unsync(pair, { executor: 'thread', name: 'pair' });

assertType<Equal<typeof addU, ((a: number, b: number) => Unfuture<number>) & WithCallOptions<(a: number, b: number) => Unfuture<number>>>>();
assertType<Equal<typeof fetchU, ((url: string) => Unfuture<string>) & WithCallOptions<(url: string) => Unfuture<string>>>>();
assertType<Equal<typeof pairU, UnsyncedFunction<typeof pair>>>();
assertType<Equal<Unsynced<typeof pair>, (n: number) => Unfuture<[number, string]>>>();
assertType<Equal<Unsynced<(x: boolean) => Promise<Promise<number>>>, (x: boolean) => Unfuture<number>>>();
assertType<Equal<ReturnType<typeof addU>, Unfuture<number>>>();

// @ts-expect-error: wrong argument type
addU('1', 2);
// @ts-expect-error: too few arguments
addU(1);
// @ts-expect-error: the result is an Unfuture, not a number
export const n: number = addU(1, 2);
// @ts-expect-error: unknown option
unsync(add, { exector: 'thread' });
// @ts-expect-error: invalid executor
unsync(add, { executor: 'gpu' });
// @ts-expect-error: timeout is a number
unsync(add, { timeout: '5' });

// .with(options): the same parameters and return type, options checked.
const addWith = addU.with({ timeout: 50, executor: 'thread', signal: new AbortController().signal, name: 'add' });
assertType<Equal<ReturnType<typeof addWith>, Unfuture<number>>>();
assertType<Equal<Parameters<typeof addWith>, [a: number, b: number]>>();
assertType<Equal<ReturnType<ReturnType<typeof addWith.with>>, Unfuture<number>>>();
// @ts-expect-error: unknown option
addU.with({ exector: 'thread' });
// @ts-expect-error: 'auto' is the decorator's routing, not a per-call choice
addU.with({ executor: 'auto' });
// @ts-expect-error: wrong argument type through .with()
addWith('1', 2);
const fromThread = toThread.with({ timeout: 10 })(add, 1, 2);
assertType<Equal<typeof fromThread, Unfuture<number>>>();
const fromProcess = toProcess.with({ name: 'p' }).with({ timeout: null })(fetchText, 'u');
assertType<Equal<typeof fromProcess, Unfuture<string>>>();
const fromRemote = toRemote.with({ timeout: 10 })(add, 1, 2);
assertType<Equal<typeof fromRemote, Unfuture<number>>>();
// @ts-expect-error: toThread.with takes no executor
toThread.with({ executor: 'process' });

// Generator functions: each call is an UnsyncStream of what they yield.
export const countU = unsync(function* count(n: number): Generator<number, string> {
  for (let i = 0; i < n; i++) yield i;
  return 'done';
});
export const ticksU = unsync(async function* ticks(): AsyncGenerator<string> {
  yield 'tick';
});
assertType<Equal<ReturnType<typeof countU>, UnsyncStream<number>>>();
assertType<Equal<ReturnType<typeof ticksU>, UnsyncStream<string>>>();
assertType<Equal<ReturnType<ReturnType<typeof countU.with>>, UnsyncStream<number>>>();
assertType<Equal<Unsynced<() => never>, () => Unfuture<never>>>();
assertType<Equal<Unsynced<() => any>, () => Unfuture<any>>>();
// @ts-expect-error: a stream is not an Unfuture
export const notAFuture: Unfuture<number> = countU(3);

export async function usage(): Promise<string> {
  const total: number = await addU(1, 2);
  const text: string = await fetchU('u').then((t) => t.toUpperCase());
  return `${total}${text}`;
}

// Decorated methods, under both decorator systems. A decorator cannot change a method's
// declared type (docs/decorator.md, "Types"): async methods are Promise<T>, which await and
// gather take as they are; a sync method's call is awaited as its declared type, and
// asUnfuture() gives it the Unfuture type the combinators take.
export class Jobs {
  @unsync static async fetchUser(id: number): Promise<{ id: number }> {
    return { id };
  }

  @unsync static readConfig(path: string): string {
    return path;
  }

  @unsync({ cpuBound: true }) static hash(pw: string): number {
    return pw.length;
  }

  @unsync async size(path: string): Promise<number> {
    return path.length;
  }

  @unsync({ executor: 'thread' }) static *lines(n: number): Generator<string> {
    for (let i = 0; i < n; i++) yield `line ${i}`;
  }
}

export async function decoratedUsage(jobs: Jobs): Promise<void> {
  const key = await Jobs.hash('pw');
  assertType<Equal<typeof key, number>>();
  const all = await gather(Jobs.fetchUser(1), asUnfuture(Jobs.readConfig('a.json')), jobs.size('b'), Jobs.fetchUser(2));
  assertType<Equal<typeof all, [{ id: number }, string, number, { id: number }]>>();
  const config = asUnfuture(Jobs.readConfig('a.json'));
  assertType<Equal<typeof config, Unfuture<string>>>();
  // @ts-expect-error: what the type system cannot express: the declared `string` is not an awaitable to gather
  await gather(Jobs.readConfig('a.json'));
  // A method's .with(): withOptions() keeps its declared type.
  const hash = withOptions(Jobs.hash, { timeout: 10 });
  assertType<Equal<typeof hash, typeof Jobs.hash>>();
  const size: number = await withOptions(jobs.size, { executor: 'loop' }).call(jobs, 'c');
  // A generator method keeps its declared Generator type (for await takes it); asStream() gives the stream.
  for await (const line of Jobs.lines(2)) assertType<Equal<typeof line, string>>();
  const lines = asStream(Jobs.lines(2));
  assertType<Equal<typeof lines, UnsyncStream<string>>>();
  lines.cancel();
  assertType<Equal<typeof size, number>>();
}
