/**
 * `inspect()`: the five rules in order, on a labelled set of functions, under both
 * decorator systems for hints and `design:returntype`; measured evidence and hysteresis.
 */
import * as fs from 'node:fs';
import { inspect, unsync } from '../../src';
import { forgetEvidence, recordCall } from '../../decorators/evidence';
import { configureEvidence } from '../../decorators/evidence-thresholds';
import { decoratorStatistics } from '../../decorators';
import { decoratedInfo } from '../../decorators/decorated';
import * as F from '../fixtures/decorated-functions';
import { Service } from '../fixtures/decorated-methods';
import * as S from '../fixtures/auto-stateful';
import * as A from '../fixtures/auto-anonymous-arrows';
import * as K from '../fixtures/auto-kinds';
import bcrypt from 'bcryptjs';
import { buildLegacy } from './legacy-build';

const legacyFile = buildLegacy('decorated-methods');
const Legacy = (require(legacyFile) as typeof import('../fixtures/decorated-methods')).Service;
afterAll(() => fs.rmSync(legacyFile, { force: true }));

describe('a labelled set of functions', () => {
  const cases: Array<[string, Function, 'async' | 'io' | 'cpu', string, string]> = [
    ['async function', F.fetchLater, 'async', 'loop', 'async'],
    ['blocking file read', F.readConfig, 'io', 'thread', 'source'],
    ['blocking child process', F.gitHead, 'io', 'thread', 'source'],
    ['key derivation', F.deriveKey, 'cpu', 'thread', 'source'],
    ['compression', F.compress, 'cpu', 'thread', 'source'],
    ['compute loop', F.sumTo, 'cpu', 'thread', 'source'],
    ['recursion', F.fib, 'cpu', 'thread', 'source'],
    ['tiny helper', F.add, 'cpu', 'loop', 'source'],
    ['promise builder', F.later, 'async', 'loop', 'source'],
    ['unremarkable sync function', F.describePerson, 'io', 'thread', 'default'],
    // Issue 17: what a worker would change stays on the loop ('state'); helpers count.
    ['module counter', S.countLines, 'io', 'loop', 'state'],
    ['start-up config', S.readFromRoot, 'io', 'loop', 'state'],
    ['cache object', S.slowSquare, 'cpu', 'loop', 'state'],
    ['closure over a local', S.tally, 'cpu', 'loop', 'state'],
    ['`this` state', S.Tracker.prototype.addFile, 'io', 'loop', 'state'],
    ['method reading `this` only', S.Tracker.prototype.sizeWithTotal, 'io', 'thread', 'source'],
    ['plain function using `this`', S.readThis, 'io', 'loop', 'state'],
    ['process.chdir', S.listIn, 'io', 'loop', 'state'],
    ['process.env write', S.rememberFile, 'io', 'loop', 'state'],
    ['global assigned', S.publishSize, 'io', 'loop', 'state'],
    ['helper CPU loop', S.score, 'cpu', 'thread', 'source'],
    ['helper sync I/O', S.loadSize, 'io', 'thread', 'source'],
    ['CPU loop in an imported helper', S.digest, 'cpu', 'thread', 'source'],
    ['imported helper changing its module', S.recordVisit, 'io', 'loop', 'state'],
    ['helper reading a module variable', S.parseFile, 'io', 'loop', 'state'],
    ['module constants only', S.wordCount, 'io', 'thread', 'source'],
    ['stateful, explicit executor', S.countLinesOnThread, 'io', 'thread', 'option'],
    ['anonymous arrow (two in one module)', A.add, 'cpu', 'loop', 'source'],
  ];
  it.each(cases)('%s', (_label, fn, kind, executor, rule) => {
    const i = inspect(fn);
    expect({ kind: i.kind, executor: i.executor, rule: i.rule }).toEqual({ kind, executor, rule });
    expect(i.reason.length).toBeGreaterThan(20);
    expect(Object.isFrozen(i)).toBe(true);
  });

  it('explains in plain words', () => {
    expect(inspect(F.readConfig).reason).toBe('its source calls readFileSync, which blocks while it waits, so it runs on the thread pool');
    expect(inspect(F.fetchLater).reason).toMatch(/^it is an async function, so it runs as a task on the event loop/);
    expect(inspect(F.describePerson).reason).toMatch(/no other evidence, so it runs on the thread pool \(as in Python unsync\)/);
  });

  it('inspects the wrapper the same as the function it wraps', () => {
    expect(inspect(F.readConfigU)).toEqual(inspect(F.readConfig));
  });
});

describe('a labelled set: what a sync function is (issue 17, item 3)', () => {
  // Its helpers, read statically (same module, imported project modules): the first call
  // already runs where it belongs.
  const fromHelpers: Array<[string, Function, 'io' | 'cpu', string]> = [
    ['helper CPU loop, two calls deep', K.fingerprint, 'cpu', 'thread'],
    ['self-recursive helper', K.nesting, 'cpu', 'thread'],
    ['CPU-heavy native in a helper', K.packed, 'cpu', 'thread'],
    ['CPU loop in an imported helper', K.scrambled, 'cpu', 'thread'],
    ['helper sync I/O in an arrow', K.ageOf, 'io', 'thread'],
    ['child process in a helper', K.gitBanner, 'io', 'thread'],
    ['sync I/O in an imported helper', K.entryCount, 'io', 'thread'],
  ];
  it.each(fromHelpers)('%s', (_label, fn, kind, executor) => {
    const i = inspect(fn);
    expect({ kind: i.kind, executor: i.executor, rule: i.rule }).toEqual({ kind, executor, rule: 'source' });
    expect(i.reason).toMatch(/^its source calls `\w+` \(auto-kinds(-helpers)?\.ts:\d+\), which /);
  });

  // Library work and callbacks: the source says "short body, runs inline". The first call
  // runs on the loop, takes longer than `blockMs`, and its CPU time against its running
  // time says what it is (blockMs lowered so that a fast machine's calls count too).
  const password = 'correct horse battery staple';
  const hash = bcrypt.hashSync(password, 8);
  const sab = new Int32Array(new SharedArrayBuffer(4));
  const measuredCases: Array<[string, () => unknown, Function, 'io' | 'cpu', string]> = [
    ['bcryptjs hashSync', () => K.hashPassword(password), K.hashPassword, 'cpu', 'thread'],
    ['bcryptjs compareSync', () => K.checkPassword(password, hash), K.checkPassword, 'cpu', 'thread'],
    ['marked', () => K.renderMarkdown(K.bigMarkdown(80)), K.renderMarkdown, 'cpu', 'thread'],
    ['js-yaml', () => K.parseYaml(K.bigYaml(600)), K.parseYaml, 'cpu', 'thread'],
    ['a callback that sleeps', () => K.runStep(() => Atomics.wait(sab, 0, 0, 40)), K.runStep, 'io', 'thread'],
  ];
  beforeAll(() => configureEvidence({ blockMs: 2 }));
  afterAll(() => configureEvidence({ reset: true }));
  it.each(measuredCases)('%s', async (_label, call, fn, kind, executor) => {
    // The first measured call decides, and it is measured once more (forgetting the first)
    // up to twice when it says otherwise: on a machine loaded far past its cores, a call
    // whose garbage collection waits for GC helper threads that wait for a core reads as
    // "waiting" (CPU share under 0.3), which is what the machine did, not the function (a CI
    // run at load 16 measured js-yaml so). A function that measures wrong three times fails.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) forgetEvidence(decoratedInfo(fn)!.original);
      expect(inspect(fn)).toMatchObject({ executor: 'loop', rule: 'source' });
      await call(); // inline: its cost is measured
      if (inspect(fn).kind === kind) break;
    }
    const i = inspect(fn);
    expect({ kind: i.kind, executor: i.executor, rule: i.rule }).toEqual({ kind, executor, rule: 'measured' });
    expect(i.evidence).toMatchObject({ kind, cpuSamples: 1 });
    if (kind === 'cpu') expect(i.evidence.cpuShare).toBeGreaterThanOrEqual(0.6);
    else expect(i.evidence.cpuShare).toBeLessThanOrEqual(0.3);
    expect(i.reason).toMatch(/^a call blocked the event loop for .*; its measured calls \(1\) spent \d+% of their running time on a CPU: (CPU-bound|blocking I\/O \(it waits\)), so it runs on the (process|thread) pool$/);
  });
});

describe('rule 1: explicit option, then hint', () => {
  it('an explicit executor wins over everything', () => {
    expect(inspect(F.onThread)).toMatchObject({ executor: 'thread', rule: 'option', reason: "the option `executor: 'thread'` was given explicitly" });
    expect(inspect(F.onProcess)).toMatchObject({ executor: 'process', kind: 'cpu', rule: 'option', reason: 'the option `cpuBound: true` was given explicitly' });
    expect(inspect(unsync(F.readConfig, { executor: 'loop' }))).toMatchObject({ executor: 'loop', kind: 'io', rule: 'option' });
  });

  it.each([
    ['TC39', Service],
    ['legacy', Legacy],
  ])('hint decorators are read in either stacking order (%s)', (_system, K) => {
    expect(inspect(K.prototype.hintedCpu)).toMatchObject({ kind: 'cpu', executor: 'process', rule: 'hint', reason: 'the method is marked @cpuBound()' });
    expect(inspect(K.prototype.hintedIo)).toMatchObject({ kind: 'io', executor: 'thread', rule: 'hint' });
    expect(inspect(K.prototype.hintedLoop)).toMatchObject({ executor: 'loop', rule: 'hint', reason: "the method is marked @executor('loop')" });
    expect(inspect(K.prototype.where)).toMatchObject({ executor: 'thread', rule: 'option' });
  });
});

describe('rule 2: async', () => {
  it('uses design:returntype under legacy decorators with metadata', () => {
    expect(inspect(Legacy.prototype.promiseTyped)).toMatchObject({ kind: 'async', executor: 'loop', rule: 'async', reason: expect.stringMatching(/^its declared return type is a Promise/) });
  });

  it('learns from a first call that returned a thenable (TC39 has no metadata)', async () => {
    const before = inspect(Service.prototype.promiseTyped);
    expect(before.rule).not.toBe('async');
    expect(await new Service('p').promiseTyped()).toBe('p');
    expect(inspect(Service.prototype.promiseTyped)).toMatchObject({ kind: 'async', rule: 'async', reason: expect.stringMatching(/^a call returned a promise/) });
  });
});

describe('rules 3-5: measured evidence over guesses', () => {
  afterEach(() => configureEvidence({ reset: true }));

  it('moves a function off the loop after one call blocks it too long', () => {
    const fn = function parse(s: string): number { return s.length; };
    forgetEvidence(fn);
    expect(inspect(fn)).toMatchObject({ executor: 'loop', rule: 'source' });
    recordCall(fn, 'loop', 0.01);
    recordCall(fn, 'loop', 50);
    expect(inspect(fn)).toMatchObject({ executor: 'thread', rule: 'measured', reason: expect.stringMatching(/blocked the event loop for 50 ms \(limit 5\.0 ms\)/) });
  });

  it('confirms a cheap function on the loop after a few measured calls', () => {
    const fn = function tinyish(a: number): number { return a + 1; };
    for (let i = 0; i < 4; i++) recordCall(fn, 'loop', 0.002);
    expect(inspect(fn)).toMatchObject({ executor: 'loop', rule: 'measured', reason: expect.stringMatching(/^measured: 4 calls on the loop took 2 µs on average/) });
    expect(inspect(fn).measured.loop).toMatchObject({ calls: 4 });
  });

  it('brings a cheap default-thread function back to the loop only after a long cheap streak', () => {
    configureEvidence({ returnStreak: 8 });
    const fn = F.describePerson;
    forgetEvidence(fn);
    for (let i = 0; i < 7; i++) recordCall(fn, 'thread', 0.05);
    expect(inspect(fn).rule).toBe('default');
    recordCall(fn, 'thread', 0.05);
    expect(inspect(fn)).toMatchObject({ executor: 'loop', rule: 'measured' });
    forgetEvidence(fn);
  });

  it('does not flip-flop: each move back needs twice the streak, and it stops after maxFlips', () => {
    configureEvidence({ returnStreak: 2, maxFlips: 3 });
    const fn = function jittery(x: number): number { return x; };
    const steps: string[] = [];
    const note = (): void => {
      steps.push(inspect(fn).executor);
    };
    recordCall(fn, 'loop', 20); // off (flip 1)
    note();
    recordCall(fn, 'thread', 0.01);
    recordCall(fn, 'thread', 0.01);
    note(); // still off: needs 2 * 2^1 = 4
    recordCall(fn, 'thread', 0.01);
    recordCall(fn, 'thread', 0.01);
    note(); // back on the loop (flip 2)
    recordCall(fn, 'loop', 20); // measured inline now: one stall is not enough
    note();
    recordCall(fn, 'loop', 20); // a second in a row: off again (flip 3)
    note();
    for (let i = 0; i < 100; i++) recordCall(fn, 'thread', 0.01);
    note(); // pinned off the loop
    expect(steps).toEqual(['thread', 'thread', 'loop', 'loop', 'thread', 'thread']);
    expect(inspect(fn).reason).toMatch(/kept off the loop for good after its placement changed 3 times/);
  });

  it('does not move a function measured inline for one stall, only for two in a row (a preempted call is not the function)', () => {
    const fn = function quick(a: number): number { return a + 1; };
    const steps: string[] = [];
    for (let i = 0; i < 4; i++) recordCall(fn, 'loop', 0.002); // measured: runs inline
    recordCall(fn, 'loop', 30); // one stall
    steps.push(inspect(fn).executor);
    recordCall(fn, 'loop', 0.002); // then a normal call: the stall is forgotten
    recordCall(fn, 'loop', 30);
    steps.push(inspect(fn).executor);
    recordCall(fn, 'loop', 30); // two in a row: it really blocks
    steps.push(inspect(fn).executor);
    expect(steps).toEqual(['loop', 'loop', 'thread']);
    expect(inspect(fn).reason).toMatch(/blocked the event loop for 30 ms \(limit 5\.0 ms\), so it was moved off the loop/);
  });

  it('never lets measurements override an explicit option or async', () => {
    recordCall(F.onThread, 'loop', 0.001);
    for (let i = 0; i < 10; i++) recordCall(F.fetchLater, 'loop', 100);
    expect(inspect(F.onThread).rule).toBe('option');
    expect(inspect(F.fetchLater).rule).toBe('async');
  });

  it('shows decisions and flips as data in decoratorStatistics()', () => {
    const [s] = decoratorStatistics([F.addU]);
    expect(s).toMatchObject({ name: 'add', executor: 'loop', flips: 0 });
    expect(Object.isFrozen(s)).toBe(true);
  });
});

describe('argument checks', () => {
  it('rejects a non-function', () => {
    expect(() => inspect(3 as never)).toThrow(new TypeError('Expected `fnOrMethod` to be a function, got 3 (number)'));
  });

  it('configureEvidence rejects unknown keys and bad values, and changes nothing then', () => {
    const before = configureEvidence({});
    expect(() => configureEvidence({ blockms: 20 } as never)).toThrow(/^Unknown option `blockms` in `options`; valid options are: `blockMs`, `cheapMs`/);
    expect(() => configureEvidence({ blockMs: 20, maxFlips: 1.5 })).toThrow(new TypeError('Expected `options.maxFlips` to be an integer, got 1.5 (number)'));
    expect(() => configureEvidence({ cheapMs: -1 })).toThrow(RangeError);
    expect(() => configureEvidence({ blockMs: '5' as never })).toThrow(TypeError);
    expect(() => configureEvidence({ reset: 'yes' as never })).toThrow(TypeError);
    expect(() => configureEvidence(undefined as never)).toThrow(TypeError);
    expect(configureEvidence({})).toEqual(before); // blockMs: 20 above was not applied
  });
});
