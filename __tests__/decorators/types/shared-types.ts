/**
 * Type tests valid under both decorator systems (checked by types.test.ts with the root
 * tsconfig and with tsconfig.legacy.json): what `unsync(fn)` turns a function into, and
 * how decorated methods' calls are typed for `await` and `gather`.
 */
import { asUnfuture, gather, toProcess, toRemote, toThread, unsync, withOptions, type Unfuture, type Unsynced, type UnsyncedFunction, type WithCallOptions } from '../../../src';

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
  assertType<Equal<typeof size, number>>();
}
